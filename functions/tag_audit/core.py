"""Audit every data-lake object's tags against the taxonomy, in flat memory and ~1 request each.

Listing pages are pulled one at a time (1 request per 1000 objects) and each object's tags are
read once (1 GetObjectTagging), with a bounded window of requests in flight; findings stream to
a temporary file that is uploaded as the report. Nothing grows with the object count except the
report file, so the same code audits 10 thousand or 10 million objects.

Pure orchestration: S3 comes in as a Protocol, so tests and the benchmark use in-memory stores.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Protocol

from functions.common.concurrency import bounded_map
from functions.common.object_keys import is_folder_marker
from functions.common.ports import COUNT, MetricSink, Publisher
from functions.common.s3_types import ObjectNotFoundError, ObjectSummary, S3Error
from functions.tag_audit.config import AuditConfig
from functions.tag_audit.event import AuditRequest
from functions.tag_audit.findings import AuditTally, Finding, check_tags
from functions.tag_audit.report import JsonLinesReport, report_key

__all__ = [
    "AuditIncompleteError",
    "AuditStore",
    "AuditSummary",
    "AuditedObjects",
    "CheckResult",
    "Checked",
    "TagChecker",
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

    def __init__(self, config: AuditConfig, store: AuditStore, tally: AuditTally) -> None:
        self._config = config
        self._store = store
        self._tally = tally

    def __iter__(self) -> Iterator[ObjectSummary]:
        own_reports = f"{self._config.report_prefix}/" if self._config.report_prefix else None
        for bucket in sorted(self._config.bucket_categories):
            skip_prefix = own_reports if bucket == self._config.report_bucket else None
            try:
                for page in self._store.iter_pages(bucket):
                    for obj in page:
                        if is_folder_marker(obj.key):
                            continue
                        if skip_prefix is not None and obj.key.startswith(skip_prefix):
                            continue
                        yield obj
            except S3Error as error:
                self._tally.bucket_errors[bucket] = str(error)


@dataclass(frozen=True, slots=True)
class AuditSummary:
    """What the run found and where the report is; also the handler's return value."""

    tally: AuditTally
    report_uri: str | None
    report_error: str | None
    alerted: bool

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
        }


def run_audit(
    request: AuditRequest,
    *,
    config: AuditConfig,
    store: AuditStore,
    publisher: Publisher,
    metrics: MetricSink,
    max_message_bytes: int,
) -> AuditSummary:
    """Audit, write the report, emit UntaggedObjects (always), alert when anything was found,
    and raise AuditIncompleteError afterwards when a bucket or the report failed."""
    tally = AuditTally(sample_size=config.alert_sample_size)
    report_uri: str | None = None
    report_error: str | None = None
    with JsonLinesReport() as report:
        objects = AuditedObjects(config, store, tally)
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
    summary = AuditSummary(tally, report_uri, report_error, alerted)
    if not summary.complete:
        failed = ", ".join(sorted(tally.bucket_errors)) or "none"
        raise AuditIncompleteError(
            f"audit incomplete: buckets not listed: {failed}; report error: {report_error}"
        )
    return summary
