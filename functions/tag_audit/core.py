"""Audit every data-lake object's tags against the taxonomy, in flat memory and ~1 request each.

Listing pages are pulled one at a time (1 request per 1000 objects) and each object's tags are
read once (1 GetObjectTagging), with a bounded window of requests in flight; findings stream to
a temporary file that is uploaded as the report. Nothing grows with the object count except the
report file, so the same code audits 10 thousand or 10 million objects.

Pure orchestration: S3 comes in as a Protocol, so tests and the benchmark use in-memory stores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Protocol

from functions.common.batch import ObjectBatch
from functions.common.concurrency import bounded_map
from functions.common.fanout import FanOutError, FanOutStarter, should_fan_out
from functions.common.object_keys import is_folder_marker
from functions.common.ports import COUNT, MetricSink, Publisher
from functions.common.s3_types import ObjectNotFoundError, ObjectSummary, S3Error
from functions.tag_audit.config import AuditConfig
from functions.tag_audit.event import AuditRequest
from functions.tag_audit.fanout import CountError, ObjectCounter, execution_name, fan_out_input
from functions.tag_audit.findings import AuditTally, Finding, check_tags
from functions.tag_audit.report import JsonLinesReport, report_key

__all__ = [
    "AuditIncompleteError",
    "AuditStore",
    "AuditSummary",
    "AuditedObjects",
    "CheckResult",
    "Checked",
    "FanOut",
    "TagChecker",
    "audit_batch",
    "batch_report_key",
    "run_audit",
]


class AuditStore(Protocol):
    """The S3 operations the audit uses (`functions.common.s3_adapter.S3Adapter`)."""

    def iter_pages(self, bucket: str, prefix: str = "") -> Iterator[Sequence[ObjectSummary]]: ...

    def get_tags(self, bucket: str, key: str) -> Mapping[str, str]: ...

    def upload(self, bucket: str, key: str, body: IO[bytes], *, content_type: str) -> None: ...


class Checked(StrEnum):
    """What reading one object's tags showed."""

    CLEAN = "clean"
    FINDING = "finding"
    UNREADABLE = "unreadable"
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One object's verdict; `finding` is set for FINDING and UNREADABLE."""

    bucket: str
    verdict: Checked
    finding: Finding | None = None


class AuditIncompleteError(RuntimeError):
    """A bucket could not be listed or the report not written; raised after the alert."""


class TagChecker:
    """Reads and judges one object's tags; called concurrently, so it keeps no state."""

    def __init__(self, store: AuditStore) -> None:
        self._store = store

    def __call__(self, obj: ObjectSummary) -> CheckResult:
        """One GetObjectTagging, then the taxonomy check."""
        try:
            tags = self._store.get_tags(obj.bucket, obj.key)
        except ObjectNotFoundError:
            return CheckResult(obj.bucket, Checked.GONE)
        except S3Error as error:
            unreadable = Finding(obj.bucket, obj.key, (f"tags could not be read: {error}",))
            return CheckResult(obj.bucket, Checked.UNREADABLE, unreadable)
        finding = check_tags(obj.bucket, obj.key, tags)
        if finding is None:
            return CheckResult(obj.bucket, Checked.CLEAN)
        return CheckResult(obj.bucket, Checked.FINDING, finding)


class AuditedObjects:
    """Every object to audit, page by page, bucket by bucket.

    Folder markers are skipped (they carry no data and are never tagged), and so are the audit's
    own reports when the report bucket is also a data bucket. A bucket whose listing fails is
    recorded in the tally and the audit moves on to the next one.
    """

    def __init__(
        self,
        config: AuditConfig,
        store: AuditStore,
        tally: AuditTally,
        skip_buckets: Collection[str] = (),
    ) -> None:
        self._config = config
        self._store = store
        self._tally = tally
        self._skip_buckets = frozenset(skip_buckets)

    def __iter__(self) -> Iterator[ObjectSummary]:
        for bucket in sorted(self._config.bucket_categories):
            if bucket in self._skip_buckets:
                continue
            try:
                for page in self._store.iter_pages(bucket):
                    for obj in page:
                        if _audited(self._config, obj):
                            yield obj
            except S3Error as error:
                self._tally.bucket_errors[bucket] = str(error)


