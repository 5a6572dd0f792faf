"""The weekly scratch clean-up: announce, then clean each root within the time budget.

`clean` resolves the mount and every root (refusing roots that resolve outside the mount or
to the mount itself), loads where the last run stopped, walks each root's shards
(`functions.efs_cleanup.parallel`, `functions.efs_cleanup.walk`) until the deadline
(remaining Lambda time minus TIME_BUDGET_SAFETY_SECONDS), and records the new position so the
next run resumes exactly there. Roots are handled in configuration order; a root not reached
before the deadline is recorded as pending from its start.

Cut-off: a regular file is old when the LATER of its mtime and ctime is more than
RETENTION_DAYS × 24 h before the run started. mtime alone is not enough: `tar x`, `rsync -a`
and `cp -p` copy a file in with its original, possibly years-old, mtime, but the kernel sets
ctime when the inode is created or changed and no user-space call can set it back, so ctime
is when the file arrived here. A file is therefore kept for the retention after it was last
written or arrived, whichever is later. (`find -mtime +7` rounds ages down to whole days, so
it keeps files between 7 and 8 days old that this deletes; the retention is a promise of "at
least 7 days", which both keep.)

Directories: the walk may remove only a directory strictly below the volume roots, i.e. more
than VOLUME_ROOT_DEPTH levels under a scratch root (`<root>/<namespace>/<pvc>/...`), and only
when empty (see `functions.efs_cleanup.walk`). The scratch roots, the namespace directories
and the volume roots themselves (the roots of live CSI access points) are never removed.

Pure file-system logic: AWS appears only as the optional `CopyVerifier` Protocol.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final

from functions.efs_cleanup.config import CleanupConfig
from functions.efs_cleanup.event import CleanupRequest, Phase
from functions.efs_cleanup.parallel import run_shards
from functions.efs_cleanup.paths import (
    PathRefusedError,
    open_root,
    resolve_mount,
    resolve_root,
    resolve_state_file,
)
from functions.efs_cleanup.report import AnnounceReport, CleanupReport, RootReport
from functions.efs_cleanup.state import RootProgress, StateFile, StateFileError
from functions.efs_cleanup.verify import CopyVerifier
from functions.efs_cleanup.walk import ShardTask, WalkOptions, WalkStats

__all__ = ["Clock", "announce", "clean", "shard_keys"]

SECONDS_PER_DAY: Final = 86_400


@dataclass(frozen=True, slots=True)
class Clock:
    """Wall time (for the cut-off) and a monotonic clock (for the budget), injectable."""

    wall: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic


def _mode(dry_run: bool) -> str:
    return "dry-run" if dry_run else "delete"


def shard_keys(root_fd: int) -> list[str]:
    """The root's shards in walk order: its own files (`""`), then each directory by name."""
    with os.scandir(root_fd) as entries:
        names = sorted(entry.name for entry in entries if entry.is_dir(follow_symlinks=False))
    return ["", *names]


def _state_file(config: CleanupConfig, mount_real: str) -> StateFile:
    roots = []
    for root in config.scratch_roots:
        try:
            roots.append(resolve_root(mount_real, root))
        except PathRefusedError:
            continue  # reported by the run; it is not walked, so it cannot hold the state
    parent, name = resolve_state_file(mount_real, config.state_file, roots)
    return StateFile(parent, name)


def announce(request: CleanupRequest, *, config: CleanupConfig) -> AnnounceReport:
    """The "starting soon" notice: roots, retention, mode, and unfinished roots if any."""
    dry_run = config.dry_run or request.force_dry_run
    pending: tuple[str, ...] = ()
    problem = ""
    try:
        mount_real = resolve_mount(config.mount_path)
        progress, problem_text = _state_file(config, mount_real).load(_mode(dry_run))
        pending = tuple(root for root in config.scratch_roots if root in progress)
        problem = problem_text or ""
    except PathRefusedError as error:
        problem = str(error)
    return AnnounceReport(
        roots=config.scratch_roots,
        mount_path=config.mount_path,
        retention_days=config.retention_days,
        dry_run=dry_run,
        pending=pending,
        problem=problem,
    )


