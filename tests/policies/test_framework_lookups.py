"""The stack view's indexed lookups answer as plain scans of the stack would, on any graph.

Rules join resources by reference (`referencing`, `by_urn`, `of_type`) and ask whether one is
created after another (`waits_for`, transitive over dependencies). The view answers from an
index built once and from closures it keeps; these properties compare it with the obvious
scans over random stacks, cycles and dangling URNs included.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policies import conditions
from policies.framework import StackResource, StackView

TYPES = ("aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:s3/bucket:Bucket")
PROPS = ("role", "bucket")


def _urn(index: int) -> str:
    return f"urn:pulumi:test::genomics::r{index}"


@st.composite
def stacks(draw: st.DrawFn) -> tuple[StackResource, ...]:
    """Up to 12 resources; each depends on any URNs (its own, unknown ones) through inputs."""
    count = draw(st.integers(min_value=1, max_value=12))
    urns = st.integers(min_value=0, max_value=count + 1).map(_urn)  # two URNs outside the stack
    resources = []
    for index in range(count):
        property_dependencies = draw(
            st.dictionaries(st.sampled_from(PROPS), st.lists(urns, max_size=3).map(tuple))
        )
        after = draw(st.lists(urns, max_size=2))
        referenced = [urn for group in property_dependencies.values() for urn in group]
        resources.append(
            StackResource(
                type=draw(st.sampled_from(TYPES)),
                name=f"r{index}",
                urn=_urn(index),
                props={},
                provider_props={},
                parent=None,
                property_dependencies=property_dependencies,
                dependencies=tuple(dict.fromkeys([*after, *referenced])),
            )
        )
    return tuple(resources)


def _reaches(resources: tuple[StackResource, ...], start: StackResource, goal: str) -> bool:
    """Depth-first search over the dependencies, from scratch."""
    by_urn: Mapping[str, StackResource] = {r.urn: r for r in resources}
    seen: set[str] = set()
    pending = list(start.dependencies)
    while pending:
        urn = pending.pop()
        if urn == goal:
            return True
        if urn not in seen:
            seen.add(urn)
            if urn in by_urn:
                pending.extend(by_urn[urn].dependencies)
    return False


@settings(max_examples=150, deadline=None)
@given(stacks())
def test_waits_for_is_reachability_over_dependencies(resources: tuple[StackResource, ...]) -> None:
    """Every ordered pair, asked in any order, answers as a fresh search does."""
    view = StackView(resources, {})
    for dependent in resources:
        for prerequisite in resources:
            assert view.waits_for(dependent, prerequisite) == _reaches(
                resources, dependent, prerequisite.urn
            ), (dependent.name, prerequisite.name)


@settings(max_examples=150, deadline=None)
@given(stacks())
def test_joins_are_the_scans_they_replace(resources: tuple[StackResource, ...]) -> None:
    """`referencing`, `by_urn` and `of_type` give what a scan in registration order gives."""
    view = StackView(resources, {})
    for target in resources:
        assert view.by_urn(target.urn) is target
        for prop in PROPS:
            for types in (TYPES[:1], TYPES[1:], TYPES):
                scanned = [
                    r
                    for r in resources
                    if r.type in types and target.urn in r.property_dependencies.get(prop, ())
                ]
                assert view.referencing(target, *types, prop=prop) == scanned
    for types in (TYPES[:1], TYPES[1:], TYPES):
        assert view.of_type(*types) == [r for r in resources if r.type in types]
    assert view.by_urn("urn:pulumi:test::genomics::absent") is None


def test_the_action_table_is_parsed_once_when_threads_ask_together(monkeypatch: Any) -> None:
    """Four threads that all miss the cache at once still cause one parse of AWS's table."""
    parses: list[int] = []
    real_load = conditions._load_action_keys

    def slow_load() -> Mapping[str, frozenset[str]]:
        parses.append(threading.get_ident())
        time.sleep(0.2)  # long enough for every thread to arrive while the first parses
        return real_load()

    monkeypatch.setattr(conditions, "_load_action_keys", slow_load)
    monkeypatch.setattr(conditions, "_TABLE", [])
    conditions._expand.cache_clear()
    answers: list[bool | None] = []
    threads = [
        threading.Thread(
            target=lambda: answers.append(
                conditions.action_carries_key("s3:GetObject", "s3:ExistingObjectTag/project")
            )
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    conditions._expand.cache_clear()
    assert len(parses) == 1
    assert answers == [True] * 4


def test_the_pack_parses_the_action_table_before_the_first_request(monkeypatch: Any) -> None:
    """The entry point starts the parse in the background; the table is there once it ends."""
    monkeypatch.setattr(conditions, "_TABLE", [])
    entry = (Path(conditions.__file__).parent / "__main__.py").read_text(encoding="utf-8")
    assert "conditions.preload_action_table()" in entry
    thread = conditions.preload_action_table()
    thread.join(timeout=60)
    assert thread.daemon
    assert len(conditions._TABLE) == 1
    assert "s3:getobject" in conditions._TABLE[0]
