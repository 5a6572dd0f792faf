"""Parse a function's environment variables into typed values, once, at cold start.

Every function reads its settings from environment variables the program sets. A typo in one
of them should stop the function at cold start with a message that names the variable and
says what was expected, not surface later as a KeyError deep inside an invocation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, TypedDict

from contracts import taxonomy

__all__ = [
    "MAX_CONCURRENCY_LIMIT",
    "MAX_FAN_OUT_THRESHOLD",
    "ConfigError",
    "LakeFields",
    "LakeSettings",
    "parse_bool",
    "parse_bucket_categories",
    "parse_bucket_name",
    "parse_environment",
    "parse_fan_out",
    "parse_json",
    "parse_lake_settings",
    "parse_positive_int",
    "parse_prefix",
    "parse_topic_arn",
    "require",
]

_BUCKET_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
"""S3 general-purpose bucket names: 3-63 lowercase letters, digits, dots and hyphens."""
_TOPIC_ARN: Final = re.compile(
    r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$"
)
_STATE_MACHINE_ARN: Final = re.compile(
    r"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$"
)
MAX_CONCURRENCY_LIMIT: Final = 256
"""Upper bound for MAX_CONCURRENCY: beyond it threads cost more than S3 latency saves."""
MAX_FAN_OUT_THRESHOLD: Final = 1_000_000_000
"""Upper bound for FAN_OUT_THRESHOLD (a sanity bound, far above any bucket we keep)."""


class ConfigError(ValueError):
    """An environment variable is missing or malformed; the message names it and the fix."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"environment variable {variable}: {problem}")
        self.variable = variable


def require(env: Mapping[str, str], name: str) -> str:
    """The non-blank value of `name`, stripped of surrounding white space."""
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(name, "is required and must not be empty")
    return value


def parse_bool(env: Mapping[str, str], name: str) -> bool:
    """`true` or `false` (any case); anything else is refused rather than guessed."""
    value = require(env, name).lower()
    if value not in ("true", "false"):
        raise ConfigError(name, f"must be 'true' or 'false', got {value!r}")
    return value == "true"


def parse_positive_int(env: Mapping[str, str], name: str, *, maximum: int) -> int:
    """An integer in 1..`maximum`; the bound keeps a typo from starting a thousand threads."""
    raw = require(env, name)
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"must be an integer, got {raw!r}") from None
    if not 1 <= value <= maximum:
        raise ConfigError(name, f"must be between 1 and {maximum}, got {value}")
    return value


def parse_json(env: Mapping[str, str], name: str) -> object:
    """The decoded JSON value of `name`."""
    raw = require(env, name)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigError(
            name, f"is not valid JSON ({error.msg} at position {error.pos})"
        ) from None


def parse_environment(env: Mapping[str, str], name: str) -> str:
    """A deployment environment the taxonomy knows (`dev`, `staging`, `prod`)."""
    value = require(env, name)
    if value not in taxonomy.ENVIRONMENTS:
        raise ConfigError(name, f"must be one of {', '.join(taxonomy.ENVIRONMENTS)}, got {value!r}")
    return value


def parse_topic_arn(env: Mapping[str, str], name: str) -> str:
    """An SNS topic ARN; checked here so a wrong value fails at cold start, not at publish."""
    value = require(env, name)
    if not _TOPIC_ARN.fullmatch(value):
        raise ConfigError(
            name, f"must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got {value!r}"
        )
    return value


def parse_bucket_categories(
    env: Mapping[str, str], name: str
) -> Mapping[str, taxonomy.DataCategory]:
    """A JSON object mapping bucket names to taxonomy category names, resolved to categories."""
    decoded = parse_json(env, name)
    if not isinstance(decoded, dict) or not decoded:
        raise ConfigError(name, 'must be a non-empty JSON object {"<bucket>": "<category>", ...}')
    known = ", ".join(category.name for category in taxonomy.CATEGORIES)
    categories: dict[str, taxonomy.DataCategory] = {}
    for bucket, category_name in decoded.items():
        if not _BUCKET_NAME.fullmatch(bucket):
            raise ConfigError(name, f"{bucket!r} is not a valid S3 bucket name")
        if not isinstance(category_name, str):
            raise ConfigError(
                name, f"category of bucket {bucket!r} must be a string, one of {known}"
            )
        try:
            categories[bucket] = taxonomy.category_by_name(category_name)
        except KeyError:
            raise ConfigError(
                name, f"bucket {bucket!r} names unknown category {category_name!r}; known: {known}"
            ) from None
    return MappingProxyType(categories)


def parse_bucket_name(env: Mapping[str, str], name: str) -> str:
    """An S3 bucket name."""
    value = require(env, name)
    if not _BUCKET_NAME.fullmatch(value):
        raise ConfigError(name, f"{value!r} is not a valid S3 bucket name")
    return value


def parse_prefix(env: Mapping[str, str], name: str) -> str:
    """A key prefix without leading or trailing slashes; empty means the bucket root."""
    return env.get(name, "").strip().strip("/")


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


@dataclass(frozen=True, slots=True, kw_only=True)
class LakeSettings:
    """The settings every function that walks the data lake's buckets shares.

    A function's config subclasses it (frozen, slotted, keyword-only) and adds its own fields;
    `load_config` builds it from `parse_lake_settings(env)` plus those fields.
    """

    environment: str
    bucket_categories: Mapping[str, taxonomy.DataCategory]
    topic_arn: str
    max_concurrency: int
    fan_out_threshold: int | None = None
    """Count above which work fans out to the state machine; None (unset) never fans out."""
    fan_out_state_machine_arn: str | None = None
    """The fan-out state machine; set exactly when `fan_out_threshold` is."""


class LakeFields(TypedDict):
    """`LakeSettings`' fields as keyword arguments, so a subclass is built in one call."""

    environment: str
    bucket_categories: Mapping[str, taxonomy.DataCategory]
    topic_arn: str
    max_concurrency: int
    fan_out_threshold: int | None
    fan_out_state_machine_arn: str | None


def parse_lake_settings(env: Mapping[str, str]) -> LakeFields:
    """Read ENVIRONMENT, BUCKET_CATEGORIES, TOPIC_ARN, MAX_CONCURRENCY and, together or not at
    all, FAN_OUT_THRESHOLD and FAN_OUT_STATE_MACHINE_ARN; ConfigError names the first bad one."""
    threshold, state_machine_arn = parse_fan_out(env)
    return LakeFields(
        environment=parse_environment(env, "ENVIRONMENT"),
        bucket_categories=parse_bucket_categories(env, "BUCKET_CATEGORIES"),
        topic_arn=parse_topic_arn(env, "TOPIC_ARN"),
        max_concurrency=parse_positive_int(env, "MAX_CONCURRENCY", maximum=MAX_CONCURRENCY_LIMIT),
        fan_out_threshold=threshold,
        fan_out_state_machine_arn=state_machine_arn,
    )