def clean(
    request: CleanupRequest,
    *,
    config: CleanupConfig,
    remaining_ms: int,
    verifier: CopyVerifier | None = None,
    clock: Clock | None = None,
    workers: int | None = None,
) -> CleanupReport:
    """Clean (phase `clean`) or continue (phase `resume`) within the invocation's budget."""
    clock = clock or Clock()
    started = clock.monotonic()
    deadline = started + remaining_ms / 1000 - config.safety_seconds
    now = clock.wall()
    dry_run = config.dry_run or request.force_dry_run
    mode = _mode(dry_run)
    report = CleanupReport(
        phase=request.phase.value,
        dry_run=dry_run,
        retention_days=config.retention_days,
        max_error_samples=config.max_errors_reported,
    )
    try:
        mount_real = resolve_mount(config.mount_path)
    except PathRefusedError as error:
        report.errors.append(str(error))
        report.roots = [
            RootReport(root, refused="mount unavailable") for root in config.scratch_roots
        ]
        return report
    state: StateFile | None
    progress: dict[str, RootProgress] = {}
    try:
        state = _state_file(config, mount_real)
    except PathRefusedError as error:
        state = None
        report.errors.append(f"{error}; runs cannot resume until it is fixed")
    if state is not None:
        progress, problem = state.load(mode)
        if problem:
            report.errors.append(problem)
    roots = config.scratch_roots
    if request.phase is Phase.RESUME:
        roots = tuple(root for root in roots if root in progress)
        if not roots:
            report.nothing_pending = True
            return report
    template = WalkOptions(
        cutoff=now - config.retention_days * SECONDS_PER_DAY,
        dry_run=dry_run,
        deadline=deadline,
        root_real="",
        max_error_samples=config.max_errors_reported,
        verifier=verifier,
        clock=clock.monotonic,
        keep_dirs_depth=config.volume_root_depth,
    )
    cycle_start = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    for index, root in enumerate(roots):
        previous = progress.get(root) or RootProgress(cycle_started=cycle_start)
        root_report = _clean_root(
            root,
            mount_real,
            previous,
            progress,
            template,
            workers or config.workers,
            first=index == 0,
        )
        report.roots.append(root_report)
    if state is not None:
        try:
            state.save(mode, progress)
        except StateFileError as error:
            report.errors.append(f"{error}; the next run starts this cycle over")
    report.duration_seconds = clock.monotonic() - started
    return report


def _clean_root(
    root: str,
    mount_real: str,
    previous: RootProgress,
    progress: dict[str, RootProgress],
    template: WalkOptions,
    workers: int,
    *,
    first: bool,
) -> RootReport:
    """Walk one root from where it stopped; updates `progress[root]` in place. The run's
    first root always progresses by at least one entry, so no run is wasted."""
    root_report = RootReport(root)
    try:
        real = resolve_root(mount_real, root)
        fd = open_root(real, mount_real)
    except PathRefusedError as error:
        root_report.refused = str(error)
        progress.pop(root, None)
        return root_report
    except OSError as error:
        root_report.refused = f"cannot open {root}: {error.strerror}"
        return root_report
    root_report.resolved = real
    options = replace(
        template, root_real=real, mount_relative_root=os.path.relpath(real, mount_real)
    )
    try:
        if not first and options.clock() >= options.deadline:
            progress[root] = previous
            return root_report
        try:
            keys = shard_keys(fd)
        except OSError as error:
            root_report.refused = f"cannot list {root}: {error.strerror}"
            progress[root] = previous
            return root_report
        tasks = [
            ShardTask(key, previous.partial.get(key, ()))
            for key in keys
            if not previous.is_done(key)
        ]
        results = run_shards(fd, tasks, options, workers=workers, start_one=first)
    finally:
        os.close(fd)
    root_report.started = True
    stats = WalkStats()
    for result in results:
        stats.add(result.stats, options.max_error_samples)
    root_report.stats = stats
    updated = previous.advance(keys, results)
    # Cycle totals; dry runs keep their own state (mode "dry-run"), so theirs are would-be.
    total_files = previous.files_deleted + stats.files_deleted
    total_bytes = previous.bytes_freed + stats.bytes_freed
    runs = previous.runs + 1
    if updated is None:
        progress.pop(root, None)
        root_report.completed = True
    else:
        updated.files_deleted, updated.bytes_freed, updated.runs = total_files, total_bytes, runs
        progress[root] = updated
    root_report.cycle_files_deleted = total_files
    root_report.cycle_bytes_freed = total_bytes
    root_report.cycle_runs = runs
    return root_report
