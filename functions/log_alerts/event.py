"""The CloudWatch Logs subscription event, decoded into a typed batch.

CloudWatch Logs delivers matching log events to a subscribed Lambda as base64 of gzip of JSON:

    {"awslogs": {"data": "H4sIAAAA…"}}

and the JSON inside is

    {"messageType": "DATA_MESSAGE", "owner": "111122223333",
     "logGroup": "/aws/containerinsights/gen-prod/application",
     "logStream": "…", "subscriptionFilters": ["gen-prod-oomkilled"],
     "logEvents": [{"id": "…", "timestamp": 1767225600000, "message": "…"}]}

A `CONTROL_MESSAGE` (sent once when the subscription is created, to check the destination) has
no events worth reporting and parses to an empty batch.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from dataclasses import dataclass
from typing import Final

from functions.common.events import MalformedEventError, require_mapping, require_string

__all__ = ["LogEvent", "LogsBatch", "parse_event"]

_DATA_MESSAGE: Final = "DATA_MESSAGE"
_CONTROL_MESSAGE: Final = "CONTROL_MESSAGE"
_MAX_DECOMPRESSED_BYTES: Final = 16 * 1024 * 1024
"""A subscription delivery is at most 1 MB compressed; this bounds a hostile gzip bomb."""


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One matching log line as CloudWatch Logs delivered it."""

    event_id: str
    timestamp_ms: int
    message: str


@dataclass(frozen=True, slots=True)
class LogsBatch:
    """The log events of one delivery, all from one log group and one log stream."""

    log_group: str
    log_stream: str
    subscription_filters: tuple[str, ...]
    events: tuple[LogEvent, ...]


def _decompress(data: str) -> bytes:
    try:
        compressed = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedEventError("awslogs.data", "base64 text", data) from None
    try:
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        raw = decompressor.decompress(compressed, _MAX_DECOMPRESSED_BYTES)
    except (zlib.error, gzip.BadGzipFile):
        raise MalformedEventError("awslogs.data", "base64 of gzip data") from None
    if decompressor.unconsumed_tail:
        raise MalformedEventError(
            "awslogs.data", f"at most {_MAX_DECOMPRESSED_BYTES} bytes once decompressed"
        )
    return raw


def _parse_log_event(value: object, index: int) -> LogEvent:
    field = f"logEvents[{index}]"
    item = require_mapping(value, field)
    message = item.get("message")
    if not isinstance(message, str):
        raise MalformedEventError(f"{field}.message", "a string", message)
    timestamp = item.get("timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        raise MalformedEventError(f"{field}.timestamp", "epoch milliseconds", timestamp)
    return LogEvent(event_id=str(item.get("id", "")), timestamp_ms=timestamp, message=message)


def parse_event(event: object) -> LogsBatch:
    """The decoded batch; MalformedEventError names the first field that is missing or wrong."""
    body = require_mapping(event, "event")
    awslogs = require_mapping(body.get("awslogs"), "awslogs")
    raw = _decompress(require_string(awslogs, "data", path="awslogs"))
    try:
        decoded = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise MalformedEventError("awslogs.data", "gzip of a JSON document") from None
    document = require_mapping(decoded, "awslogs.data")
    message_type = document.get("messageType")
    if message_type not in (_DATA_MESSAGE, _CONTROL_MESSAGE):
        raise MalformedEventError("messageType", "DATA_MESSAGE or CONTROL_MESSAGE", message_type)
    if message_type == _CONTROL_MESSAGE:
        return LogsBatch(
            log_group=str(document.get("logGroup", "")),
            log_stream=str(document.get("logStream", "")),
            subscription_filters=(),
            events=(),
        )
    events = document.get("logEvents")
    if not isinstance(events, list):
        raise MalformedEventError("logEvents", "a list of log events", events)
    filters = document.get("subscriptionFilters", [])
    return LogsBatch(
        log_group=require_string(document, "logGroup"),
        log_stream=require_string(document, "logStream"),
        subscription_filters=tuple(str(f) for f in filters) if isinstance(filters, list) else (),
        events=tuple(_parse_log_event(item, index) for index, item in enumerate(events)),
    )
