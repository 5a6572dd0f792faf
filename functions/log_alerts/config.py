"""The log forwarder's settings, parsed once from its environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from functions.common.config import parse_positive_int, parse_topic_arn, require

__all__ = ["MAX_DEDUPE_WINDOW_SECONDS", "MAX_LINES_PER_POD_LIMIT", "LogAlertsConfig", "load_config"]

MAX_DEDUPE_WINDOW_SECONDS: Final = 24 * 3600
"""A longer window would hide a problem that came back the next day."""
MAX_LINES_PER_POD_LIMIT: Final = 50


@dataclass(frozen=True, slots=True)
class LogAlertsConfig:
    """Everything the forwarder needs besides the event; see `load_config` for the variables."""

    topic_arn: str
    region: str
    dedupe_window_seconds: int
    max_lines_per_pod: int


def load_config(env: Mapping[str, str]) -> LogAlertsConfig:
    """Read TOPIC_ARN, AWS_REGION (set by Lambda), DEDUPE_WINDOW_SECONDS and MAX_LINES_PER_POD;
    ConfigError names the first bad one."""
    return LogAlertsConfig(
        topic_arn=parse_topic_arn(env, "TOPIC_ARN"),
        region=require(env, "AWS_REGION"),
        dedupe_window_seconds=parse_positive_int(
            env, "DEDUPE_WINDOW_SECONDS", maximum=MAX_DEDUPE_WINDOW_SECONDS
        ),
        max_lines_per_pod=parse_positive_int(
            env, "MAX_LINES_PER_POD", maximum=MAX_LINES_PER_POD_LIMIT
        ),
    )
