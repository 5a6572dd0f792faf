"""The one error every function raises for an event it cannot use, naming the field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from functions.common.ports import COUNT, ErrorLog, MetricSink

__all__ = ["MalformedEventError", "parse_or_count", "require_mapping", "require_string"]

E = TypeVar("E")
T = TypeVar("T")


class MalformedEventError(ValueError):
    """The event lacks a field or has one of the wrong shape; the message says which and why."""

    def __init__(self, field: str, expected: str, got: object = None) -> None:
        detail = "" if got is None else f", got {_describe(got)}"
        super().__init__(f"malformed event: field {field!r} must be {expected}{detail}")
        self.field = field


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def require_mapping(value: object, field: str) -> Mapping[str, object]:
    """`value` as a JSON object, or MalformedEventError naming `field`."""
    if not isinstance(value, Mapping):
        raise MalformedEventError(field, "a JSON object", value)
    return value


def require_string(container: Mapping[str, object], key: str, *, path: str = "") -> str:
    """The non-empty string at `container[key]`; the error names the full field path."""
    field = f"{path}.{key}" if path else key
    value = container.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedEventError(field, "a non-empty string", value)
    return value


def parse_or_count(
    parse: Callable[[E], T],
    event: E,
    metrics: MetricSink,
    log: ErrorLog,
    message: str,
    *,
    log_event: bool = True,
) -> T:
    """`parse(event)`; a MalformedEventError is counted, logged and raised again.

    The `MalformedEvents` metric goes up by one and `message` is logged with the traceback and,
    unless `log_event` is False, the event itself; the handler then fails as before, so Lambda's
    retry and dead-letter handling see the error.
    """
    try:
        return parse(event)
    except MalformedEventError:
        metrics.add_metric(name="MalformedEvents", unit=COUNT, value=1)
        log.exception(message, extra={"event": event} if log_event else None)
        raise
