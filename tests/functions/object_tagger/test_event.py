"""Parsing the DataSync state-change event into its typed model."""

from __future__ import annotations

import pytest

from functions.common.events import MalformedEventError
from functions.object_tagger.event import parse_event
from tests.functions.object_tagger.support import (
    EXEC_ID,
    EXECUTION_ARN,
    TASK_ARN,
    TASK_ID,
    state_change_event,
)


def test_real_shaped_event_parses() -> None:
    """The execution ARN, its task and ids, and the state are read from the event."""
    change = parse_event(state_change_event())
    assert change.execution_arn == EXECUTION_ARN
    assert change.task_arn == TASK_ARN
    assert (change.task_id, change.execution_id) == (TASK_ID, EXEC_ID)
    assert change.succeeded


def test_other_states_parse_but_do_not_succeed() -> None:
    """An ERROR state is a valid event the tagger ignores."""
    assert not parse_event(state_change_event("ERROR")).succeeded


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": "aws.s3"}, "source"),
        ({"detail-type": "Object Created"}, "detail-type"),
        ({"detail": "SUCCESS"}, "detail"),
        ({"detail": {}}, "detail.State"),
        ({"resources": "arn"}, "resources"),
        ({"resources": []}, "resources"),
        ({"resources": [TASK_ARN]}, "resources"),
    ],
)
def test_malformed_event_names_the_field(change: dict[str, object], field: str) -> None:
    """Each way the event can be wrong raises MalformedEventError naming that field."""
    with pytest.raises(MalformedEventError) as caught:
        parse_event({**state_change_event(), **change})
    assert caught.value.field == field


def test_non_object_event_is_refused() -> None:
    """A list is not an EventBridge event."""
    with pytest.raises(MalformedEventError, match="'event'"):
        parse_event([state_change_event()])
