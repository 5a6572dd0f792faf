"""Helpers for the clean-up tests: aged files in real temporary trees and a ticking clock.

Ages are relative to `NOW`, a wall clock one year ahead of the real one. The clean-up ages a
file by the later of its mtime and ctime, and the kernel stamps ctime with the real time of
every inode change, which no test can set back; a year ahead, every ctime a test makes is a
year old, so the mtime a test sets (`touch`, `age`) decides, exactly as for a file written
long ago. Tests about ctime itself use the real clock instead.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Final

from functions.efs_cleanup.config import CleanupConfig, load_config
from functions.efs_cleanup.walk import WalkOptions

DAY: Final = 86_400
NOW: Final = time.time() + 365 * DAY
"""The tests' wall clock: pass `Clock(wall=lambda: NOW)` (see the module docstring)."""
TOPIC: Final = "arn:aws:sns:ap-south-1:123456789012:ops"
OLD: Final = 30.0
ANCIENT: Final = 365.0 + 30.0
"""Days before NOW that are 30 days before the real clock too: old to any clean-up, whether it
reads NOW or real time (a file this old by mtime is old by ctime on NOW as well)."""
YOUNG: Final = 1.0


def touch(path: Path, *, days_old: float, size: int = 1) -> Path:
    """A regular file of `size` bytes whose mtime is `days_old` days before NOW."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    stamp = NOW - days_old * DAY
    os.utime(path, (stamp, stamp))
    return path


def age(path: Path, days_old: float) -> None:
    """Set the mtime of an existing file or directory, `days_old` days before NOW (without
    following a link)."""
    stamp = NOW - days_old * DAY
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
    """A config parsed the real way, deleting, one worker, for `roots` (default `scratch`),
    with no protected directory levels unless VOLUME_ROOT_DEPTH is given."""
    env = {
        "VOLUME_ROOT_DEPTH": "0",
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
    """Options for walking `root` directly: 7 days before NOW, no deadline, deleting, no
    protected levels (walk tests look at the walk itself; volume roots have their own)."""
    values: dict[str, object] = {
        "cutoff": NOW - 7 * DAY,
        "dry_run": False,
        "deadline": float("inf"),
        "root_real": os.path.realpath(root),
        "keep_dirs_depth": 0,
    }
    values.update(overrides)
    return WalkOptions(**values)  # type: ignore[arg-type]
