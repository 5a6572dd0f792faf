"""The starter's environment and schedule event."""

from __future__ import annotations

import json

import pytest

from functions.common.config import ConfigError
from functions.common.events import MalformedEventError
from functions.start_transfer.config import load_config
from functions.start_transfer.event import parse_event

TASK_A = "arn:aws:datasync:ap-south-1:123456789012:task/task-0123456789abcdef0"
TASK_B = "arn:aws:datasync:ap-south-1:123456789012:task/task-0123456789abcdef1"
TOPIC = "arn:aws:sns:ap-south-1:123456789012:transfer-alerts"


def test_complete_environment_parses() -> None:
    """TASK_ARNS keeps its order; TOPIC_ARN is read."""
    config = load_config({"TASK_ARNS": json.dumps([TASK_B, TASK_A]), "TOPIC_ARN": TOPIC})
    assert config.task_arns == (TASK_B, TASK_A)
    assert config.topic_arn == TOPIC


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("[]", "non-empty JSON list"),
        ('{"a": 1}', "non-empty JSON list"),
        ('["task-0123456789abcdef0"]', "not a DataSync task ARN"),
        (json.dumps([TASK_A, TASK_A]), "listed twice"),
        ("[", "not valid JSON"),
    ],
)
def test_bad_task_arns_are_named(raw: str, message: str) -> None:
    """Each way TASK_ARNS can be wrong names the variable and the problem."""
    with pytest.raises(ConfigError, match="TASK_ARNS") as caught:
        load_config({"TASK_ARNS": raw, "TOPIC_ARN": TOPIC})
    assert message in str(caught.value)


def test_event_without_selection_starts_every_task() -> None:
    """Scheduler's plain input runs every configured task."""
    assert parse_event({}, configured=(TASK_A, TASK_B)).task_arns == (TASK_A, TASK_B)


def test_event_may_narrow_the_tasks() -> None:
    """`taskArns` selects configured tasks, kept in configuration order."""
    request = parse_event({"taskArns": [TASK_B]}, configured=(TASK_A, TASK_B))
    assert request.task_arns == (TASK_B,)


@pytest.mark.parametrize(
    "selection",
    [[], "all", [TASK_A.replace("ef0", "ef9")], [42]],
)
def test_bad_selection_names_task_arns(selection: object) -> None:
    """An empty, non-list or unconfigured selection is refused naming `taskArns`."""
    with pytest.raises(MalformedEventError) as caught:
        parse_event({"taskArns": selection}, configured=(TASK_A, TASK_B))
    assert caught.value.field == "taskArns"


def test_non_object_event_is_refused() -> None:
    """The event must be a JSON object."""
    with pytest.raises(MalformedEventError, match="'event'"):
        parse_event(None, configured=(TASK_A,))
