"""The tag audit's settings, parsed once from its environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from functions.common.config import (
    parse_bucket_categories,
    parse_bucket_name,
    parse_environment,
    parse_positive_int,
    parse_prefix,
    parse_topic_arn,
)
from taxonomy import DataCategory

__all__ = ["MAX_CONCURRENCY_LIMIT", "MAX_SAMPLE_SIZE", "AuditConfig", "load_config"]

MAX_CONCURRENCY_LIMIT: Final = 256
"""Upper bound for MAX_CONCURRENCY: beyond it threads cost more than S3 latency saves."""
MAX_SAMPLE_SIZE: Final = 10_000
"""Upper bound for ALERT_SAMPLE_SIZE; the alert is cut to SNS's 256 KB long before that."""


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


def load_config(env: Mapping[str, str]) -> AuditConfig:
    """Read ENVIRONMENT, BUCKET_CATEGORIES, REPORT_BUCKET, REPORT_PREFIX, TOPIC_ARN,
    MAX_CONCURRENCY and ALERT_SAMPLE_SIZE; ConfigError names the first bad one."""
    return AuditConfig(
        environment=parse_environment(env, "ENVIRONMENT"),
        bucket_categories=parse_bucket_categories(env, "BUCKET_CATEGORIES"),
        report_bucket=parse_bucket_name(env, "REPORT_BUCKET"),
        report_prefix=parse_prefix(env, "REPORT_PREFIX"),
        topic_arn=parse_topic_arn(env, "TOPIC_ARN"),
        max_concurrency=parse_positive_int(env, "MAX_CONCURRENCY", maximum=MAX_CONCURRENCY_LIMIT),
        alert_sample_size=parse_positive_int(env, "ALERT_SAMPLE_SIZE", maximum=MAX_SAMPLE_SIZE),
    )
