"""The audit's core on in-memory S3: findings, report, alert, metric, request budget, streaming."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from types import MappingProxyType

import pytest

from contracts import taxonomy
from functions.common.notify import MAX_MESSAGE_BYTES
from functions.common.s3_types import (
    ObjectNotFoundError,
    ObjectSummary,
    S3AccessDeniedError,
    S3Error,
)
from functions.tag_audit.config import AuditConfig
from functions.tag_audit.core import AuditIncompleteError, AuditSummary, run_audit
from functions.tag_audit.event import AuditRequest
from tests.functions.common.fakes import FakeMetrics, FakePublisher, InMemoryS3

RAW, PROC, REPORTS = "gen-test-raw-sequence", "gen-test-processed-genome", "gen-test-reports"
RUN_AT = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
REPORT_KEY = "tag-audit/2026/03/02/tag-audit-20260302T023000Z.jsonl"
GOOD = {
    "project": "p1",
    "data-type": "raw_sequence",
    "data-classification": "restricted",
    "environment": "prod",
}


def config(*, sample: int = 20, report_bucket: str = REPORTS) -> AuditConfig:
    return AuditConfig(
        environment="prod",
        bucket_categories=MappingProxyType(
            {
                RAW: taxonomy.category_by_name("raw_sequence"),
                PROC: taxonomy.category_by_name("processed_genome"),
            }
        ),
        report_bucket=report_bucket,
        report_prefix="tag-audit",
        topic_arn="arn:aws:sns:ap-south-1:123456789012:alerts",
        max_concurrency=8,
        alert_sample_size=sample,
    )


def lake(clean: int = 0, untagged: int = 0) -> InMemoryS3:
    store = InMemoryS3()
    store.buckets[REPORTS] = {}
    store.buckets[PROC] = {}
    for n in range(clean):
        store.add(RAW, f"projects/p1/raw/rs_{n}.fastq.gz", tags=GOOD)
    for n in range(untagged):
        store.add(RAW, f"projects/p2/raw/rs_u{n}.fastq.gz")
    return store


def audit(
    store: InMemoryS3,
    *,
    cfg: AuditConfig | None = None,
    publisher: FakePublisher | None = None,
    metrics: FakeMetrics | None = None,
) -> AuditSummary:
    return run_audit(
        AuditRequest(RUN_AT),
        config=cfg or config(),
        store=store,
        publisher=publisher or FakePublisher(),
        metrics=metrics or FakeMetrics(),
        max_message_bytes=MAX_MESSAGE_BYTES,
    )


def report_lines(store: InMemoryS3) -> list[dict[str, object]]:
    return [json.loads(line) for line in store.uploads[(REPORTS, REPORT_KEY)].splitlines()]


def test_untagged_and_invalid_objects_are_found() -> None:
    """Objects missing required tags or holding invalid values are in the report and alert."""
    store = lake(clean=3, untagged=2)
    store.add(PROC, "projects/p1/processed/pg_x.bam", tags={**GOOD, "environment": "qa"})
    publisher = FakePublisher()
    summary = audit(store, publisher=publisher)
    assert summary.tally.finding_total == 3
    found = {line["key"] for line in report_lines(store)}
    assert found == {
        "projects/p2/raw/rs_u0.fastq.gz",
        "projects/p2/raw/rs_u1.fastq.gz",
        "projects/p1/processed/pg_x.bam",
    }
    [(subject, message)] = publisher.messages
    assert "3 object(s) with missing or invalid tags" in subject
    assert f"s3://{REPORTS}/{REPORT_KEY}" in message
    assert "projects/p2/: 2" in message


def test_clean_lake_sends_no_alert_but_reports_zero() -> None:
    """Without findings nothing is published, and UntaggedObjects is still emitted as 0."""
    publisher, metrics = FakePublisher(), FakeMetrics()
    summary = audit(lake(clean=5), publisher=publisher, metrics=metrics)
    assert publisher.messages == []
    assert metrics.values["UntaggedObjects"] == 0
    assert metrics.values["ObjectsAudited"] == 5
    assert not summary.alerted


def test_untagged_metric_counts_findings() -> None:
    """UntaggedObjects carries the number of objects with missing or invalid tags."""
    metrics = FakeMetrics()
    audit(lake(clean=2, untagged=7), metrics=metrics)
    assert metrics.values["UntaggedObjects"] == 7


def test_requests_per_object_stay_within_budget() -> None:
    """Listing pages of 1000 and one tag read per object: at most 1.01 requests per object."""
    store = lake(clean=4_000, untagged=1_000)
    audit(store)
    objects = 5_000
    total = sum(store.requests.values())
    assert store.requests["GetObjectTagging"] == objects
    assert total / objects <= 1.01


def test_folder_markers_and_own_reports_cost_nothing() -> None:
    """Folder objects and the audit's earlier reports (when the report bucket is audited) are
    skipped without reading their tags."""
    store = lake(clean=1)
    store.add(RAW, "projects/p1/raw/")
    store.add(RAW, "tag-audit/2026/03/01/tag-audit-20260301T023000Z.jsonl")
    summary = audit(store, cfg=config(report_bucket=RAW))
    assert summary.tally.finding_total == 0
    assert store.requests["GetObjectTagging"] == 1


def test_listing_is_streamed_not_collected() -> None:
    """Tags are being read while later pages are still unlisted: the audit never holds the
    whole listing."""
    store = lake(clean=10_000)
    pages_listed = 0
    listed_at_read: list[int] = []

    class Watching(InMemoryS3):
        def iter_pages(self, bucket: str, prefix: str = "") -> Iterator[list[ObjectSummary]]:
            nonlocal pages_listed
            for page in store.iter_pages(bucket, prefix):
                pages_listed += 1
                yield page

        def get_tags(self, bucket: str, key: str) -> dict[str, str]:
            listed_at_read.append(pages_listed)
            return store.get_tags(bucket, key)

    watching = Watching()
    watching.buckets = store.buckets
    audit(watching)
    assert pages_listed >= 10
    # Two pages: the empty processed bucket's, then the first of the raw bucket's ten.
    assert max(listed_at_read[:900]) == 2


def test_unreadable_tags_are_reported_not_fatal() -> None:
    """An object whose tags cannot be read is a reported problem; the audit completes."""
    store = lake(clean=2)
    store.failures[("GetObjectTagging", "projects/p1/raw/rs_0.fastq.gz")] = S3AccessDeniedError(
        "AccessDenied", code="AccessDenied"
    )
    publisher = FakePublisher()
    summary = audit(store, publisher=publisher)
    assert summary.tally.unreadable_total == 1
    assert summary.complete
    assert "tags could not be read" in report_lines(store)[0]["problems"][0]  # type: ignore[index]
    assert "Tags unreadable: 1" in publisher.messages[0][1]


def test_object_deleted_mid_audit_is_ignored() -> None:
    """An object gone between listing and tag read is neither a finding nor an error."""
    store = lake(clean=2)
    store.failures[("GetObjectTagging", "projects/p1/raw/rs_1.fastq.gz")] = ObjectNotFoundError(
        "gone", code="NoSuchKey"
    )
    summary = audit(store)
    assert summary.tally.finding_total == 0
    assert summary.tally.checked_total == 1
    assert not summary.alerted


def test_unlistable_bucket_alerts_then_fails() -> None:
    """A bucket that cannot be listed does not stop the others; the alert goes out, then the
    invocation fails so the gap is visible."""
    store = lake(clean=1, untagged=1)
    del store.buckets[PROC]
    publisher = FakePublisher()
    with pytest.raises(AuditIncompleteError, match=PROC):
        audit(store, publisher=publisher)
    [(_, message)] = publisher.messages
    assert "Buckets that could not be listed" in message
    assert "Missing or invalid tags: 1" in message


def test_report_upload_failure_alerts_then_fails() -> None:
    """If the report cannot be written the alert says so, then the invocation fails."""
    store = lake(untagged=1)
    store.failures[("PutObject", REPORT_KEY)] = S3Error("AccessDenied", code="AccessDenied")
    publisher = FakePublisher()
    with pytest.raises(AuditIncompleteError, match="report error"):
        audit(store, publisher=publisher)
    assert "The report could not be written" in publisher.messages[0][1]
