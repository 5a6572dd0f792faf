"""The transfer starter's settings, parsed once from its environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from functions.common.config import ConfigError, parse_json, parse_topic_arn
from functions.common.datasync_types import TASK_ARN_PATTERN

__all__ = ["StartTransferConfig", "load_config"]


@dataclass(frozen=True, slots=True)
class StartTransferConfig:
    """The DataSync tasks to start and the topic to report to."""

    task_arns: tuple[str, ...]
    topic_arn: str


def load_config(env: Mapping[str, str]) -> StartTransferConfig:
    """Read TASK_ARNS (a JSON list of DataSync task ARNs) and TOPIC_ARN."""
    decoded = parse_json(env, "TASK_ARNS")
    if not isinstance(decoded, list) or not decoded:
        raise ConfigError("TASK_ARNS", "must be a non-empty JSON list of DataSync task ARNs")
    arns: list[str] = []
    for arn in decoded:
        if not isinstance(arn, str) or not TASK_ARN_PATTERN.fullmatch(arn):
            raise ConfigError(
                "TASK_ARNS",
                f"{arn!r} is not a DataSync task ARN "
                "(arn:aws:datasync:<region>:<account>:task/task-…)",
            )
        if arn in arns:
            raise ConfigError("TASK_ARNS", f"{arn} is listed twice")
        arns.append(arn)
    return StartTransferConfig(task_arns=tuple(arns), topic_arn=parse_topic_arn(env, "TOPIC_ARN"))
