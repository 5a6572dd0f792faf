"""The schedule event that starts the audit, as a typed model.

An EventBridge rule schedule delivers `{"source": "aws.events", "detail-type": "Scheduled
Event", "time": "2026-01-01T20:00:00Z", ...}`; EventBridge Scheduler delivers the input the
schedule defines (e.g. `{"time": "<aws.scheduler.scheduled-time>"}`) or `{}`. Only `time` is
used: it names the report, so a retried or duplicated event overwrites the same report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from functions.common.events import MalformedEventError, require_mapping

__all__ = ["AuditRequest", "parse_event"]


@dataclass(frozen=True, slots=True)
class AuditRequest:
    """One audit run."""

    run_at: datetime
    """When the schedule fired (UTC); the invocation time when the event does not say."""


def parse_event(event: object, *, now: datetime) -> AuditRequest:
    """The typed request; MalformedEventError names `time` when it is not an ISO 8601 time."""
    body = require_mapping(event, "event")
    raw = body.get("time")
    if raw is None:
        return AuditRequest(run_at=now.astimezone(UTC))
    if not isinstance(raw, str):
        raise MalformedEventError("time", "an ISO 8601 date-time string", raw)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise MalformedEventError(
            "time", "an ISO 8601 date-time such as 2026-01-01T20:00:00Z", raw
        ) from None
    if parsed.tzinfo is None:
        raise MalformedEventError("time", "a date-time with a time zone (e.g. a trailing Z)", raw)
    return AuditRequest(run_at=parsed.astimezone(UTC))
