"""The scheduler's settings, parsed once from its environment at cold start.

A missing DRY_RUN means dry run: an unconfigured scheduler reports what it would do and stops
nothing. ACTION may be left unset when every schedule names its action in the event. TIME_ZONE
and TESTING_HOURS_END have no default: without them the function cannot tell whether a stop
would interrupt testing, so it refuses to start rather than guess.
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contracts import taxonomy
from functions.common.config import ConfigError, parse_bool, parse_topic_arn, require
from functions.ec2_scheduler.testing_hours import TestingHours

__all__ = ["DEFAULTS", "Action", "SchedulerConfig", "load_config"]

DEFAULTS: Final = MappingProxyType(
    {
        "DRY_RUN": "true",
        "OPT_IN_TAG_KEY": "schedule:test-hours",
        "KEEP_RUNNING_TAG_KEY": "schedule:keep-running",
        "TESTING_HOURS_START": "",
    }
)
_HH_MM: Final = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class Action(StrEnum):
    """What a run does: `stop` at the end of testing hours, `start` at their beginning."""

    STOP = "stop"
    START = "start"


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    """Everything the scheduler needs besides the schedule event; see `load_config`."""

    action: Action | None
    """The default action; the event's `action` wins over it."""
    opt_in_tag_key: str
    keep_running_tag_key: str
    dry_run: bool
    topic_arn: str
    testing_hours: TestingHours
    """When a `stop` is refused unless the event forces it."""


def _tag_key(env: Mapping[str, str], name: str) -> str:
    key = require(env, name)
    problems = taxonomy.validate_tag_set({key: "true"})
    if problems:
        raise ConfigError(name, "; ".join(str(problem) for problem in problems))
    return key


def parse_action(value: str, *, variable: str) -> Action:
    """`stop` or `start` (any case); ConfigError names `variable` otherwise."""
    try:
        return Action(value.strip().lower())
    except ValueError:
        raise ConfigError(variable, f"must be 'stop' or 'start', got {value!r}") from None


def _clock_time(value: str, variable: str) -> time:
    match = _HH_MM.fullmatch(value.strip())
    if match is None:
        raise ConfigError(variable, f"must be a 24-hour time HH:MM such as 19:00, got {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def _testing_hours(env: Mapping[str, str]) -> TestingHours:
    zone_name = require(env, "TIME_ZONE")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("TIME_ZONE", f"is not a known IANA time zone: {zone_name!r}") from None
    end = _clock_time(require(env, "TESTING_HOURS_END"), "TESTING_HOURS_END")
    raw_start = env.get("TESTING_HOURS_START", "").strip()
    start = _clock_time(raw_start, "TESTING_HOURS_START") if raw_start else time(0, 0)
    if start >= end:
        raise ConfigError(
            "TESTING_HOURS_START",
            f"{start:%H:%M} must be before TESTING_HOURS_END {end:%H:%M} (same day)",
        )
    return TestingHours(zone=zone, start=start, end=end)


def load_config(env: Mapping[str, str]) -> SchedulerConfig:
    """Read ACTION, OPT_IN_TAG_KEY, KEEP_RUNNING_TAG_KEY, DRY_RUN, TOPIC_ARN, TIME_ZONE,
    TESTING_HOURS_START and TESTING_HOURS_END."""
    settings = ChainMap(dict(env), dict(DEFAULTS))
    raw_action = settings.get("ACTION", "").strip()
    config = SchedulerConfig(
        action=parse_action(raw_action, variable="ACTION") if raw_action else None,
        opt_in_tag_key=_tag_key(settings, "OPT_IN_TAG_KEY"),
        keep_running_tag_key=_tag_key(settings, "KEEP_RUNNING_TAG_KEY"),
        dry_run=parse_bool(settings, "DRY_RUN"),
        topic_arn=parse_topic_arn(settings, "TOPIC_ARN"),
        testing_hours=_testing_hours(settings),
    )
    if config.opt_in_tag_key == config.keep_running_tag_key:
        raise ConfigError(
            "KEEP_RUNNING_TAG_KEY", "must differ from OPT_IN_TAG_KEY, or no instance could stop"
        )
    return config
