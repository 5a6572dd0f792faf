"""Benchmark: the tag audit and the object tagger against an in-process S3 stand-in.

Targets (ARCHITECTURE.md §6), each measured within this one run:
- audit ≥ 20× a naive sequential loop under a simulated 20 ms S3 latency;
- audit ≤ 1.01 S3 requests per object;
- audit memory flat in the object count: peak at 100k objects ≈ peak at 10k objects;
- tagger ≤ 2 requests per untagged object and exactly 1 per already-tagged object.

The stand-in generates its objects on the fly (nothing is held per object), answers listing
pages of 1000 keys and one tag set per GetObjectTagging, and sleeps a fixed latency per
request. The naive loop (list a page, read each object's tags, one at a time) is timed on a
sample and extrapolated to the full object count with the same per-request costs: running it
in full would take over 16 minutes. The memory runs use a 0 ms stand-in so they measure the
audit, not sleeping threads.
"""

from __future__ import annotations

import json
import math
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import IO, Any, Final

from contracts import taxonomy
from functions.common.datasync_types import ExecutionInfo, S3Destination
from functions.common.notify import MAX_MESSAGE_BYTES
from functions.common.s3_types import ObjectNotFoundError, ObjectSummary
from functions.object_tagger.config import TaggerConfig
from functions.object_tagger.core import tag_execution
from functions.object_tagger.event import ExecutionStateChange
from functions.tag_audit.config import AuditConfig
from functions.tag_audit.core import run_audit
from functions.tag_audit.event import AuditRequest
from functions.tag_audit.findings import check_tags

__all__ = ["run"]

LATENCY_SECONDS: Final = 0.020
AUDIT_OBJECTS: Final = 50_000
NAIVE_SAMPLE: Final = 500
MEMORY_SMALL: Final = 10_000
MEMORY_LARGE: Final = 100_000
AUDIT_CONCURRENCY: Final = 64
"""MAX_CONCURRENCY used for the audit; the value the program should set for the function."""
TAGGER_OBJECTS: Final = 1_000
"""Objects of each kind (untagged, already tagged) in the tagger run."""
PAGE_SIZE: Final = 1000
UNTAGGED_EVERY: Final = 10
"""Every tenth generated object has no tags, so the audit has findings to report."""

BUCKET: Final = "bench-raw-sequence"
REPORTS: Final = "bench-reports"
GOOD_TAGS: Final = MappingProxyType(
    {
        "project": "p00",
        "data-type": "raw_sequence",
        "data-classification": "restricted",
        "environment": "prod",
    }
)
RAW: Final = taxonomy.category_by_name("raw_sequence")
EXECUTION_ARN: Final = (
    "arn:aws:datasync:ap-south-1:123456789012:task/task-0123456789abcdef0"
    "/execution/exec-0123456789abcdef0"
)


def _key(index: int) -> str:
    return f"projects/p{index % 50:02d}/raw/rs_{index:07d}.fastq.gz"


def _index(key: str) -> int:
    return int(key.rsplit("_", 1)[1].split(".", 1)[0])


class SimulatedLake:
    """A lake of `objects` generated keys in one bucket, with a fixed latency per request."""

    def __init__(self, objects: int, latency: float) -> None:
        self.objects = objects
        self.latency = latency
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _request(self, operation: str) -> None:
        with self._lock:
            self.requests[operation] += 1
        if self.latency:
            time.sleep(self.latency)

    def iter_pages(self, bucket: str, prefix: str = "") -> Iterator[list[ObjectSummary]]:
        """ListObjectsV2 pages of 1000 keys, generated when asked for."""
        count = self.objects if bucket == BUCKET else 0
        for start in range(0, max(count, 1), PAGE_SIZE):
            self._request("ListObjectsV2")
            stop = min(start + PAGE_SIZE, count)
            yield [ObjectSummary(bucket, _key(i)) for i in range(start, stop)]

    def get_tags(self, bucket: str, key: str) -> Mapping[str, str]:
        """The generated tag set: none for every UNTAGGED_EVERY-th object."""
        self._request("GetObjectTagging")
        index = _index(key)
        if index % UNTAGGED_EVERY == 0:
            return {}
        return {**GOOD_TAGS, "project": f"p{index % 50:02d}"}

    def upload(self, bucket: str, key: str, body: IO[bytes], *, content_type: str) -> None:
        """One PutObject (multipart parts are not simulated); the bytes are read and dropped."""
        self._request("PutObject")
        while body.read(1 << 20):
            pass


