"""Run an I/O-bound function over a stream of items with bounded threads and bounded memory.

`ThreadPoolExecutor.map` submits every item up front, so a million-object listing would put a
million futures in memory. `bounded_map` keeps at most `max_in_flight` items submitted at any
time and pulls the next item only when one finishes: memory stays flat in the item count while
the workers stay busy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

__all__ = ["bounded_map"]

T = TypeVar("T")
R = TypeVar("R")


def bounded_map(
    function: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    max_in_flight: int | None = None,
) -> Iterator[R]:
    """Results of `function` over `items` in completion order, never more than
    `max_in_flight` (default twice `workers`) submitted at once.

    An exception raised by `function` propagates from the iterator after the items already in
    flight finish; callers that want per-item failures return them as results instead.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    limit = max_in_flight if max_in_flight is not None else 2 * workers
    if limit < 1:
        raise ValueError(f"max_in_flight must be at least 1, got {limit}")
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bounded") as pool:
        pending: set[Future[R]] = set()
        for item in items:
            if len(pending) >= limit:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
            pending.add(pool.submit(function, item))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
