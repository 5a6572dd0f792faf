"""The scheduler's settings, parsed once from its environment at cold start.

A missing DRY_RUN means dry run: an unconfigured scheduler reports what it would do and stops
nothing. ACTION may be left unset when every schedule names its action in the event.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import taxonomy
from functions.common.config import ConfigError, parse_bool, parse_topic_arn, require

__all__ = ["DEFAULTS", "Action", "SchedulerConfig", "load_config"]

DEFAULTS: Final = MappingProxyType(
    {
        "DRY_RUN": "true",
        "OPT_IN_TAG_KEY": "schedule:test-hours",
        "KEEP_RUNNING_TAG_KEY": "schedule:keep-running",
    }
)


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


def load_config(env: Mapping[str, str]) -> SchedulerConfig:
    """Read ACTION, OPT_IN_TAG_KEY, KEEP_RUNNING_TAG_KEY, DRY_RUN and TOPIC_ARN."""
    settings = ChainMap(dict(env), dict(DEFAULTS))
    raw_action = settings.get("ACTION", "").strip()
    config = SchedulerConfig(
        action=parse_action(raw_action, variable="ACTION") if raw_action else None,
        opt_in_tag_key=_tag_key(settings, "OPT_IN_TAG_KEY"),
        keep_running_tag_key=_tag_key(settings, "KEEP_RUNNING_TAG_KEY"),
        dry_run=parse_bool(settings, "DRY_RUN"),
        topic_arn=parse_topic_arn(settings, "TOPIC_ARN"),
    )
    if config.opt_in_tag_key == config.keep_running_tag_key:
        raise ConfigError(
            "KEEP_RUNNING_TAG_KEY", "must differ from OPT_IN_TAG_KEY, or no instance could stop"
        )
    return config
