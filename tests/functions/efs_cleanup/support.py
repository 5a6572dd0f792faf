"""Helpers for the clean-up tests: aged files in real temporary trees and a ticking clock."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Final

from functions.efs_cleanup.config import CleanupConfig, load_config
from functions.efs_cleanup.walk import WalkOptions

DAY: Final = 86_400
TOPIC: Final = "arn:aws:sns:ap-south-1:123456789012:ops"
OLD: Final = 30.0
YOUNG: Final = 1.0


def touch(path: Path, *, days_old: float, size: int = 1) -> Path:
    """A regular file of `size` bytes whose mtime is `days_old` days ago."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    stamp = time.time() - days_old * DAY
    os.utime(path, (stamp, stamp))
    return path


def age(path: Path, days_old: float) -> None:
    """Set the mtime of an existing file or directory (without following a link)."""
    stamp = time.time() - days_old * DAY
    os.utime(path, (stamp, stamp), follow_symlinks=False)


def files_under(root: Path) -> set[str]:
    """Every non-directory entry under `root`, relative, without following links."""
    found: set[str] = set()
    for directory, dirs, names in os.walk(root):
        found.update(str(Path(directory, n).relative_to(root)) for n in names)
        found.update(
            str(Path(directory, d).relative_to(root))
            for d in dirs
            if Path(directory, d).is_symlink()
        )
    return found


def dirs_under(root: Path) -> set[str]:
    """Every real directory under `root`, relative."""
    return {
        str(Path(directory, d).relative_to(root))
        for directory, dirs, _ in os.walk(root)
        for d in dirs
        if not Path(directory, d).is_symlink()
    }


class TickClock:
    """A monotonic clock that advances one second per reading: a budget of N seconds lets
    the walk look at about N entries before it stops, deterministically."""

    def __init__(self) -> None:
        self.ticks = 0.0

    def __call__(self) -> float:
        self.ticks += 1
        return self.ticks


def make_config(mount: Path, *roots: str, **overrides: str) -> CleanupConfig:
    """A config parsed the real way, deleting, one worker, for `roots` (default `scratch`)."""
    env = {
        "MOUNT_PATH": str(mount),
        "SCRATCH_ROOTS": json.dumps(list(roots) or ["scratch"]),
        "DRY_RUN": "false",
        "TOPIC_ARN": TOPIC,
        "WORKERS": "1",
        "TIME_BUDGET_SAFETY_SECONDS": "1",
        **overrides,
    }
    return load_config(env)


def walk_options(root: Path, **overrides: object) -> WalkOptions:
    """Options for walking `root` directly: 7-day cut-off, no deadline, deleting."""
    values: dict[str, object] = {
        "cutoff": time.time() - 7 * DAY,
        "dry_run": False,
        "deadline": float("inf"),
        "root_real": os.path.realpath(root),
    }
    values.update(overrides)
    return WalkOptions(**values)  # type: ignore[arg-type]
