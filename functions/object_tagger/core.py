"""Tag every object a DataSync execution wrote, or every object under a lab dataset's prefix,
from the taxonomy, without losing a person's tags.

Pure orchestration: S3 and DataSync come in as Protocols, so tests run it on in-memory fakes.

Per object the request budget is fixed: an object that will not be tagged costs nothing, an
object whose tags are already right costs one GetObjectTagging, and an object that needs tags
costs that plus one PutObjectTagging. A duplicate event therefore rewrites nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import islice
from typing import Final, Protocol

from functions.common.batch import ObjectBatch
from functions.common.concurrency import bounded_map
from functions.common.datasync_types import DataSyncError, ExecutionInfo
from functions.common.fanout import FanOutError, FanOutStarter, should_fan_out
from functions.common.object_keys import is_folder_marker
from functions.common.ports import COUNT, MetricSink, Publisher
from functions.common.s3_types import ObjectNotFoundError, ObjectSummary, S3Error
from functions.object_tagger.config import TaggerConfig
from functions.object_tagger.event import (
    DatasetPrefixAssociated,
    ExecutionStateChange,
    ObjectCreated,
)
from functions.object_tagger.fanout import execution_name, fan_out_input, lab_execution_name
from functions.object_tagger.plan import (
    UNCLASSIFIED_CLASSIFICATION,
    UNCLASSIFIED_DATA_TYPE,
    desired_tags,
    plan_write,
)
from functions.object_tagger.task_report import (
    TRANSFERRED_ARRAY,
    ReportFormatError,
    detailed_report_prefix,
    is_transferred_report,
    iter_array_items,
    transferred_keys,
)

__all__ = [
    "FALLBACK_CLOCK_SKEW",
    "PROBLEM_SAMPLE_SIZE",
    "ExecutionDescriber",
    "ObjectResult",
    "ObjectTagger",
    "Outcome",
    "PrefixObjects",
    "TaggingFailedError",
    "TaggingStore",
    "TaggingSummary",
    "TransferredObjects",
    "tag_batch",
    "tag_execution",
    "tag_prefix",
]

PROBLEM_SAMPLE_SIZE: Final = 50
"""Problem keys listed in the summary; the counts always cover every object."""

FALLBACK_CLOCK_SKEW: Final = timedelta(minutes=5)
"""Slack before the execution's start time when listing: S3's LastModified has one-second
precision and clocks differ, and an extra object costs one idempotent GetObjectTagging."""


class TaggingStore(Protocol):
    """The S3 operations the tagger uses (`functions.common.s3_adapter.S3Adapter`)."""

    def iter_pages(self, bucket: str, prefix: str = "") -> Iterator[Sequence[ObjectSummary]]: ...

    def iter_chunks(self, bucket: str, key: str) -> Iterator[bytes]: ...

    def get_tags(self, bucket: str, key: str) -> Mapping[str, str]: ...

    def put_tags(self, bucket: str, key: str, tags: Mapping[str, str]) -> None: ...


class ExecutionDescriber(Protocol):
    """The DataSync look-up the tagger uses (`functions.common.datasync_adapter`)."""

    def describe_execution(self, execution_arn: str) -> ExecutionInfo: ...


class Outcome(StrEnum):
    """What happened to one object."""

    TAGGED = "tagged"
    UNCHANGED = "unchanged"
    UNCLASSIFIED = "unclassified"
    REFUSED = "refused"
    MISSING = "missing"
    FAILED = "failed"


_PROBLEM_OUTCOMES: Final = frozenset(
    {Outcome.UNCLASSIFIED, Outcome.REFUSED, Outcome.MISSING, Outcome.FAILED}
)


@dataclass(frozen=True, slots=True)
class ObjectResult:
    """The outcome for one object and what a person needs to act on it."""

    bucket: str
    key: str
    outcome: Outcome
    detail: str = ""
    conflicts: tuple[str, ...] = ()
    wrote: bool = False


class TaggingFailedError(RuntimeError):
    """Some objects could not be tagged; raised after the summary so the event is retried."""


class ObjectTagger:
    """Tags one object; called concurrently, so it keeps no per-object state."""

    def __init__(self, config: TaggerConfig, store: TaggingStore) -> None:
        self._config = config
        self._store = store

    def __call__(self, obj: ObjectSummary) -> ObjectResult:
        """Derive, read, merge, and write only when the merged set differs from what is there."""
        desired = desired_tags(
            self._config.bucket_categories.get(obj.bucket),
            obj.key,
            environment=self._config.environment,
            tag_unclassified=self._config.tag_unclassified,
        )
        if desired.tags is None:
            return ObjectResult(
                obj.bucket, obj.key, Outcome.UNCLASSIFIED, desired.unclassified_reason or ""
            )
        try:
            plan = plan_write(self._store.get_tags(obj.bucket, obj.key), desired.tags)
            if plan.refusal is not None:
                return ObjectResult(
                    obj.bucket, obj.key, Outcome.REFUSED, plan.refusal, plan.conflicts
                )
            if plan.write:
                self._store.put_tags(obj.bucket, obj.key, plan.tags)
        except ObjectNotFoundError as error:
            return ObjectResult(obj.bucket, obj.key, Outcome.MISSING, f"object is gone: {error}")
        except S3Error as error:
            return ObjectResult(obj.bucket, obj.key, Outcome.FAILED, str(error))
        if desired.unclassified:
            marker = f"tagged {UNCLASSIFIED_DATA_TYPE}" if plan.write else "already marked"
            detail = f"{desired.unclassified_reason} ({marker})"
            return ObjectResult(
                obj.bucket, obj.key, Outcome.UNCLASSIFIED, detail, plan.conflicts, plan.write
            )
        outcome = Outcome.TAGGED if plan.write else Outcome.UNCHANGED
        return ObjectResult(obj.bucket, obj.key, outcome, "", plan.conflicts, plan.write)


class TransferredObjects:
    """The objects an execution wrote: from its task report, else by listing its destination.

    Iterating never raises for S3 or report problems: it stops and records `error`, so the
    caller still counts what it did and publishes a summary before failing.
    """

    def __init__(
        self,
        event: ExecutionStateChange,
        execution: ExecutionInfo,
        config: TaggerConfig,
        store: TaggingStore,
    ) -> None:
        self._event = event
        self._execution = execution
        self._config = config
        self._store = store
        self.description = ""
        self.error: str | None = None

    def __iter__(self) -> Iterator[ObjectSummary]:
        try:
            yield from self._from_report_or_listing()
        except (S3Error, ReportFormatError) as error:
            self.error = f"stopped reading the list of transferred objects: {error}"

    def _from_report_or_listing(self) -> Iterator[ObjectSummary]:
        bucket = self._config.task_report_bucket
        prefix = detailed_report_prefix(
            self._config.task_report_prefix, self._event.task_id, self._event.execution_id
        )
        reports = sorted(
            summary.key
            for page in self._store.iter_pages(bucket, prefix)
            for summary in page
            if is_transferred_report(summary.key)
        )
        destination = self._execution.destination
        if reports:
            self.description = f"task report s3://{bucket}/{prefix} ({len(reports)} file(s))"
            found = 0
            for report in reports:
                entries = iter_array_items(
                    self._store.iter_chunks(bucket, report), TRANSFERRED_ARRAY
                )
                for key in transferred_keys(entries, destination):
                    found += 1
                    yield ObjectSummary(bucket=destination.bucket, key=key)
            if found or not self._execution.files_transferred:
                return
            self.description += (
                f" listed no object although DataSync counted "
                f"{self._execution.files_transferred} transferred; then "
            )
        yield from self._from_listing()

    def _from_listing(self) -> Iterator[ObjectSummary]:
        destination = self._execution.destination
        since = self._execution.started_at
        prefix = f"{destination.prefix}/" if destination.prefix else ""
        cutoff = since - FALLBACK_CLOCK_SKEW if since is not None else None
        window = f"modified since {cutoff.isoformat()}" if cutoff else "all (no start time known)"
        self.description += f"listing of s3://{destination.bucket}/{prefix}, objects {window}"
        yield from _listed(self._store, destination.bucket, prefix, cutoff)


def _listed(
    store: TaggingStore, bucket: str, prefix: str, cutoff: datetime | None
) -> Iterator[ObjectSummary]:
    """The objects under `prefix` (folder markers skipped), modified at or after `cutoff`."""
    for page in store.iter_pages(bucket, prefix):
        for summary in page:
            if is_folder_marker(summary.key):
                continue
            if cutoff and summary.last_modified and summary.last_modified < cutoff:
                continue
            yield summary


class PrefixObjects:
    """Every object under a lab dataset's prefix, by the same listing as `TransferredObjects`'
    fallback (no time window: the dataset is all of it).

    Iterating never raises for S3 problems: it stops and records `error`.
    """

    def __init__(self, event: DatasetPrefixAssociated, store: TaggingStore) -> None:
        self._event = event
        self._store = store
        self.description = f"listing of {event.s3_uri}, all objects"
        self.error: str | None = None

    def __iter__(self) -> Iterator[ObjectSummary]:
        try:
            yield from _listed(self._store, self._event.bucket, self._event.prefix, None)
        except S3Error as error:
            self.error = f"stopped listing the dataset's objects: {error}"


@dataclass(slots=True)
class TaggingSummary:
    """Counts over every object and the first problems, for SNS, metrics and the return value."""

    execution_arn: str
    """The DataSync execution tagged after; empty when `trigger` names something else."""
    environment: str
    tag_unclassified: bool
    source: str = ""
    trigger: str = ""
    """What asked for the tagging when it is not a DataSync execution (e.g. `lab dataset
    ds-1`); the subject and message name it instead of the execution."""
    counts: Counter[Outcome] = field(default_factory=Counter)
    unclassified_written: int = 0
    conflicts: int = 0
    problems: list[str] = field(default_factory=list)
    problem_total: int = 0
    aborted: str | None = None
    fanned_out: str | None = None
    """ARN of the fan-out execution that tags the objects instead of this invocation."""

    def record(self, result: ObjectResult) -> None:
        """Count one object's result and keep it as an example if it is a problem."""
        self.counts[result.outcome] += 1
        if result.outcome is Outcome.UNCLASSIFIED and result.wrote:
            self.unclassified_written += 1
        notes = []
        if result.outcome in _PROBLEM_OUTCOMES:
            notes.append(f"{result.outcome.value}: {result.detail}")
        if result.conflicts:
            self.conflicts += 1
            notes.append(f"kept person-set value of {', '.join(result.conflicts)}")
        if notes:
            self.problem_total += 1
            if len(self.problems) < PROBLEM_SAMPLE_SIZE:
                self.problems.append(f"s3://{result.bucket}/{result.key} — {'; '.join(notes)}")

    @property
    def failed(self) -> int:
        """Objects whose tags could not be read or written because S3 failed: worth a retry."""
        return self.counts[Outcome.FAILED]

    @property
    def succeeded(self) -> bool:
        """Whether the invocation should succeed: nothing failed and nothing aborted the run."""
        return not self.failed and self.aborted is None

    def subject(self) -> str:
        """A one-line SNS subject with the counts people look at first."""
        execution_id = self.trigger or self.execution_arn.rsplit("/", 1)[-1]
        state = "" if self.succeeded else "FAILED "
        if self.fanned_out and self.succeeded:
            return f"[{self.environment}] object tagging {execution_id}: fanned out"
        return (
            f"[{self.environment}] {state}object tagging {execution_id}: "
            f"{self.counts[Outcome.TAGGED]} tagged, {self.counts[Outcome.UNCLASSIFIED]} "
            f"unclassified, {self.failed} failed"
        )

    def message(self) -> str:
        """The SNS body: every count, where the object list came from, then example problems."""
        unclassified_note = (
            f"{self.unclassified_written} tagged data-type={UNCLASSIFIED_DATA_TYPE}, "
            f"data-classification={UNCLASSIFIED_CLASSIFICATION}"
            if self.tag_unclassified
            else "reported only, TAG_UNCLASSIFIED is false"
        )
        lines = [
            f"Object tagging of {self.trigger}"
            if self.trigger
            else f"Object tagging after DataSync execution {self.execution_arn}",
            f"Environment: {self.environment}",
            f"Objects from: {self.source or 'not determined'}",
            "",
            f"Tagged: {self.counts[Outcome.TAGGED]}",
            f"Already correct: {self.counts[Outcome.UNCHANGED]}",
            f"Unclassified: {self.counts[Outcome.UNCLASSIFIED]} ({unclassified_note})",
            f"Refused (would exceed the tag limit or be rejected): {self.counts[Outcome.REFUSED]}",
            f"Gone before tagging: {self.counts[Outcome.MISSING]}",
            f"Failed: {self.failed}",
            f"Kept person-set values that differ from the taxonomy: {self.conflicts}",
        ]
        if self.fanned_out:
            lines += [
                "",
                f"Fanned out to Step Functions execution {self.fanned_out}; it tags the objects "
                "in batches and publishes its own summary.",
            ]
        if self.aborted:
            lines += ["", f"Aborted: {self.aborted}"]
        if not self.succeeded:
            lines += [
                "",
                "The invocation fails so Lambda retries it; re-tagging is idempotent.",
            ]
        if self.problems:
            lines += ["", f"Problems (first {len(self.problems)} of {self.problem_total}):"]
            lines += [f"- {problem}" for problem in self.problems]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The counts as the handler's return value (and for logs)."""
        return {
            **({"trigger": self.trigger} if self.trigger else {}),
            "executionArn": self.execution_arn,
            "source": self.source,
            **{outcome.value: self.counts[outcome] for outcome in Outcome},
            "unclassifiedTagged": self.unclassified_written,
            "conflicts": self.conflicts,
            "aborted": self.aborted,
            "fannedOut": self.fanned_out,
        }