class TaggingLake:
    """A small lake for the tagger: a task report listing untagged and tagged objects."""

    def __init__(self, untagged: int, tagged: int) -> None:
        self.untagged = [f"projects/p1/raw/rs_u{n:05d}.fastq.gz" for n in range(untagged)]
        self.tagged = [f"projects/p1/raw/rs_t{n:05d}.fastq.gz" for n in range(tagged)]
        derived = {**GOOD_TAGS, "project": "p1"}
        self.tags: dict[str, dict[str, str]] = {key: {} for key in self.untagged}
        self.tags.update({key: dict(derived) for key in self.tagged})
        self.requests: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        entries = [
            {
                "RelativePath": f"/{key}",
                "SrcMetadata": {"Type": "Regular"},
                "TransferStatus": "SUCCESS",
            }
            for key in self.untagged + self.tagged
        ]
        self.report = json.dumps(
            {"TaskExecutionId": "exec-0123456789abcdef0", "Transferred": entries}
        )
        self.report_key = (
            "datasync/Detailed-Reports/task-0123456789abcdef0/exec-0123456789abcdef0/"
            "exec-0123456789abcdef0.files-transferred-v1-00001-0a1b2c3d4e5f6a7b8.json"
        )

    def _request(self, operation: str, key: str) -> None:
        with self._lock:
            self.requests[(operation, key)] += 1

    def iter_pages(self, bucket: str, prefix: str = "") -> Iterator[list[ObjectSummary]]:
        self._request("ListObjectsV2", prefix)
        yield [ObjectSummary(REPORTS, self.report_key)] if bucket == REPORTS else []

    def iter_chunks(self, bucket: str, key: str) -> Iterator[bytes]:
        self._request("GetObject", key)
        data = self.report.encode()
        for start in range(0, len(data), 64 * 1024):
            yield data[start : start + 64 * 1024]

    def get_tags(self, bucket: str, key: str) -> Mapping[str, str]:
        self._request("GetObjectTagging", key)
        try:
            return dict(self.tags[key])
        except KeyError:
            raise ObjectNotFoundError(key) from None

    def put_tags(self, bucket: str, key: str, tags: Mapping[str, str]) -> None:
        self._request("PutObjectTagging", key)
        self.tags[key] = dict(tags)

    def per_object(self, keys: list[str]) -> float:
        """Tag requests (reads and writes) per object over `keys`."""
        operations = ("GetObjectTagging", "PutObjectTagging")
        total = sum(self.requests[(operation, key)] for key in keys for operation in operations)
        return total / len(keys)


class _NullPublisher:
    def __init__(self) -> None:
        self.bytes = 0

    def publish(self, subject: str, message: str) -> str:
        self.bytes = len(message.encode("utf-8"))
        return "bench"


class _NullMetrics:
    def add_metric(self, name: str, unit: str, value: float) -> None:
        return None


def _audit_config() -> AuditConfig:
    return AuditConfig(
        environment="prod",
        bucket_categories=MappingProxyType({BUCKET: RAW}),
        report_bucket=REPORTS,
        report_prefix="tag-audit",
        topic_arn="arn:aws:sns:ap-south-1:123456789012:bench",
        max_concurrency=AUDIT_CONCURRENCY,
        alert_sample_size=50,
    )


def _audit(lake: SimulatedLake) -> tuple[float, int, int]:
    """Seconds, findings and alert bytes of one audit over `lake`."""
    publisher = _NullPublisher()
    started = time.perf_counter()
    summary = run_audit(
        AuditRequest(datetime(2026, 3, 2, 2, 30, tzinfo=UTC)),
        config=_audit_config(),
        store=lake,
        publisher=publisher,
        metrics=_NullMetrics(),
        max_message_bytes=MAX_MESSAGE_BYTES,
    )
    return time.perf_counter() - started, summary.tally.finding_total, publisher.bytes


def _naive_sample(latency: float) -> tuple[float, float]:
    """Seconds for one listing page and per object for the naive loop, from NAIVE_SAMPLE objects."""
    lake = SimulatedLake(AUDIT_OBJECTS, latency)
    started = time.perf_counter()
    pages = lake.iter_pages(BUCKET)
    page = next(pages)
    listed = time.perf_counter()
    findings = 0
    for obj in page[:NAIVE_SAMPLE]:
        if check_tags(obj.bucket, obj.key, lake.get_tags(obj.bucket, obj.key)) is not None:
            findings += 1
    finished = time.perf_counter()
    return listed - started, (finished - listed) / NAIVE_SAMPLE