def _audited(config: AuditConfig, obj: ObjectSummary) -> bool:
    """Whether the audit looks at `obj`: not a folder marker and not one of its own reports."""
    if is_folder_marker(obj.key):
        return False
    own_reports = f"{config.report_prefix}/" if config.report_prefix else None
    return not (
        own_reports is not None
        and obj.bucket == config.report_bucket
        and obj.key.startswith(own_reports)
    )


@dataclass(frozen=True, slots=True)
class FanOut:
    """What the audit needs to hand large buckets to the Distributed Map."""

    counter: ObjectCounter
    starter: FanOutStarter


@dataclass(frozen=True, slots=True)
class AuditSummary:
    """What the run found and where the report is; also the handler's return value."""

    tally: AuditTally
    report_uri: str | None
    report_error: str | None
    alerted: bool
    fanned_out: Mapping[str, str] = field(default_factory=dict)
    """Bucket → fan-out execution ARN, for buckets above the threshold."""
    count_errors: Mapping[str, str] = field(default_factory=dict)
    """Buckets whose object count could not be read (audited in-process)."""

    @property
    def complete(self) -> bool:
        """Whether every bucket was listed and the report written."""
        return not self.tally.bucket_errors and self.report_error is None

    def as_dict(self) -> dict[str, object]:
        """Counts for the return value and the logs."""
        return {
            "objectsChecked": self.tally.checked_total,
            "findings": self.tally.finding_total,
            "unreadable": self.tally.unreadable_total,
            "bucketErrors": dict(self.tally.bucket_errors),
            "report": self.report_uri,
            "reportError": self.report_error,
            "alerted": self.alerted,
            "fannedOut": dict(self.fanned_out),
            "countErrors": dict(self.count_errors),
        }


def _fan_out_large_buckets(
    request: AuditRequest, config: AuditConfig, fan_out: FanOut, tally: AuditTally
) -> tuple[dict[str, str], dict[str, str]]:
    """Start the fan-out for every bucket above the threshold; (started, count errors).

    A bucket whose count cannot be read is audited in-process; one whose fan-out cannot start
    is recorded as a bucket error (the audit is then incomplete and says so)."""
    started: dict[str, str] = {}
    count_errors: dict[str, str] = {}
    for bucket in sorted(config.bucket_categories):
        try:
            count = fan_out.counter.object_count(bucket)
        except CountError as error:
            count_errors[bucket] = str(error)
            continue
        if not should_fan_out(count, config.fan_out_threshold):
            continue
        try:
            started[bucket] = fan_out.starter.start(
                execution_name(bucket, request.run_at),
                fan_out_input(bucket=bucket, run_at=request.run_at),
            )
        except FanOutError as error:
            tally.bucket_errors[bucket] = f"{count} objects, fan-out not started: {error}"
    return started, count_errors


