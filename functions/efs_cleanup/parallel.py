"""Run a root's shards one after another, or in forked worker processes.

Why processes: a shard's work is a stream of short system calls (stat, unlink) with a little
Python between them. Threads would serialise that Python on the GIL and pay a hand-off per
system call; measured on 100k local files, threads were slower than one thread. Forked
processes do not share a GIL, and on EFS, where every call is a network round trip, they keep
several round trips in flight. The workers are forked once per root and fed shards over
pipes (`multiprocessing.Pipe`, which Lambda supports; Lambda has no /dev/shm, so no Pool or
Queue). They inherit the root's descriptor, so they walk exactly what the parent resolved and
checked.

Shards are handed out in order; a worker stops its shard at the deadline like the sequential
walk does, and the parent hands out nothing after it. Every started shard reports where it
stopped, so the caller can resume each of them exactly. A worker that dies, or a shard that
raises, leaves its shard incomplete at its starting cursor with an error recorded; the other
shards are unaffected. With a copy verifier (S3 clients must not cross a fork) or one worker,
shards run in this process.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
from collections import deque
from collections.abc import Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkProcess
from typing import Final

from functions.efs_cleanup.walk import ShardResult, ShardTask, WalkOptions, WalkStats, run_shard

__all__ = ["run_shards"]

_HANG_GRACE_SECONDS: Final = 30.0
"""How long past the deadline the parent waits for a worker before giving its shard up."""


class _ForkRefusedError(RuntimeError):
    """Worker processes could not be started; nothing was walked yet."""


def _safe_run_shard(root_fd: int, task: ShardTask, options: WalkOptions) -> ShardResult:
    """`run_shard`, with an unexpected exception turned into an incomplete, reported shard."""
    try:
        return run_shard(root_fd, task, options)
    except Exception as error:  # noqa: BLE001 - a bug in one shard must not lose the others
        stats = WalkStats()
        stats.error(f"shard {task.key or '.'} failed: {error!r}", options.max_error_samples)
        return ShardResult(task.key, stats, task.cursor)


def _worker(conn: Connection, root_fd: int, options: WalkOptions) -> None:
    """A forked worker's loop: shard in, result out, until told to stop (None)."""
    try:
        while True:
            task = conn.recv()
            if task is None:
                return
            conn.send(_safe_run_shard(root_fd, task, options))
    except (EOFError, OSError):
        return  # the parent went away; nothing to report to
    finally:
        conn.close()


def run_shards(
    root_fd: int,
    tasks: Sequence[ShardTask],
    options: WalkOptions,
    *,
    workers: int,
    start_one: bool = False,
) -> list[ShardResult]:
    """Results of the shards started before the deadline (a shard not listed never started).

    With `start_one`, the first shard starts even if the deadline has passed (and, like every
    shard, handles at least one entry): the caller uses it so each invocation progresses.
    """
    if workers <= 1 or len(tasks) <= 1 or options.verifier is not None:
        return _sequential(root_fd, tasks, options, start_one)
    try:
        return _forked(root_fd, tasks, options, min(workers, len(tasks)), start_one)
    except _ForkRefusedError:
        return _sequential(root_fd, tasks, options, start_one)


def _sequential(
    root_fd: int, tasks: Sequence[ShardTask], options: WalkOptions, start_one: bool
) -> list[ShardResult]:
    results: list[ShardResult] = []
    for task in tasks:
        if options.clock() >= options.deadline and (results or not start_one):
            break
        results.append(_safe_run_shard(root_fd, task, options))
    return results


def _lost(task: ShardTask, options: WalkOptions, why: str) -> ShardResult:
    stats = WalkStats()
    stats.error(f"shard {task.key or '.'}: {why}", options.max_error_samples)
    return ShardResult(task.key, stats, task.cursor)


def _forked(
    root_fd: int, tasks: Sequence[ShardTask], options: WalkOptions, count: int, start_one: bool
) -> list[ShardResult]:
    context = multiprocessing.get_context("fork")
    processes: list[ForkProcess] = []
    idle: list[Connection] = []
    try:
        for _ in range(count):
            parent_end, child_end = context.Pipe()
            idle.append(parent_end)
            process = context.Process(
                target=_worker, args=(child_end, root_fd, options), daemon=True
            )
            process.start()
            child_end.close()
            processes.append(process)
    except OSError as error:
        # fork refused (EAGAIN, ENOMEM): stop the workers already started, and let the
        # caller walk in this process instead.
        _shut_down(idle, processes)
        raise _ForkRefusedError(str(error)) from error
    connections = list(idle)
    queue = deque(tasks)
    busy: dict[Connection, ShardTask] = {}
    results: list[ShardResult] = []
    must_start = start_one
    try:
        while True:
            while idle and queue and (must_start or options.clock() < options.deadline):
                must_start = False
                conn = idle.pop()
                task = queue.popleft()
                try:
                    conn.send(task)
                except OSError:
                    results.append(_lost(task, options, "worker process died"))
                    continue
                busy[conn] = task
            if not busy:
                break
            timeout = None
            if math.isfinite(options.deadline):
                timeout = max(options.deadline - options.clock(), 0.0) + _HANG_GRACE_SECONDS
            ready = wait(list(busy), timeout=timeout)
            if not ready:
                results += [_lost(t, options, "worker did not answer") for t in busy.values()]
                break
            for conn in [c for c in busy if c in ready]:
                task = busy.pop(conn)
                try:
                    results.append(conn.recv())
                except (EOFError, OSError):
                    results.append(_lost(task, options, "worker process died"))
                else:
                    idle.append(conn)
    finally:
        _shut_down(connections, processes)
    return results


def _shut_down(connections: list[Connection], processes: list[ForkProcess]) -> None:
    """Tell every worker to stop, close the pipes, and reap the processes (killing any that
    does not exit within seconds: they are this function's own children)."""
    for conn in connections:
        with contextlib.suppress(OSError):
            conn.send(None)
        conn.close()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()
