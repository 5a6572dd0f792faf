"""The reaper's settings, parsed once from its environment at cold start.

Every setting that could make the reaper delete more has a conservative default: a missing
DRY_RUN means dry run, a missing SNAPSHOT_BEFORE_DELETE means snapshot first. The expected
account and region have no default at all: they are what stops a copy of the function in the
wrong account from touching volumes there.
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from contracts import taxonomy
from functions.common.config import (
    ConfigError,
    parse_bool,
    parse_positive_int,
    parse_topic_arn,
    require,
)

__all__ = [
    "DEFAULTS",
    "MAX_DELETIONS_LIMIT",
    "MAX_OBSERVATION_GAP_LIMIT",
    "ReaperConfig",
    "load_config",
]

DEFAULTS: Final = MappingProxyType(
    {
        "DRY_RUN": "true",
        "GRACE_DAYS": "30",
        "OPT_OUT_TAG_KEY": "reaper:keep",
        "MARK_TAG_KEY": "unattached-since",
        "SEEN_TAG_KEY": "unattached-seen",
        "MAX_OBSERVATION_GAP_DAYS": "2",
        "INCLUDE_KUBERNETES_VOLUMES": "false",
        "SNAPSHOT_BEFORE_DELETE": "true",
        "SNAPSHOT_RETENTION_DAYS": "90",
        "MAX_DELETIONS_PER_RUN": "20",
    }
)
"""Values used for variables the program does not set; each errs on the side of keeping data."""

MAX_GRACE_DAYS: Final = 3650
MAX_RETENTION_DAYS: Final = 3650
MAX_OBSERVATION_GAP_LIMIT: Final = 7
"""Upper bound of MAX_OBSERVATION_GAP_DAYS: a week without looking proves no continuity."""
MAX_DELETIONS_LIMIT: Final = 500
"""Upper bound of MAX_DELETIONS_PER_RUN, matching the stack setting `ebsReaperMaxDeletions`."""
_ACCOUNT_ID: Final = re.compile(r"^\d{12}$")
_REGION: Final = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


@dataclass(frozen=True, slots=True)
class ReaperConfig:
    """Everything the reaper needs besides the schedule event; see `load_config`."""

    dry_run: bool
    grace_days: int
    opt_out_tag_key: str
    mark_tag_key: str
    seen_tag_key: str
    """Tag holding when the volume was last observed unattached (the continuity proof)."""
    max_observation_gap_days: int
    """Longest gap between two observations that still counts as continuously unattached."""
    include_kubernetes_volumes: bool
    snapshot_before_delete: bool
    snapshot_retention_days: int
    max_deletions_per_run: int
    topic_arn: str
    expected_account_id: str
    expected_region: str


def _tag_key(env: Mapping[str, str], name: str) -> str:
    """A tag key the taxonomy's tag rules accept (length, characters, no `aws:` prefix)."""
    key = require(env, name)
    problems = taxonomy.validate_tag_set({key: "true"})
    if problems:
        raise ConfigError(name, "; ".join(str(problem) for problem in problems))
    return key


def _non_negative_int(env: Mapping[str, str], name: str, *, maximum: int) -> int:
    """An integer in 0..`maximum` (0 is meaningful: a cap of 0 deletes nothing)."""
    raw = require(env, name)
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"must be an integer, got {raw!r}") from None
    if not 0 <= value <= maximum:
        raise ConfigError(name, f"must be between 0 and {maximum}, got {value}")
    return value


def _pattern(env: Mapping[str, str], name: str, pattern: re.Pattern[str], example: str) -> str:
    value = require(env, name)
    if not pattern.fullmatch(value):
        raise ConfigError(name, f"must look like {example}, got {value!r}")
    return value


def load_config(env: Mapping[str, str]) -> ReaperConfig:
    """Read the reaper's variables (defaults in `DEFAULTS`); ConfigError names the first bad one.

    Variables: DRY_RUN, GRACE_DAYS, OPT_OUT_TAG_KEY, MARK_TAG_KEY, SEEN_TAG_KEY,
    MAX_OBSERVATION_GAP_DAYS, INCLUDE_KUBERNETES_VOLUMES, SNAPSHOT_BEFORE_DELETE,
    SNAPSHOT_RETENTION_DAYS, MAX_DELETIONS_PER_RUN, TOPIC_ARN, EXPECTED_ACCOUNT_ID,
    EXPECTED_REGION.
    """
    settings = ChainMap(dict(env), dict(DEFAULTS))
    config = ReaperConfig(
        dry_run=parse_bool(settings, "DRY_RUN"),
        grace_days=parse_positive_int(settings, "GRACE_DAYS", maximum=MAX_GRACE_DAYS),
        opt_out_tag_key=_tag_key(settings, "OPT_OUT_TAG_KEY"),
        mark_tag_key=_tag_key(settings, "MARK_TAG_KEY"),
        seen_tag_key=_tag_key(settings, "SEEN_TAG_KEY"),
        max_observation_gap_days=parse_positive_int(
            settings, "MAX_OBSERVATION_GAP_DAYS", maximum=MAX_OBSERVATION_GAP_LIMIT
        ),
        include_kubernetes_volumes=parse_bool(settings, "INCLUDE_KUBERNETES_VOLUMES"),
        snapshot_before_delete=parse_bool(settings, "SNAPSHOT_BEFORE_DELETE"),
        snapshot_retention_days=parse_positive_int(
            settings, "SNAPSHOT_RETENTION_DAYS", maximum=MAX_RETENTION_DAYS
        ),
        max_deletions_per_run=_non_negative_int(
            settings, "MAX_DELETIONS_PER_RUN", maximum=MAX_DELETIONS_LIMIT
        ),
        topic_arn=parse_topic_arn(settings, "TOPIC_ARN"),
        expected_account_id=_pattern(
            settings, "EXPECTED_ACCOUNT_ID", _ACCOUNT_ID, "a 12-digit account id"
        ),
        expected_region=_pattern(settings, "EXPECTED_REGION", _REGION, "ap-south-1"),
    )
    if config.mark_tag_key == config.opt_out_tag_key:
        raise ConfigError(
            "MARK_TAG_KEY", "must differ from OPT_OUT_TAG_KEY, or every marked volume opts out"
        )
    if config.seen_tag_key in (config.mark_tag_key, config.opt_out_tag_key):
        raise ConfigError("SEEN_TAG_KEY", "must differ from MARK_TAG_KEY and OPT_OUT_TAG_KEY")
    return config