def run_audit(
    request: AuditRequest,
    *,
    config: AuditConfig,
    store: AuditStore,
    publisher: Publisher,
    metrics: MetricSink,
    max_message_bytes: int,
    fan_out: FanOut | None = None,
) -> AuditSummary:
    """Audit, write the report, emit UntaggedObjects (always), alert when anything was found,
    and raise AuditIncompleteError afterwards when a bucket or the report failed.

    With `fan_out` and a threshold, buckets with more objects than the threshold go to the
    Distributed Map (which reports on its own) and the rest are audited here."""
    tally = AuditTally(sample_size=config.alert_sample_size)
    report_uri: str | None = None
    report_error: str | None = None
    fanned_out: dict[str, str] = {}
    count_errors: dict[str, str] = {}
    if fan_out is not None and config.fan_out_threshold is not None:
        fanned_out, count_errors = _fan_out_large_buckets(request, config, fan_out, tally)
    skipped = set(fanned_out) | set(tally.bucket_errors)
    with JsonLinesReport() as report:
        objects = AuditedObjects(config, store, tally, skip_buckets=skipped)
        checker = TagChecker(store)
        for result in bounded_map(checker, objects, workers=config.max_concurrency):
            if result.verdict is Checked.CLEAN:
                tally.record_clean(result.bucket)
            elif result.finding is not None:
                tally.record_finding(result.finding, readable=result.verdict is Checked.FINDING)
                report.write(result.finding.as_record())
        key = report_key(config.report_prefix, request.run_at)
        try:
            report_uri = report.upload(store, config.report_bucket, key)
        except S3Error as error:
            report_error = str(error)
    metrics.add_metric(name="UntaggedObjects", unit=COUNT, value=tally.finding_total)
    metrics.add_metric(name="ObjectsAudited", unit=COUNT, value=tally.checked_total)
    metrics.add_metric(
        name="AuditErrors",
        unit=COUNT,
        value=tally.unreadable_total + len(tally.bucket_errors) + (1 if report_error else 0),
    )
    metrics.add_metric(name="BucketsFannedOut", unit=COUNT, value=len(fanned_out))
    alerted = tally.anything_found or report_error is not None
    if alerted:
        publisher.publish(
            tally.subject(config.environment),
            tally.alert(
                environment=config.environment,
                run_at=request.run_at,
                report_uri=report_uri,
                report_error=report_error,
                max_bytes=max_message_bytes,
            ),
        )
    summary = AuditSummary(tally, report_uri, report_error, alerted, fanned_out, count_errors)
    if not summary.complete:
        failed = ", ".join(sorted(tally.bucket_errors)) or "none"
        raise AuditIncompleteError(
            f"audit incomplete: buckets not listed: {failed}; report error: {report_error}"
        )
    return summary


def batch_report_key(prefix: str, batch: ObjectBatch) -> str:
    """Where a batch's findings go: one JSON-lines part per batch under the run, named after
    the batch's first and last key so a retried batch overwrites its own part."""
    first = batch.objects[0].key if batch.objects else ""
    last = batch.objects[-1].key if batch.objects else ""
    digest = hashlib.sha256(f"{batch.bucket}\n{first}\n{last}".encode()).hexdigest()[:20]
    name = f"fanout/{batch.run or 'run'}/{batch.bucket}/part-{digest}.jsonl"
    return f"{prefix}/{name}" if prefix else name


def audit_batch(
    batch: ObjectBatch, *, config: AuditConfig, store: AuditStore, metrics: MetricSink
) -> dict[str, object]:
    """Audit one Distributed Map batch with the same checker and tally as `run_audit`, write
    its findings as one JSON-lines part (only when there are any) and return the counts; no
    SNS (the state machine publishes one summary per run). AuditIncompleteError when the part
    cannot be written, so the batch is retried."""
    tally = AuditTally(sample_size=0)
    part_uri: str | None = None
    objects = [obj for obj in batch.objects if _audited(config, obj)]
    with JsonLinesReport() as report:
        checker = TagChecker(store)
        for result in bounded_map(checker, objects, workers=config.max_concurrency):
            if result.verdict is Checked.CLEAN:
                tally.record_clean(result.bucket)
            elif result.finding is not None:
                tally.record_finding(result.finding, readable=result.verdict is Checked.FINDING)
                report.write(result.finding.as_record())
        if report.lines:
            key = batch_report_key(config.report_prefix, batch)
            try:
                part_uri = report.upload(store, config.report_bucket, key)
            except S3Error as error:
                raise AuditIncompleteError(f"batch findings not written: {error}") from error
    metrics.add_metric(name="UntaggedObjects", unit=COUNT, value=tally.finding_total)
    metrics.add_metric(name="ObjectsAudited", unit=COUNT, value=tally.checked_total)
    metrics.add_metric(name="AuditErrors", unit=COUNT, value=tally.unreadable_total)
    return {
        "bucket": batch.bucket,
        "items": len(batch.objects),
        "skipped": len(batch.objects) - len(objects),
        "objectsChecked": tally.checked_total,
        "findings": tally.finding_total,
        "unreadable": tally.unreadable_total,
        "report": part_uri,
    }
