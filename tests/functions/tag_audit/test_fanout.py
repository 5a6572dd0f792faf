"""Fan-out of the audit: batch audits, the per-bucket switch, and the CloudWatch count adapter."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.common.batch import parse_batch_event
from functions.common.events import MalformedEventError
from functions.common.fanout import FanOutError
from functions.common.notify import MAX_MESSAGE_BYTES
from functions.tag_audit.cloudwatch_adapter import CloudWatchAdapter
from functions.tag_audit.core import FanOut, audit_batch, run_audit
from functions.tag_audit.event import AuditRequest
from functions.tag_audit.fanout import CountError
from tests.functions.common.fakes import FakeMetrics, FakePublisher
from tests.functions.tag_audit.test_core import GOOD, PROC, RAW, REPORTS, RUN_AT, config, lake

MACHINE = "arn:aws:states:ap-south-1:123456789012:stateMachine:gen-test-transfer-fanout"


def batch_event(keys: list[str], **batch_input: Any) -> dict[str, Any]:
    return {
        "Items": [{"Key": k, "Size": 1, "LastModified": 1772395200} for k in keys],
        "BatchInput": {"bucket": RAW, "mode": "audit", "run": "audit-run", **batch_input},
    }


class Counts:
    def __init__(self, counts: Mapping[str, int | None], failing: set[str] | None = None) -> None:
        self.counts = counts
        self.failing = failing or set()

    def object_count(self, bucket: str) -> int | None:
        if bucket in self.failing:
            raise CountError("no metrics")
        return self.counts.get(bucket)


class Starter:
    def __init__(self, error: FanOutError | None = None) -> None:
        self.started: list[tuple[str, Mapping[str, str]]] = []
        self.error = error

    def start(self, name: str, payload: Mapping[str, str]) -> str:
        if self.error:
            raise self.error
        self.started.append((name, payload))
        return f"execution:{name}"


def fan_config(threshold: int) -> Any:
    return replace(config(), fan_out_threshold=threshold, fan_out_state_machine_arn=MACHINE)


def run(store: Any, cfg: Any, fan_out: FanOut, publisher: FakePublisher | None = None) -> Any:
    return run_audit(
        AuditRequest(RUN_AT),
        config=cfg,
        store=store,
        publisher=publisher or FakePublisher(),
        metrics=FakeMetrics(),
        max_message_bytes=MAX_MESSAGE_BYTES,
        fan_out=fan_out,
    )


def test_audit_batch_writes_one_part_and_returns_counts() -> None:
    """Findings of a batch go to one JSON-lines part under the report prefix; counts returned."""
    store = lake(clean=2, untagged=3)
    keys = sorted(store.buckets[RAW])
    batch = parse_batch_event(batch_event(keys), mode="audit", buckets={RAW, PROC})
    result = audit_batch(batch, config=config(), store=store, metrics=FakeMetrics())
    assert (result["objectsChecked"], result["findings"]) == (5, 3)
    [part] = [k for k in store.buckets[REPORTS] if k.startswith("tag-audit/fanout/audit-run/")]
    assert result["report"] == f"s3://{REPORTS}/{part}"
    lines = store.buckets[REPORTS][part].body.decode().splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["bucket"] == RAW


def test_clean_batch_writes_no_part() -> None:
    """A batch without findings writes nothing."""
    store = lake(clean=2)
    batch = parse_batch_event(batch_event(sorted(store.buckets[RAW])), mode="audit", buckets={RAW})
    result = audit_batch(batch, config=config(), store=store, metrics=FakeMetrics())
    assert result["report"] is None
    assert store.buckets[REPORTS] == {}


def test_malformed_batch_names_the_field() -> None:
    """A tagging batch sent to the audit is refused naming BatchInput.mode."""
    event = batch_event(["k"], mode="tag")
    with pytest.raises(MalformedEventError) as error:
        parse_batch_event(event, mode="audit", buckets={RAW})
    assert error.value.field == "BatchInput.mode"


def test_large_bucket_fans_out_and_the_rest_is_audited_here() -> None:
    """A bucket above the threshold is started on the Distributed Map and not listed here."""
    store = lake(clean=1, untagged=1)
    store.add(PROC, "projects/p1/processed/x.bam", tags=GOOD)
    starter = Starter()
    summary = run(store, fan_config(1000), FanOut(Counts({RAW: 1001, PROC: 1000}), starter))
    [(name, payload)] = starter.started
    assert payload == {
        "mode": "audit",
        "bucket": RAW,
        "prefix": "",
        "modifiedSince": "",
        "source": f"tag audit run at {RUN_AT.isoformat()}",
    }
    assert name.startswith("audit-20260302T023000Z-")
    assert summary.fanned_out == {RAW: f"execution:{name}"}
    assert summary.tally.checked_total == 1
    assert store.requests["ListObjectsV2"] == 1


def test_at_threshold_or_unknown_count_is_audited_here() -> None:
    """Counts at the threshold, missing or unreadable keep the bucket in-process."""
    store = lake(clean=2)
    starter = Starter()
    summary = run(store, fan_config(2), FanOut(Counts({RAW: 2}, failing={PROC}), starter))
    assert starter.started == []
    assert summary.tally.checked_total == 2
    assert PROC in summary.count_errors


def test_fan_out_that_cannot_start_makes_the_audit_incomplete() -> None:
    """A failed StartExecution is a bucket error: alerted, then AuditIncompleteError."""
    from functions.tag_audit.core import AuditIncompleteError

    publisher = FakePublisher()
    with pytest.raises(AuditIncompleteError, match=RAW):
        run(
            lake(clean=1),
            fan_config(1),
            FanOut(Counts({RAW: 5}), Starter(FanOutError("no"))),
            publisher,
        )
    assert "fan-out not started" in publisher.messages[0][1]


@pytest.mark.moto
def test_cloudwatch_adapter_reads_latest_daily_count(aws_env: None) -> None:
    """The latest NumberOfObjects datapoint (AllStorageTypes) is the count; none gives None."""
    now = datetime.now(UTC).replace(microsecond=0)
    with mock_aws():
        client = boto3.client("cloudwatch", region_name="ap-south-1")
        for age, value in ((2, 10.0), (1, 12345.0)):
            client.put_metric_data(
                Namespace="AWS/S3",
                MetricData=[
                    {
                        "MetricName": "NumberOfObjects",
                        "Dimensions": [
                            {"Name": "BucketName", "Value": RAW},
                            {"Name": "StorageType", "Value": "AllStorageTypes"},
                        ],
                        "Timestamp": now - timedelta(days=age, hours=1),
                        "Value": value,
                    }
                ],
            )
        adapter = CloudWatchAdapter(client, now=lambda: now)
        assert adapter.object_count(RAW) == 12345
        assert adapter.object_count(PROC) is None
