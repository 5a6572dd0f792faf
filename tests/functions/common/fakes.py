"""In-memory stand-ins for the cores' ports, with request counting and failure injection.

They are fakes, not mocks: they behave like the real service for what the cores use, so a core
test asserts on outcomes (tags present, requests made) rather than on call sequences.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

from contracts.taxonomy import MAX_OBJECT_TAGS
from functions.common.s3_types import (
    BucketNotFoundError,
    ObjectNotFoundError,
    ObjectSummary,
    S3Error,
)

__all__ = ["FakeMetrics", "FakePublisher", "InMemoryS3", "StoredObject"]

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class StoredObject:
    body: bytes = b""
    tags: dict[str, str] = field(default_factory=dict)
    last_modified: datetime = EPOCH


class InMemoryS3:
    """Buckets of objects with tags; counts every request by operation name."""

    def __init__(self, *, page_size: int = 1000, chunk_size: int = 64) -> None:
        self.buckets: dict[str, dict[str, StoredObject]] = {}
        self.requests: Counter[str] = Counter()
        self.requests_by_key: Counter[tuple[str, str]] = Counter()
        self.failures: dict[tuple[str, str], S3Error] = {}
        """(operation, key) -> error to raise instead of answering."""
        self.uploads: dict[tuple[str, str], bytes] = {}
        self.page_size = page_size
        self.chunk_size = chunk_size
        self._lock = threading.Lock()

    def add(
        self,
        bucket: str,
        key: str,
        *,
        body: bytes = b"",
        tags: Mapping[str, str] | None = None,
        last_modified: datetime = EPOCH,
    ) -> None:
        self.buckets.setdefault(bucket, {})[key] = StoredObject(
            body=body, tags=dict(tags or {}), last_modified=last_modified
        )

    def tags_of(self, bucket: str, key: str) -> dict[str, str]:
        return dict(self.buckets[bucket][key].tags)

    def _count(self, operation: str, key: str) -> None:
        with self._lock:
            self.requests[operation] += 1
            self.requests_by_key[(operation, key)] += 1
        failure = self.failures.get((operation, key))
        if failure is not None:
            raise failure

    def _object(self, bucket: str, key: str) -> StoredObject:
        if bucket not in self.buckets:
            raise BucketNotFoundError(f"no bucket {bucket}", code="NoSuchBucket")
        try:
            return self.buckets[bucket][key]
        except KeyError:
            raise ObjectNotFoundError(f"no key {key}", code="NoSuchKey") from None

    def iter_pages(self, bucket: str, prefix: str = "") -> Iterator[list[ObjectSummary]]:
        if bucket not in self.buckets:
            self._count("ListObjectsV2", prefix)
            raise BucketNotFoundError(f"no bucket {bucket}", code="NoSuchBucket")
        keys = sorted(k for k in self.buckets[bucket] if k.startswith(prefix))
        for start in range(0, max(len(keys), 1), self.page_size):
            self._count("ListObjectsV2", prefix)
            yield [
                ObjectSummary(bucket, key, self.buckets[bucket][key].last_modified)
                for key in keys[start : start + self.page_size]
            ]

    def get_tags(self, bucket: str, key: str) -> dict[str, str]:
        self._count("GetObjectTagging", key)
        return dict(self._object(bucket, key).tags)

    def put_tags(self, bucket: str, key: str, tags: Mapping[str, str]) -> None:
        self._count("PutObjectTagging", key)
        stored = self._object(bucket, key)
        if len(tags) > MAX_OBJECT_TAGS:
            raise S3Error("Object tags cannot be greater than 10", code="BadRequest")
        stored.tags = dict(tags)

    def iter_chunks(self, bucket: str, key: str) -> Iterator[bytes]:
        self._count("GetObject", key)
        body = self._object(bucket, key).body
        for start in range(0, len(body), self.chunk_size):
            yield body[start : start + self.chunk_size]

    def upload(self, bucket: str, key: str, body: IO[bytes], *, content_type: str) -> None:
        self._count("PutObject", key)
        if bucket not in self.buckets:
            raise BucketNotFoundError(f"no bucket {bucket}", code="NoSuchBucket")
        data = body.read()
        self.uploads[(bucket, key)] = data
        self.buckets[bucket][key] = StoredObject(body=data)


class FakePublisher:
    """Records what would have gone to SNS."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def publish(self, subject: str, message: str) -> str:
        self.messages.append((subject, message))
        return f"message-{len(self.messages)}"


class FakeMetrics:
    """Records metrics as Powertools would receive them."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}

    def add_metric(self, name: str, unit: str, value: float) -> None:
        assert unit == "Count"
        self.values[name] = self.values.get(name, 0) + value
