"""Forked workers: failures of the machinery never cost correctness."""

from __future__ import annotations

import os
from multiprocessing.context import ForkProcess
from pathlib import Path

import pytest

from functions.efs_cleanup import parallel, walk
from functions.efs_cleanup.walk import ShardResult, ShardTask, WalkOptions
from tests.functions.efs_cleanup.support import OLD, files_under, touch, walk_options


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "scratch"
    for project in ("p0", "p1", "p2", "p3"):
        touch(path / project / "old.tmp", days_old=OLD)
    return path


def run_all(root: Path, options: WalkOptions, workers: int) -> list[ShardResult]:
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        tasks = [ShardTask(key) for key in ("", "p0", "p1", "p2", "p3")]
        return parallel.run_shards(fd, tasks, options, workers=workers)
    finally:
        os.close(fd)


def test_refused_fork_falls_back_to_this_process(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When fork fails (EAGAIN), the shards are walked in-process and all complete."""

    def refuse(self: ForkProcess) -> None:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(ForkProcess, "start", refuse)
    results = run_all(root, walk_options(root), workers=4)
    assert [r.stopped_at for r in results] == [None] * 5
    assert files_under(root) == set()


def test_dead_worker_leaves_its_shard_incomplete_and_the_rest_done(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that dies mid-shard costs that shard only: it is reported and left to resume
    from its start; the other shards complete."""
    original = parallel._safe_run_shard

    def die_on_p1(root_fd: int, task: ShardTask, options: WalkOptions) -> ShardResult:
        if task.key == "p1":
            os._exit(3)
        return original(root_fd, task, options)

    monkeypatch.setattr(parallel, "_safe_run_shard", die_on_p1)
    results = {r.key: r for r in run_all(root, walk_options(root), workers=2)}
    assert results["p1"].stopped_at == ()
    assert "worker process died" in results["p1"].stats.error_samples[0]
    assert all(results[k].stopped_at is None for k in ("", "p0", "p2", "p3"))
    assert files_under(root) == {"p1/old.tmp"}


def test_bug_in_a_shard_is_contained(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception in one shard is reported for that shard; the others run."""
    original = walk.run_shard

    def bug_on_p2(root_fd: int, task: ShardTask, options: WalkOptions) -> ShardResult:
        if task.key == "p2":
            raise KeyError("bug")
        return original(root_fd, task, options)

    monkeypatch.setattr(parallel, "run_shard", bug_on_p2)
    results = {r.key: r for r in run_all(root, walk_options(root), workers=1)}
    assert results["p2"].stopped_at == ()
    assert "KeyError" in results["p2"].stats.error_samples[0]
    assert files_under(root) == {"p2/old.tmp"}
