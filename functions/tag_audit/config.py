"""The tag audit's settings, parsed once from its environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from functions.common.config import (
    LakeSettings,
    parse_bucket_name,
    parse_lake_settings,
    parse_positive_int,
    parse_prefix,
)

__all__ = ["MAX_SAMPLE_SIZE", "AuditConfig", "load_config"]

MAX_SAMPLE_SIZE: Final = 10_000
"""Upper bound for ALERT_SAMPLE_SIZE; the alert is cut to SNS's 256 KB long before that."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditConfig(LakeSettings):
    """Everything the audit needs besides the schedule event; see `load_config`.

    `fan_out_threshold` counts a bucket's objects.
    """

    report_bucket: str
    report_prefix: str
    alert_sample_size: int


def load_config(env: Mapping[str, str]) -> AuditConfig:
    """Read the shared lake settings (`parse_lake_settings`), REPORT_BUCKET, REPORT_PREFIX and
    ALERT_SAMPLE_SIZE; ConfigError names the first bad one."""
    return AuditConfig(
        **parse_lake_settings(env),
        report_bucket=parse_bucket_name(env, "REPORT_BUCKET"),
        report_prefix=parse_prefix(env, "REPORT_PREFIX"),
        alert_sample_size=parse_positive_int(env, "ALERT_SAMPLE_SIZE", maximum=MAX_SAMPLE_SIZE),
    )
