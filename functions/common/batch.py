"""A Distributed Map batch event (the fan-out's child workflow input), as a typed model.

The fan-out state machine (components/transfer/fanout.py) invokes the tagger (mode "tag") and
the tag audit (mode "audit") with

    {"Items": [{"Key": "projects/p1/raw/a.fastq.gz", "Size": 12, "LastModified": ...}, ...],
     "BatchInput": {"bucket": "gen-prod-raw-sequence", "mode": "tag", "environment": "prod",
                    "modifiedSince": "2026-01-01T20:00:00+00:00" | "", "run": "tag-exec-…"}}

`LastModified` comes from ListObjectsV2 through Step Functions: epoch seconds or ISO 8601.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from functions.common.events import MalformedEventError, require_mapping, require_string
from functions.common.s3_types import ObjectSummary

__all__ = ["ObjectBatch", "is_batch_event", "parse_batch_event"]


@dataclass(frozen=True, slots=True)
class ObjectBatch:
    """One batch of listed objects of one bucket."""

    bucket: str
    mode: str
    run: str
    """Name of the fan-out execution the batch belongs to."""
    modified_since: datetime | None
    """Objects last modified before this are skipped; None keeps every object."""
    objects: tuple[ObjectSummary, ...]


def is_batch_event(event: object) -> bool:
    """Whether `event` is a Distributed Map batch rather than the function's usual event."""
    return isinstance(event, Mapping) and ("Items" in event or "BatchInput" in event)


def _time(value: object, field: str, *, empty_ok: bool) -> datetime | None:
    if empty_ok and value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    raise MalformedEventError(
        field, "epoch seconds or an ISO 8601 date-time with a time zone", value
    )


def parse_batch_event(event: object, *, mode: str, buckets: Collection[str]) -> ObjectBatch:
    """The typed batch; MalformedEventError names the first field that is missing or wrong,
    including a `BatchInput.mode` other than `mode` or a bucket outside `buckets`."""
    body = require_mapping(event, "event")
    batch_input = require_mapping(body.get("BatchInput"), "BatchInput")
    if batch_input.get("mode") != mode:
        raise MalformedEventError("BatchInput.mode", repr(mode), batch_input.get("mode"))
    bucket = require_string(batch_input, "bucket", path="BatchInput")
    if bucket not in buckets:
        raise MalformedEventError(
            "BatchInput.bucket", f"one of the configured buckets {sorted(buckets)}", bucket
        )
    run = batch_input.get("run", "")
    if not isinstance(run, str):
        raise MalformedEventError("BatchInput.run", "a string", run)
    since = _time(batch_input.get("modifiedSince"), "BatchInput.modifiedSince", empty_ok=True)
    items = body.get("Items")
    if not isinstance(items, list):
        raise MalformedEventError("Items", "a list of {Key, Size, LastModified} objects", items)
    objects: list[ObjectSummary] = []
    for index, raw in enumerate(items):
        item = require_mapping(raw, f"Items[{index}]")
        key = require_string(item, "Key", path=f"Items[{index}]")
        size = item.get("Size", 0)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise MalformedEventError(f"Items[{index}].Size", "a byte count (integer >= 0)", size)
        modified = _time(item.get("LastModified"), f"Items[{index}].LastModified", empty_ok=True)
        objects.append(ObjectSummary(bucket=bucket, key=key, last_modified=modified, size=size))
    return ObjectBatch(bucket, mode, run, since, tuple(objects))