def _record_metrics(summary: TaggingSummary, metrics: MetricSink) -> None:
    metrics.add_metric(name="ObjectsTagged", unit=COUNT, value=summary.counts[Outcome.TAGGED])
    metrics.add_metric(
        name="ObjectsUnclassified", unit=COUNT, value=summary.counts[Outcome.UNCLASSIFIED]
    )
    metrics.add_metric(
        name="TaggingFailures",
        unit=COUNT,
        value=summary.failed + summary.counts[Outcome.REFUSED],
    )


def _start_fan_out(
    summary: TaggingSummary,
    fan_out: FanOutStarter,
    *,
    name: str,
    bucket: str,
    prefix: str,
    modified_since: datetime | None,
    requested_by: str,
    why: str,
) -> None:
    """Hand `s3://bucket/prefix` to the fan-out state machine; record its ARN or the error."""
    summary.source = f"{why}: Distributed Map over s3://{bucket}/{prefix}"
    try:
        summary.fanned_out = fan_out.start(
            name,
            fan_out_input(
                bucket=bucket, prefix=prefix, modified_since=modified_since, source=requested_by
            ),
        )
    except FanOutError as error:
        summary.aborted = f"could not start the fan-out: {error}"


def _tag_all(
    objects: Iterable[ObjectSummary],
    summary: TaggingSummary,
    *,
    config: TaggerConfig,
    store: TaggingStore,
) -> None:
    """Run the per-object tagger over `objects`, concurrently, counting every result."""
    tagger = ObjectTagger(config, store)
    for result in bounded_map(tagger, objects, workers=config.max_concurrency):
        summary.record(result)