def _peak_memory(objects: int) -> int:
    """Peak traced bytes while auditing `objects` objects at 0 ms latency."""
    lake = SimulatedLake(objects, 0.0)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        _audit(lake)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _tagger() -> dict[str, float]:
    """Tag requests per untagged and per already-tagged object, and a duplicate run's writes."""
    lake = TaggingLake(TAGGER_OBJECTS, TAGGER_OBJECTS)
    config = TaggerConfig(
        environment="prod",
        bucket_categories=MappingProxyType({BUCKET: RAW}),
        task_report_bucket=REPORTS,
        task_report_prefix="datasync",
        topic_arn="arn:aws:sns:ap-south-1:123456789012:bench",
        tag_unclassified=False,
        max_concurrency=AUDIT_CONCURRENCY,
    )

    class Describer:
        def describe_execution(self, execution_arn: str) -> ExecutionInfo:
            return ExecutionInfo(
                execution_arn,
                execution_arn.split("/execution/")[0],
                "SUCCESS",
                None,
                S3Destination(BUCKET, ""),
                2 * TAGGER_OBJECTS,
            )

    event = ExecutionStateChange(
        event_id="bench",
        execution_arn=EXECUTION_ARN,
        task_arn=EXECUTION_ARN.split("/execution/")[0],
        task_id="task-0123456789abcdef0",
        execution_id="exec-0123456789abcdef0",
        state="SUCCESS",
    )

    def once() -> None:
        tag_execution(
            event,
            config=config,
            datasync=Describer(),
            store=lake,
            publisher=_NullPublisher(),
            metrics=_NullMetrics(),
        )

    once()
    untagged, tagged = lake.per_object(lake.untagged), lake.per_object(lake.tagged)
    writes_before = sum(n for (op, _), n in lake.requests.items() if op == "PutObjectTagging")
    once()
    writes_after = sum(n for (op, _), n in lake.requests.items() if op == "PutObjectTagging")
    return {
        "tagger_requests_per_untagged_object": round(untagged, 3),
        "tagger_requests_per_tagged_object": round(tagged, 3),
        "tagger_duplicate_run_writes": writes_after - writes_before,
    }


def run() -> dict[str, Any]:
    """Every figure of this benchmark, with whether each target is met."""
    lake = SimulatedLake(AUDIT_OBJECTS, LATENCY_SECONDS)
    audit_seconds, findings, alert_bytes = _audit(lake)
    requests_per_object = sum(lake.requests.values()) / AUDIT_OBJECTS
    page_seconds, per_object_seconds = _naive_sample(LATENCY_SECONDS)
    naive_seconds = math.ceil(AUDIT_OBJECTS / PAGE_SIZE) * page_seconds + (
        AUDIT_OBJECTS * per_object_seconds
    )
    speedup = naive_seconds / audit_seconds
    small, large = _peak_memory(MEMORY_SMALL), _peak_memory(MEMORY_LARGE)
    tagger = _tagger()
    return {
        "audit_objects": AUDIT_OBJECTS,
        "audit_latency_ms": LATENCY_SECONDS * 1000,
        "audit_concurrency": AUDIT_CONCURRENCY,
        "audit_seconds": round(audit_seconds, 2),
        "audit_findings": findings,
        "audit_alert_bytes": alert_bytes,
        "naive_sample_objects": NAIVE_SAMPLE,
        "naive_seconds_extrapolated": round(naive_seconds, 1),
        "naive_note": (
            f"naive sequential loop timed on {NAIVE_SAMPLE} objects and extrapolated to "
            f"{AUDIT_OBJECTS} (one listing page per {PAGE_SIZE} objects, one tag read each)"
        ),
        "audit_speedup_vs_naive": round(speedup, 1),
        "audit_requests_per_object": round(requests_per_object, 5),
        "audit_peak_memory_bytes_10k": small,
        "audit_peak_memory_bytes_100k": large,
        "audit_memory_ratio_100k_to_10k": round(large / small, 2),
        **tagger,
        "targets_met": {
            "audit_speedup_at_least_20x": speedup >= 20,
            "audit_requests_per_object_at_most_1_01": requests_per_object <= 1.01,
            "audit_memory_flat_within_1_5x": large / small <= 1.5,
            "tagger_untagged_at_most_2": tagger["tagger_requests_per_untagged_object"] <= 2,
            "tagger_tagged_exactly_1": tagger["tagger_requests_per_tagged_object"] == 1,
        },
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
