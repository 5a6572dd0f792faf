"""The scheduler's environment and schedule events."""

from __future__ import annotations

import pytest

from functions.common.config import ConfigError
from functions.common.events import MalformedEventError
from functions.ec2_scheduler.config import Action, load_config
from functions.ec2_scheduler.event import ScheduleRequest, parse_event

ENV = {
    "TOPIC_ARN": "arn:aws:sns:ap-south-1:123456789012:ops",
    "TIME_ZONE": "Asia/Kolkata",
    "TESTING_HOURS_END": "19:00",
}


def test_defaults() -> None:
    """Unset variables mean dry run, the platform's tag keys and no default action."""
    config = load_config(ENV)
    assert config.dry_run is True
    assert config.action is None
    assert (config.opt_in_tag_key, config.keep_running_tag_key) == (
        "schedule:test-hours",
        "schedule:keep-running",
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ACTION", "pause"),
        ("DRY_RUN", "1"),
        ("OPT_IN_TAG_KEY", "aws:schedule"),
        ("KEEP_RUNNING_TAG_KEY", "schedule:test-hours"),
        ("TOPIC_ARN", "arn:aws:sqs:ap-south-1:123456789012:q"),
        ("TIME_ZONE", "India/Pune"),
        ("TIME_ZONE", ""),
        ("TESTING_HOURS_END", "7pm"),
        ("TESTING_HOURS_END", ""),
        ("TESTING_HOURS_START", "19:30"),
    ],
)
def test_bad_variable_is_named(variable: str, value: str) -> None:
    """A malformed variable fails naming itself."""
    with pytest.raises(ConfigError) as caught:
        load_config({**ENV, variable: value})
    assert caught.value.variable == variable


def test_event_action_wins_over_the_setting() -> None:
    """`{"action": "start"}` starts even when ACTION is stop."""
    assert parse_event({"action": "start"}, default_action=Action.STOP) == ScheduleRequest(
        Action.START
    )


def test_setting_is_used_when_the_event_has_no_action() -> None:
    """A bare scheduled event falls back on ACTION."""
    assert parse_event({"source": "aws.events"}, default_action=Action.STOP).action is Action.STOP


def test_no_action_anywhere_names_the_field() -> None:
    """Without ACTION and without `action`, the error names the event field and the setting."""
    with pytest.raises(MalformedEventError, match=r"action.*ACTION"):
        parse_event({}, default_action=None)


@pytest.mark.parametrize(
    "event", [{"action": "reboot"}, {"action": 1}, {"action": "stop", "dryRun": False}, "stop"]
)
def test_malformed_events_are_refused(event: object) -> None:
    """Unknown actions, a dry-run switch-off or a non-object event are refused by name."""
    with pytest.raises(MalformedEventError):
        parse_event(event, default_action=Action.STOP)


def test_force_must_be_a_boolean() -> None:
    """`force` is the JSON boolean: a string "true" is refused naming the field."""
    assert parse_event({"action": "stop", "force": True}, default_action=None).force is True
    assert parse_event({"action": "stop"}, default_action=None).force is False
    with pytest.raises(MalformedEventError, match="force"):
        parse_event({"action": "stop", "force": "true"}, default_action=None)
