"""Property: however the time budget cuts the walk, runs converge on deleting exactly the old
files, and no run ever deletes a young one."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from functions.efs_cleanup.core import Clock, clean
from functions.efs_cleanup.event import CleanupRequest, Phase
from tests.functions.efs_cleanup.support import (
    NOW,
    OLD,
    YOUNG,
    TickClock,
    files_under,
    make_config,
    touch,
)

_FILE = st.tuples(
    st.lists(st.sampled_from(["d0", "d1", "d2"]), max_size=3),
    st.sampled_from(["f0", "f1", "f2"]),
    st.booleans(),
)


def _path_of(file: tuple[list[str], str, bool]) -> tuple[str, ...]:
    return (*file[0], file[1])


TREES = st.lists(_FILE, min_size=1, max_size=25, unique_by=_path_of)
BUDGETS = st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None)
@given(tree=TREES, budgets=BUDGETS)
def test_budget_cuts_never_change_what_is_deleted(
    tree: list[tuple[list[str], str, bool]], budgets: list[int]
) -> None:
    """Runs with arbitrary small budgets, then one with time to spare, leave exactly the young
    files; after every run each young file still exists."""
    with tempfile.TemporaryDirectory() as directory:
        mount = Path(directory)
        root = mount / "scratch"
        root.mkdir()
        young = set()
        for dirs, name, is_young in tree:
            relative = "/".join([*dirs, name])
            touch(root / relative, days_old=YOUNG if is_young else OLD)
            if is_young:
                young.add(relative)
        config = make_config(mount)
        for budget in budgets:
            remaining_ms = (budget + config.safety_seconds) * 1000
            clock = Clock(wall=lambda: NOW, monotonic=TickClock())
            clean(
                CleanupRequest(Phase.CLEAN), config=config, remaining_ms=remaining_ms, clock=clock
            )
            assert young <= files_under(root)
        final = clean(
            CleanupRequest(Phase.CLEAN),
            config=config,
            remaining_ms=3_600_000,
            clock=Clock(wall=lambda: NOW),
        )
        assert final.completed
        assert files_under(root) == young
