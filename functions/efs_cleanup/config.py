"""The clean-up's settings, parsed once from its environment at cold start.

Paths are checked twice. Here, lexically: MOUNT_PATH is absolute, every scratch root and the
state file are relative, without `..`, and a root is never the mount itself. At run time the
core checks the resolved paths again (`functions.efs_cleanup.paths`), because a symlink inside
the file system can make a harmless-looking path point anywhere.
"""

from __future__ import annotations

import posixpath
import re
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from functions.common.config import (
    ConfigError,
    parse_bool,
    parse_json,
    parse_positive_int,
    parse_prefix,
    parse_topic_arn,
    require,
)

__all__ = ["DEFAULTS", "CleanupConfig", "S3CopySettings", "load_config"]

DEFAULTS: Final = MappingProxyType(
    {
        "DRY_RUN": "true",
        "RETENTION_DAYS": "7",
        "TIME_BUDGET_SAFETY_SECONDS": "60",
        "STATE_FILE": ".cleanup-state.json",
        "MAX_ERRORS_REPORTED": "20",
        "WORKERS": "4",
        "VERIFY_S3_COPY": "false",
        "VOLUME_ROOT_DEPTH": "2",
    }
)
"""Values for variables the program does not set; a missing DRY_RUN means dry run."""

MAX_WORKERS: Final = 32
MAX_VOLUME_ROOT_DEPTH: Final = 16
_BUCKET_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_AREA: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True, slots=True)
class S3CopySettings:
    """Where the lake keeps the copy of a file (VERIFY_S3_COPY mode).

    A file at `<mount>/<path>` is copied to `s3://<buckets[area]>/<key_prefix>/<path>` where
    `area` is the path's `projects/<project>/<area>/` segment: the layout the transfer's
    DataSync tasks write (`components/transfer/transfer.py`).
    """

    buckets: Mapping[str, str]
    """Area (`raw`, `processed`) → bucket name."""
    key_prefix: str
    """Prepended to the path under the mount (`projects` when the mount is the projects
    access point, empty when the mount is the file system's root)."""


@dataclass(frozen=True, slots=True)
class CleanupConfig:
    """Everything the clean-up needs besides the phase event; see `load_config`."""

    mount_path: str
    scratch_roots: tuple[str, ...]
    retention_days: int
    dry_run: bool
    topic_arn: str
    safety_seconds: int
    state_file: str
    max_errors_reported: int
    workers: int
    s3_copy: S3CopySettings | None
    volume_root_depth: int = 2
    """Levels below each scratch root that are volume roots or above them (`<namespace>/<pvc>`
    under the CSI driver's `subPathPattern`): no directory at or above this depth is ever
    removed, so a live access point's root never disappears under its pods."""


