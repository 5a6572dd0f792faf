"""Fan-out of the tagger: batch events, batch tagging, and the in-process/fan-out switch."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.common.batch import is_batch_event, parse_batch_event
from functions.common.events import MalformedEventError
from functions.common.fanout import FanOutError, should_fan_out
from functions.common.states_adapter import StatesAdapter
from functions.object_tagger.core import FALLBACK_CLOCK_SKEW, tag_batch, tag_execution
from tests.functions.common.fakes import FakeMetrics, FakePublisher
from tests.functions.object_tagger.support import (
    DERIVED_P1,
    EXECUTION_ARN,
    MACHINE,
    RAW_BUCKET,
    STARTED,
    FakeDataSync,
    FakeStarter,
    lake_with_report,
    state_change,
    tagger_config,
)

KEYS = ["projects/p1/raw/rs_a.fastq.gz", "projects/p1/raw/rs_b.fastq.gz"]


def batch_event(keys: list[str], **batch_input: Any) -> dict[str, Any]:
    return {
        "Items": [{"Key": k, "Size": 5, "LastModified": "2026-03-01T20:00:00Z"} for k in keys],
        "BatchInput": {"bucket": RAW_BUCKET, "mode": "tag", "environment": "prod", **batch_input},
    }


def fan_out_config(threshold: int = 100) -> Any:
    from dataclasses import replace

    return replace(tagger_config(), fan_out_threshold=threshold, fan_out_state_machine_arn=MACHINE)


def test_threshold_is_strict() -> None:
    """Fan out only above the threshold, never at it or with an unknown count."""
    assert should_fan_out(101, 100)
    assert not should_fan_out(100, 100)
    assert not should_fan_out(None, 100)
    assert not should_fan_out(10**9, None)


def test_batch_event_parses_items() -> None:
    """Items become ObjectSummary of the batch bucket with UTC times (ISO or epoch)."""
    event = batch_event(KEYS, run="tag-exec-1", modifiedSince="")
    event["Items"][1]["LastModified"] = 1772395200
    batch = parse_batch_event(event, mode="tag", buckets={RAW_BUCKET})
    assert is_batch_event(event)
    assert [o.key for o in batch.objects] == KEYS
    assert batch.objects[0].last_modified == datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    assert batch.objects[1].last_modified == datetime.fromtimestamp(1772395200, UTC)
    assert batch.modified_since is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda e: e.pop("BatchInput"), "BatchInput"),
        (lambda e: e["BatchInput"].update(mode="audit"), "BatchInput.mode"),
        (lambda e: e["BatchInput"].update(bucket="other-bucket"), "BatchInput.bucket"),
        (lambda e: e.update(Items={"Key": "x"}), "Items"),
        (lambda e: e["Items"][0].pop("Key"), "Items[0].Key"),
        (lambda e: e["Items"][1].update(Size=-1), "Items[1].Size"),
        (lambda e: e["Items"][0].update(LastModified="yesterday"), "Items[0].LastModified"),
    ],
)
def test_malformed_batch_names_the_field(change: Any, field: str) -> None:
    """Every malformed batch raises MalformedEventError naming the field."""
    event = batch_event(KEYS)
    change(event)
    with pytest.raises(MalformedEventError) as error:
        parse_batch_event(event, mode="tag", buckets={RAW_BUCKET})
    assert error.value.field == field


def test_tag_batch_tags_with_the_shared_core_and_returns_counts() -> None:
    """A batch is tagged like in-process tagging and answers counts; nothing is published."""
    store = lake_with_report(KEYS)
    store.add(RAW_BUCKET, "projects/p1/raw/")
    batch = parse_batch_event(
        batch_event([*KEYS, "projects/p1/raw/"]), mode="tag", buckets={RAW_BUCKET}
    )
    result = tag_batch(batch, config=tagger_config(), store=store, metrics=FakeMetrics())
    assert result["tagged"] == 2
    assert result["skipped"] == 1
    assert store.tags_of(RAW_BUCKET, KEYS[0]) == DERIVED_P1


def test_tag_batch_skips_objects_older_than_modified_since() -> None:
    """Objects last modified before the transfer started cost no request."""
    store = lake_with_report(KEYS)
    since = (STARTED + FALLBACK_CLOCK_SKEW).isoformat()
    batch = parse_batch_event(
        batch_event(KEYS, modifiedSince=since), mode="tag", buckets={RAW_BUCKET}
    )
    result = tag_batch(batch, config=tagger_config(), store=store, metrics=FakeMetrics())
    assert result["skipped"] == 2
    assert store.requests["GetObjectTagging"] == 0


def test_above_threshold_starts_the_fan_out_instead_of_tagging() -> None:
    """FilesTransferred above the threshold: one StartExecution for the prefix, no tag request."""
    store = lake_with_report(KEYS)
    starter, publisher = FakeStarter(), FakePublisher()
    summary = tag_execution(
        state_change(),
        config=fan_out_config(100),
        datasync=FakeDataSync(prefix="projects", files_transferred=101),
        store=store,
        publisher=publisher,
        metrics=FakeMetrics(),
        fan_out=starter,
    )
    [(name, payload)] = starter.started
    assert name == f"tag-{EXECUTION_ARN.rsplit('/', 1)[-1]}"
    assert payload["bucket"] == RAW_BUCKET
    assert payload["prefix"] == "projects/"
    assert payload["mode"] == "tag"
    assert payload["modifiedSince"] == (STARTED - FALLBACK_CLOCK_SKEW).isoformat()
    assert summary.fanned_out is not None
    assert store.requests["GetObjectTagging"] == 0
    assert "fanned out" in publisher.messages[0][0]


def test_at_threshold_tags_in_process() -> None:
    """FilesTransferred equal to the threshold: tagged here, no fan-out."""
    store = lake_with_report(KEYS)
    starter = FakeStarter()
    summary = tag_execution(
        state_change(),
        config=fan_out_config(2),
        datasync=FakeDataSync(files_transferred=2),
        store=store,
        publisher=FakePublisher(),
        metrics=FakeMetrics(),
        fan_out=starter,
    )
    assert starter.started == []
    assert summary.fanned_out is None
    assert store.tags_of(RAW_BUCKET, KEYS[0]) == DERIVED_P1


def test_fan_out_start_failure_fails_after_the_summary() -> None:
    """A failed StartExecution is published, then raised so the event is retried."""
    from functions.object_tagger.core import TaggingFailedError

    publisher = FakePublisher()
    with pytest.raises(TaggingFailedError, match="fan-out"):
        tag_execution(
            state_change(),
            config=fan_out_config(1),
            datasync=FakeDataSync(files_transferred=5),
            store=lake_with_report(KEYS),
            publisher=publisher,
            metrics=FakeMetrics(),
            fan_out=FakeStarter(FanOutError("throttled")),
        )
    assert "FAILED" in publisher.messages[0][0]


@pytest.mark.moto
def test_states_adapter_starts_on_moto_and_maps_errors(aws_env: None) -> None:
    """StartExecution on moto returns the ARN; a missing state machine becomes FanOutError."""
    with mock_aws():
        client = boto3.client("stepfunctions", region_name="ap-south-1")
        arn = client.create_state_machine(
            name="gen-test-transfer-fanout",
            definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            roleArn="arn:aws:iam::123456789012:role/sfn",
        )["stateMachineArn"]
        adapter = StatesAdapter(client, arn)
        execution = adapter.start("tag-exec-1", {"mode": "tag", "bucket": RAW_BUCKET})
        described = client.describe_execution(executionArn=execution)
        assert json.loads(described["input"])["bucket"] == RAW_BUCKET
        with pytest.raises(FanOutError):
            StatesAdapter(client, arn + "-missing").start("tag-exec-2", {})
