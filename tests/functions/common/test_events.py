"""MalformedEventError names the field and what was expected; handlers count and log it."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from functions.common.events import (
    MalformedEventError,
    parse_or_count,
    require_mapping,
    require_string,
)
from tests.functions.common.fakes import FakeMetrics


class RecordingLog:
    """Records `exception` calls as (message, extra)."""

    def __init__(self) -> None:
        self.records: list[tuple[object, Mapping[str, object] | None]] = []

    def exception(
        self, msg: object, *args: object, extra: Mapping[str, object] | None = None
    ) -> None:
        self.records.append((msg, extra))


def parse_name(event: Mapping[str, object]) -> str:
    return require_string(event, "name")


def test_non_object_event_names_the_event() -> None:
    """A list where an object is expected is refused naming the field."""
    with pytest.raises(MalformedEventError, match="'event' must be a JSON object") as caught:
        require_mapping([], "event")
    assert caught.value.field == "event"


def test_nested_field_path_is_named() -> None:
    """A missing nested string names its full path."""
    with pytest.raises(MalformedEventError, match=r"'detail\.State' must be a non-empty string"):
        require_string({}, "State", path="detail")


def test_long_values_are_abbreviated() -> None:
    """The offending value is quoted but cut, so a huge event cannot flood the log line."""
    with pytest.raises(MalformedEventError) as caught:
        require_mapping("y" * 1000, "event")
    assert len(str(caught.value)) < 200


def test_parse_or_count_returns_the_parsed_value() -> None:
    """A good event comes back parsed, with nothing counted or logged."""
    metrics, log = FakeMetrics(), RecordingLog()
    assert parse_or_count(parse_name, {"name": "x"}, metrics, log, "bad") == "x"
    assert (metrics.values, log.records) == ({}, [])


def test_parse_or_count_counts_and_reraises() -> None:
    """A malformed event adds one MalformedEvents and the same error propagates."""
    metrics = FakeMetrics()
    with pytest.raises(MalformedEventError, match="'name'"):
        parse_or_count(parse_name, {}, metrics, RecordingLog(), "bad")
    assert metrics.values == {"MalformedEvents": 1}


def test_parse_or_count_logs_the_event_by_default() -> None:
    """The log line carries the message and the event under `event`."""
    log = RecordingLog()
    with pytest.raises(MalformedEventError):
        parse_or_count(parse_name, {"other": 1}, FakeMetrics(), log, "event is malformed")
    assert log.records == [("event is malformed", {"event": {"other": 1}})]


def test_parse_or_count_can_leave_the_event_out() -> None:
    """With log_event=False the message is logged without the event."""
    log = RecordingLog()
    with pytest.raises(MalformedEventError):
        parse_or_count(parse_name, {}, FakeMetrics(), log, "not a batch", log_event=False)
    assert log.records == [("not a batch", None)]


def test_parse_or_count_lets_other_errors_through_uncounted() -> None:
    """Only MalformedEventError is counted; another error propagates untouched."""

    def broken(event: object) -> str:
        raise KeyError("bug")

    metrics, log = FakeMetrics(), RecordingLog()
    with pytest.raises(KeyError):
        parse_or_count(broken, {}, metrics, log, "bad")
    assert (metrics.values, log.records) == ({}, [])
