"""MalformedEventError names the field and what was expected."""

from __future__ import annotations

import pytest

from functions.common.events import MalformedEventError, require_mapping, require_string


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
