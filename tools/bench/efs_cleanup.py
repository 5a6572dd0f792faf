"""Benchmark: the EFS scratch clean-up against `find <root> -type f -mtime +7 -delete`.

Target (ARCHITECTURE.md §6): at least as fast as find on 100k files, measured in this run.

Each round builds identical trees of 100,000 empty files (100 project directories × 10 job
directories × 100 files; two thirds 30 days old, one third 1 day old; the first job directory
of every project entirely old, so the clean-up also removes emptied directories) in a fresh
temporary directory: one tree for find, one for the clean-up with the function's default
WORKERS, one for the clean-up with a single worker. The three runs of a round go in rotating
order, so page-cache and disk effects fall on each of them in turn. Both tools must leave the
same set of files behind (the clean-up additionally removes the 100 emptied directories).

At most `ROUNDS` rounds run; no new round starts after `ROUND_BUDGET_SECONDS`.
Reported: median seconds of each over the rounds, `ratio` = find / clean-up (≥ 1.0 meets the
target) for the default workers, `ratio_single_worker` for one worker, and `same_set`.
The clean-up runs through `functions.efs_cleanup.core.clean`, the handler's own entry point
(real config, state file write included), not a stripped-down loop.

Clocks: the clean-up ages a file by the later of its mtime and ctime, and every file built
here has a ctime of now. So the clean-up runs on a wall clock `CLEANUP_AHEAD_SECONDS` (8 days)
ahead, where those ctimes are 8 days old, and "young" files get an mtime 7 days in the future
(1 day old on that clock; find, on the real clock, sees them as not yet modified at all). Both
tools then keep and delete the same files for the same reason: the mtime. The tree is not a
volume layout, so VOLUME_ROOT_DEPTH is 0 and emptied job directories go, as before.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from functions.efs_cleanup.config import DEFAULTS, load_config
from functions.efs_cleanup.core import Clock, clean
from functions.efs_cleanup.event import CleanupRequest, Phase

__all__ = ["run"]

PROJECTS: Final = 100
JOBS: Final = 10
FILES_PER_JOB: Final = 100
ROUNDS: Final = 3
ROUND_BUDGET_SECONDS: Final = 70.0
"""No new round starts after this long, so a loaded machine still finishes in ~2 minutes
(building 300k files is most of a round's time, and it is the part that slows down most)."""
OLD_SECONDS: Final = 30 * 86_400
YOUNG_SECONDS: Final = 86_400
CLEANUP_AHEAD_SECONDS: Final = 8 * 86_400
_FIND: Final = "/usr/bin/find"


def _build(root: Path) -> int:
    """Create the tree under `root`; returns how many files are old."""
    now = time.time()
    old, young = now - OLD_SECONDS, now + CLEANUP_AHEAD_SECONDS - YOUNG_SECONDS
    count_old = 0
    index = 0
    flags = os.O_CREAT | os.O_WRONLY | os.O_EXCL
    for project in range(PROJECTS):
        for job in range(JOBS):
            directory = root / f"p{project:03d}" / f"job{job:02d}"
            directory.mkdir(parents=True)
            for number in range(FILES_PER_JOB):
                path = f"{directory}/f{number:03d}.tmp"
                os.close(os.open(path, flags, 0o644))
                is_old = job == 0 or index % 3 != 0
                stamp = old if is_old else young
                os.utime(path, (stamp, stamp))
                count_old += is_old
                index += 1
    return count_old


def _files_left(root: Path) -> set[str]:
    return {
        str(Path(directory, name).relative_to(root))
        for directory, _, names in os.walk(root)
        for name in names
    }


def _time_find(root: Path) -> float:
    started = time.perf_counter()
    subprocess.run([_FIND, str(root), "-type", "f", "-mtime", "+7", "-delete"], check=True)
    return time.perf_counter() - started


def _time_cleanup(mount: Path, root_name: str, workers: int) -> float:
    config = load_config(
        {
            "MOUNT_PATH": str(mount),
            "SCRATCH_ROOTS": json.dumps([root_name]),
            "DRY_RUN": "false",
            "TOPIC_ARN": "arn:aws:sns:ap-south-1:123456789012:bench",
            "STATE_FILE": f".state-{root_name}.json",
            "WORKERS": str(workers),
            "VOLUME_ROOT_DEPTH": "0",
        }
    )
    ahead = time.time() + CLEANUP_AHEAD_SECONDS
    started = time.perf_counter()
    report = clean(
        CleanupRequest(Phase.CLEAN),
        config=config,
        remaining_ms=3_600_000,
        clock=Clock(wall=lambda: ahead),
    )
    elapsed = time.perf_counter() - started
    if not report.completed or report.error_count():
        raise RuntimeError(f"clean-up did not complete cleanly: {report.message()}")
    return elapsed


def _time_one(name: str, mount: Path, workers: int) -> float:
    if name == "find":
        return _time_find(mount / name)
    return _time_cleanup(mount, name, workers if name == "cleanup" else 1)


def run() -> dict[str, Any]:
    """Figures of `ROUNDS` rounds; see the module docstring."""
    workers = int(DEFAULTS["WORKERS"])
    times: dict[str, list[float]] = {"find": [], "cleanup": [], "cleanup_single": []}
    same_set = True
    old_files = 0
    bench_started = time.perf_counter()
    for round_number in range(ROUNDS):
        if round_number and time.perf_counter() - bench_started > ROUND_BUDGET_SECONDS:
            break
        mount = Path(tempfile.mkdtemp(prefix="bench-efs-"))
        try:
            roots = {name: mount / name for name in times}
            for root in roots.values():
                old_files = _build(root)
            order = list(times)
            shift = round_number % len(order)
            for name in order[shift:] + order[:shift]:
                times[name].append(_time_one(name, mount, workers))
            left = {name: _files_left(root) for name, root in roots.items()}
            same_set &= left["find"] == left["cleanup"] == left["cleanup_single"]
            same_set &= len(left["find"]) == PROJECTS * JOBS * FILES_PER_JOB - old_files
        finally:
            shutil.rmtree(mount, ignore_errors=True)
    find_s = statistics.median(times["find"])
    ours_s = statistics.median(times["cleanup"])
    single_s = statistics.median(times["cleanup_single"])
    return {
        "files": PROJECTS * JOBS * FILES_PER_JOB,
        "old_files": old_files,
        "rounds": len(times["find"]),
        "workers": workers,
        "cpus": os.cpu_count(),
        "find_seconds": round(find_s, 3),
        "cleanup_seconds": round(ours_s, 3),
        "cleanup_single_worker_seconds": round(single_s, 3),
        "ratio": round(find_s / ours_s, 2),
        "ratio_single_worker": round(find_s / single_s, 2),
        "ratios_per_round": [
            round(f / o, 2) for f, o in zip(times["find"], times["cleanup"], strict=True)
        ],
        "same_set": same_set,
        "target_met": same_set and find_s / ours_s >= 1.0,
    }


if __name__ == "__main__":
    json.dump(run(), sys.stdout, indent=2)
    sys.stdout.write("\n")