def _relative_path(value: object, variable: str, what: str) -> str:
    """A normalised relative path inside the mount, or ConfigError naming `variable`."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(variable, f"{what} must be a non-empty string, got {value!r}")
    if "\x00" in value:
        raise ConfigError(variable, f"{what} {value!r} contains a NUL character")
    if value.startswith("/"):
        raise ConfigError(variable, f"{what} {value!r} must be relative to MOUNT_PATH")
    normal = posixpath.normpath(value)
    if normal == "." or normal == ".." or normal.startswith("../"):
        raise ConfigError(
            variable, f"{what} {value!r} must name a directory below MOUNT_PATH, not the mount"
        )
    return normal


def _scratch_roots(env: Mapping[str, str]) -> tuple[str, ...]:
    decoded = parse_json(env, "SCRATCH_ROOTS")
    if not isinstance(decoded, list) or not decoded:
        raise ConfigError("SCRATCH_ROOTS", 'must be a non-empty JSON list such as ["scratch"]')
    roots: list[str] = []
    for item in decoded:
        root = _relative_path(item, "SCRATCH_ROOTS", "root")
        for other in roots:
            if root == other or root.startswith(other + "/") or other.startswith(root + "/"):
                raise ConfigError(
                    "SCRATCH_ROOTS", f"roots {other!r} and {root!r} overlap; list each tree once"
                )
        roots.append(root)
    return tuple(roots)


def _s3_copy(env: Mapping[str, str]) -> S3CopySettings | None:
    if not parse_bool(env, "VERIFY_S3_COPY"):
        return None
    decoded = parse_json(env, "S3_COPY_BUCKETS")
    if not isinstance(decoded, dict) or not decoded:
        raise ConfigError(
            "S3_COPY_BUCKETS",
            'must be a non-empty JSON object {"<area>": "<bucket>"} when VERIFY_S3_COPY is true',
        )
    buckets: dict[str, str] = {}
    for area, bucket in decoded.items():
        if not _AREA.fullmatch(area):
            raise ConfigError("S3_COPY_BUCKETS", f"{area!r} is not a directory name")
        if not isinstance(bucket, str) or not _BUCKET_NAME.fullmatch(bucket):
            raise ConfigError("S3_COPY_BUCKETS", f"{bucket!r} is not a valid S3 bucket name")
        buckets[area] = bucket
    return S3CopySettings(
        buckets=MappingProxyType(buckets), key_prefix=parse_prefix(env, "S3_COPY_KEY_PREFIX")
    )


def _depth(env: Mapping[str, str], name: str) -> int:
    """0..MAX_VOLUME_ROOT_DEPTH; 0 protects only the roots themselves (a tree that holds no
    volumes), the default 2 protects `<namespace>/<pvc>`, the CSI driver's volume roots."""
    raw = require(env, name)
    if not raw.isdigit() or int(raw) > MAX_VOLUME_ROOT_DEPTH:
        raise ConfigError(
            name, f"must be an integer from 0 to {MAX_VOLUME_ROOT_DEPTH}, got {raw!r}"
        )
    return int(raw)


def load_config(env: Mapping[str, str]) -> CleanupConfig:
    """Read the clean-up's variables (defaults in `DEFAULTS`); ConfigError names the bad one.

    Variables: MOUNT_PATH, SCRATCH_ROOTS, RETENTION_DAYS, DRY_RUN, TOPIC_ARN,
    TIME_BUDGET_SAFETY_SECONDS, STATE_FILE, MAX_ERRORS_REPORTED, WORKERS, VERIFY_S3_COPY,
    S3_COPY_BUCKETS, S3_COPY_KEY_PREFIX, VOLUME_ROOT_DEPTH.
    """
    settings = ChainMap(dict(env), dict(DEFAULTS))
    mount = require(settings, "MOUNT_PATH")
    if not mount.startswith("/") or posixpath.normpath(mount) == "/":
        raise ConfigError("MOUNT_PATH", f"must be an absolute path below /, got {mount!r}")
    roots = _scratch_roots(settings)
    state_file = _relative_path(require(settings, "STATE_FILE"), "STATE_FILE", "state file")
    for root in roots:
        if state_file.startswith(root + "/"):
            raise ConfigError(
                "STATE_FILE", f"{state_file!r} lies inside scratch root {root!r}; keep it outside"
            )
    return CleanupConfig(
        mount_path=posixpath.normpath(mount),
        scratch_roots=roots,
        retention_days=parse_positive_int(settings, "RETENTION_DAYS", maximum=3650),
        dry_run=parse_bool(settings, "DRY_RUN"),
        topic_arn=parse_topic_arn(settings, "TOPIC_ARN"),
        safety_seconds=parse_positive_int(settings, "TIME_BUDGET_SAFETY_SECONDS", maximum=600),
        state_file=state_file,
        max_errors_reported=parse_positive_int(settings, "MAX_ERRORS_REPORTED", maximum=1000),
        workers=parse_positive_int(settings, "WORKERS", maximum=MAX_WORKERS),
        s3_copy=_s3_copy(settings),
        volume_root_depth=_depth(settings, "VOLUME_ROOT_DEPTH"),
    )