def _finish(summary: TaggingSummary, publisher: Publisher, metrics: MetricSink | None) -> None:
    """Record the metrics (None: the run fanned out, its batches count), publish the summary,
    and raise TaggingFailedError afterwards when anything failed, so the event is retried."""
    if metrics is not None:
        _record_metrics(summary, metrics)
    publisher.publish(summary.subject(), summary.message())
    if summary.succeeded:
        return
    if metrics is None:
        raise TaggingFailedError(f"aborted: {summary.aborted}")
    raise TaggingFailedError(
        f"{summary.failed} object(s) failed"
        + (f"; aborted: {summary.aborted}" if summary.aborted else "")
    )


def tag_execution(
    event: ExecutionStateChange,
    *,
    config: TaggerConfig,
    datasync: ExecutionDescriber,
    store: TaggingStore,
    publisher: Publisher,
    metrics: MetricSink,
    fan_out: FanOutStarter | None = None,
) -> TaggingSummary:
    """Tag the objects of a successful execution, publish the summary and metrics, and raise
    TaggingFailedError afterwards if any object failed or the object list could not be read.

    When `fan_out` is given and DataSync's FilesTransferred is above `config.fan_out_threshold`,
    start the fan-out for the destination prefix instead of tagging here."""
    summary = TaggingSummary(
        execution_arn=event.execution_arn,
        environment=config.environment,
        tag_unclassified=config.tag_unclassified,
    )
    try:
        execution = datasync.describe_execution(event.execution_arn)
    except DataSyncError as error:
        summary.aborted = f"could not describe the execution: {error}"
    else:
        if fan_out is not None and should_fan_out(
            execution.files_transferred, config.fan_out_threshold
        ):
            destination = execution.destination
            _start_fan_out(
                summary,
                fan_out,
                name=execution_name(event.execution_id),
                bucket=destination.bucket,
                prefix=f"{destination.prefix}/" if destination.prefix else "",
                modified_since=(
                    execution.started_at - FALLBACK_CLOCK_SKEW if execution.started_at else None
                ),
                requested_by=event.execution_arn,
                why=(
                    f"DataSync counted {execution.files_transferred} transferred file(s), above "
                    "the fan-out threshold"
                ),
            )
            _finish(summary, publisher, None)
            return summary
        objects = TransferredObjects(event, execution, config, store)
        _tag_all(objects, summary, config=config, store=store)
        summary.source = objects.description
        summary.aborted = objects.error
    _finish(summary, publisher, metrics)
    return summary


