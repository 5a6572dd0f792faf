"""The object tagger's settings, parsed once from its environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from functions.common.config import (
    parse_bool,
    parse_bucket_categories,
    parse_bucket_name,
    parse_environment,
    parse_positive_int,
    parse_prefix,
    parse_topic_arn,
)
from taxonomy import DataCategory

__all__ = ["MAX_CONCURRENCY_LIMIT", "TaggerConfig", "load_config"]

MAX_CONCURRENCY_LIMIT: Final = 256
"""Upper bound for MAX_CONCURRENCY: beyond it threads cost more than S3 latency saves."""


@dataclass(frozen=True, slots=True)
class TaggerConfig:
    """Everything the tagger needs besides the event; see `load_config` for the variables."""

    environment: str
    bucket_categories: Mapping[str, DataCategory]
    task_report_bucket: str
    task_report_prefix: str
    topic_arn: str
    tag_unclassified: bool
    max_concurrency: int


def load_config(env: Mapping[str, str]) -> TaggerConfig:
    """Read ENVIRONMENT, BUCKET_CATEGORIES, TASK_REPORT_BUCKET, TASK_REPORT_PREFIX, TOPIC_ARN,
    TAG_UNCLASSIFIED and MAX_CONCURRENCY; ConfigError names the first bad one."""
    return TaggerConfig(
        environment=parse_environment(env, "ENVIRONMENT"),
        bucket_categories=parse_bucket_categories(env, "BUCKET_CATEGORIES"),
        task_report_bucket=parse_bucket_name(env, "TASK_REPORT_BUCKET"),
        task_report_prefix=parse_prefix(env, "TASK_REPORT_PREFIX"),
        topic_arn=parse_topic_arn(env, "TOPIC_ARN"),
        tag_unclassified=parse_bool(env, "TAG_UNCLASSIFIED"),
        max_concurrency=parse_positive_int(env, "MAX_CONCURRENCY", maximum=MAX_CONCURRENCY_LIMIT),
    )
