"""The object tagger's settings, parsed once from its environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from functions.common.config import (
    LakeSettings,
    parse_bool,
    parse_bucket_name,
    parse_lake_settings,
    parse_prefix,
)

__all__ = ["TaggerConfig", "load_config"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TaggerConfig(LakeSettings):
    """Everything the tagger needs besides the event; see `load_config` for the variables.

    `fan_out_threshold` counts the execution's transferred files.
    """

    task_report_bucket: str
    task_report_prefix: str
    tag_unclassified: bool


def load_config(env: Mapping[str, str]) -> TaggerConfig:
    """Read the shared lake settings (`parse_lake_settings`), TASK_REPORT_BUCKET,
    TASK_REPORT_PREFIX and TAG_UNCLASSIFIED; ConfigError names the first bad one."""
    return TaggerConfig(
        **parse_lake_settings(env),
        task_report_bucket=parse_bucket_name(env, "TASK_REPORT_BUCKET"),
        task_report_prefix=parse_prefix(env, "TASK_REPORT_PREFIX"),
        tag_unclassified=parse_bool(env, "TAG_UNCLASSIFIED"),
    )