def tag_prefix(
    event: DatasetPrefixAssociated,
    *,
    config: TaggerConfig,
    store: TaggingStore,
    publisher: Publisher,
    metrics: MetricSink,
    fan_out: FanOutStarter | None = None,
) -> TaggingSummary:
    """Tag every object under a lab dataset's prefix with the same per-object logic as
    `tag_execution`, publish the summary and metrics, and raise TaggingFailedError afterwards
    if any object failed or the listing broke off.

    When `fan_out` is given and the prefix holds more than `config.fan_out_threshold` objects,
    start the fan-out for the prefix instead of tagging here (the listing stops counting one
    object past the threshold, so at most that many summaries are held).

    The tags the event carries are not written: the taxonomy alone decides an object's tags
    (they are the access control; see docs/architecture.md, "Only the tagger writes object
    tags"), `ObjectTagger` merges derived tags only, and a fan-out batch could not carry them.
    Tags a person set on an object are kept by the merge anyway."""
    summary = TaggingSummary(
        execution_arn="",
        environment=config.environment,
        tag_unclassified=config.tag_unclassified,
        trigger=f"lab dataset {event.dataset_id}",
    )
    ignored = (
        f"; the event's {len(event.tags)} tag(s) were not written (the taxonomy decides tags)"
        if event.tags
        else ""
    )
    listing = PrefixObjects(event, store)
    objects: Iterable[ObjectSummary] = listing
    threshold = config.fan_out_threshold
    if fan_out is not None and threshold is not None:
        counted = list(islice(listing, threshold + 1))
        if listing.error is None and should_fan_out(len(counted), threshold):
            _start_fan_out(
                summary,
                fan_out,
                name=lab_execution_name(event.request_id),
                bucket=event.bucket,
                prefix=event.prefix,
                modified_since=None,
                requested_by=f"lab dataset {event.dataset_id} (request {event.request_id})",
                why=f"{event.s3_uri} holds more than {threshold} object(s), the fan-out threshold",
            )
            summary.source += ignored
            _finish(summary, publisher, None)
            return summary
        objects = counted
    _tag_all(objects, summary, config=config, store=store)
    summary.source = listing.description + ignored
    summary.aborted = listing.error
    _finish(summary, publisher, metrics)
    return summary


