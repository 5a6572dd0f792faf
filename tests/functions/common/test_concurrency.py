"""bounded_map: every result arrives, and never more than the bound is in flight."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from functions.common.concurrency import bounded_map


def test_every_item_is_processed_once() -> None:
    """Each item's result comes back exactly once, whatever the completion order."""
    results = list(bounded_map(lambda n: n * n, range(500), workers=8))
    assert sorted(results) == [n * n for n in range(500)]


def test_items_are_pulled_lazily_within_the_window() -> None:
    """No more than max_in_flight items are taken from the source before results are consumed."""
    pulled = 0
    release = threading.Event()

    def source() -> Iterator[int]:
        nonlocal pulled
        for n in range(1000):
            pulled += 1
            yield n

    def slow(n: int) -> int:
        release.wait(timeout=5)
        return n

    results = bounded_map(slow, source(), workers=4, max_in_flight=6)
    threading.Timer(0.2, release.set).start()
    first = next(results)
    # The window of 6 was full when the first result came back; one more may have been pulled.
    assert pulled <= 7
    assert first in range(7)
    assert len(list(results)) == 999


def test_concurrency_is_bounded_by_workers() -> None:
    """At most `workers` calls run at the same time."""
    running = 0
    peak = 0
    lock = threading.Lock()

    def work(n: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.002)
        with lock:
            running -= 1
        return n

    list(bounded_map(work, range(200), workers=5))
    assert 1 < peak <= 5


def test_function_errors_propagate() -> None:
    """An exception from the function surfaces to the caller rather than vanishing."""

    def boom(n: int) -> int:
        if n == 3:
            raise RuntimeError("item 3")
        return n

    with pytest.raises(RuntimeError, match="item 3"):
        list(bounded_map(boom, range(10), workers=2))


def test_rejects_zero_workers() -> None:
    """A zero-sized pool is a configuration error, not a silent hang."""
    with pytest.raises(ValueError, match="workers"):
        list(bounded_map(lambda n: n, range(3), workers=0))
