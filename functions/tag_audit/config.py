"""The tag audit's settings, parsed once from its environment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from functions.common.config import (
    ConfigError,
    parse_bucket_categories,
    parse_bucket_name,
    parse_environment,
    parse_positive_int,
    parse_prefix,
    parse_topic_arn,
)
from taxonomy import DataCategory

__all__ = [
    "MAX_CONCURRENCY_LIMIT",
    "MAX_FAN_OUT_THRESHOLD",
    "MAX_SAMPLE_SIZE",
    "AuditConfig",
    "load_config",
    "parse_fan_out",
]

MAX_CONCURRENCY_LIMIT: Final = 256
"""Upper bound for MAX_CONCURRENCY: beyond it threads cost more than S3 latency saves."""
MAX_SAMPLE_SIZE: Final = 10_000
"""Upper bound for ALERT_SAMPLE_SIZE; the alert is cut to SNS's 256 KB long before that."""
MAX_FAN_OUT_THRESHOLD: Final = 1_000_000_000
"""Upper bound for FAN_OUT_THRESHOLD (a sanity bound, far above any bucket we keep)."""
_STATE_MACHINE_ARN: Final = re.compile(
    r"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$"
)


@dataclass(frozen=True, slots=True)
class AuditConfig:
    """Everything the audit needs besides the schedule event; see `load_config`."""

    environment: str
    bucket_categories: Mapping[str, DataCategory]
    report_bucket: str
    report_prefix: str
    topic_arn: str
    max_concurrency: int
    alert_sample_size: int
    fan_out_threshold: int | None = None
    """Object count above which a bucket is audited by the fan-out; None never fans out."""
    fan_out_state_machine_arn: str | None = None
    """The fan-out state machine; set exactly when `fan_out_threshold` is."""


def parse_fan_out(env: Mapping[str, str]) -> tuple[int | None, str | None]:
    """FAN_OUT_THRESHOLD and FAN_OUT_STATE_MACHINE_ARN: both set, or neither (no fan-out)."""
    threshold_raw = env.get("FAN_OUT_THRESHOLD", "").strip()
    arn = env.get("FAN_OUT_STATE_MACHINE_ARN", "").strip()
    if not threshold_raw and not arn:
        return None, None
    if not arn:
        raise ConfigError("FAN_OUT_STATE_MACHINE_ARN", "is required when FAN_OUT_THRESHOLD is set")
    if not _STATE_MACHINE_ARN.fullmatch(arn):
        raise ConfigError(
            "FAN_OUT_STATE_MACHINE_ARN",
            f"must be a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:"
            f"<name>), got {arn!r}",
        )
    threshold = parse_positive_int(env, "FAN_OUT_THRESHOLD", maximum=MAX_FAN_OUT_THRESHOLD)
    return threshold, arn


def load_config(env: Mapping[str, str]) -> AuditConfig:
    """Read ENVIRONMENT, BUCKET_CATEGORIES, REPORT_BUCKET, REPORT_PREFIX, TOPIC_ARN,
    MAX_CONCURRENCY, ALERT_SAMPLE_SIZE and, together or not at all, FAN_OUT_THRESHOLD and
    FAN_OUT_STATE_MACHINE_ARN; ConfigError names the first bad one."""
    threshold, state_machine_arn = parse_fan_out(env)
    return AuditConfig(
        environment=parse_environment(env, "ENVIRONMENT"),
        bucket_categories=parse_bucket_categories(env, "BUCKET_CATEGORIES"),
        report_bucket=parse_bucket_name(env, "REPORT_BUCKET"),
        report_prefix=parse_prefix(env, "REPORT_PREFIX"),
        topic_arn=parse_topic_arn(env, "TOPIC_ARN"),
        max_concurrency=parse_positive_int(env, "MAX_CONCURRENCY", maximum=MAX_CONCURRENCY_LIMIT),
        alert_sample_size=parse_positive_int(env, "ALERT_SAMPLE_SIZE", maximum=MAX_SAMPLE_SIZE),
        fan_out_threshold=threshold,
        fan_out_state_machine_arn=state_machine_arn,
    )