def tag_object(
    event: ObjectCreated, *, config: TaggerConfig, store: TaggingStore, metrics: MetricSink
) -> dict[str, object]:
    """Tag the one object an S3 `Object Created` event names, with the same per-object logic
    as `tag_execution`: people's uploads (of any size) get their tags from the platform, not
    from the uploader. No SNS per object; the daily audit reports what stays unclassified.
    Raise TaggingFailedError when S3 failed, so the asynchronous invocation is retried."""
    result = ObjectTagger(config, store)(
        ObjectSummary(bucket=event.bucket, key=event.key, size=event.size)
    )
    summary = TaggingSummary(
        execution_arn="",
        environment=config.environment,
        tag_unclassified=config.tag_unclassified,
        trigger=f"S3 {event.reason or 'Object Created'}",
    )
    summary.record(result)
    _record_metrics(summary, metrics)
    if result.outcome is Outcome.FAILED:
        raise TaggingFailedError(f"s3://{event.bucket}/{event.key}: {result.detail}")
    return {
        "bucket": event.bucket,
        "key": event.key,
        "reason": event.reason,
        "outcome": result.outcome.value,
        "detail": result.detail,
        "wrote": result.wrote,
    }


def _batch_objects(batch: ObjectBatch) -> Iterator[ObjectSummary]:
    for obj in batch.objects:
        if is_folder_marker(obj.key):
            continue
        since = batch.modified_since
        if since and obj.last_modified and obj.last_modified < since:
            continue
        yield obj


def tag_batch(
    batch: ObjectBatch, *, config: TaggerConfig, store: TaggingStore, metrics: MetricSink
) -> dict[str, object]:
    """Tag one Distributed Map batch with the same per-object logic as `tag_execution`; return
    its counts (no SNS: the state machine publishes one summary per run) and raise
    TaggingFailedError afterwards when S3 failed on an object, so the batch is retried."""
    summary = TaggingSummary(
        execution_arn=batch.run or "fan-out",
        environment=config.environment,
        tag_unclassified=config.tag_unclassified,
        source=f"Distributed Map batch of s3://{batch.bucket}",
    )
    _tag_all(_batch_objects(batch), summary, config=config, store=store)
    _record_metrics(summary, metrics)
    if not summary.succeeded:
        raise TaggingFailedError(f"{summary.failed} object(s) failed in this batch")
    return {
        **summary.as_dict(),
        "items": len(batch.objects),
        "skipped": len(batch.objects) - sum(summary.counts.values()),
        "problems": list(summary.problems),
    }
