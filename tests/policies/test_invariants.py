"""The invariant inventory names only rules the pack serves and tests that exist."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from policies.invariants import INVARIANTS
from policies.registry import all_rules
from tools.invariants_doc import INVARIANTS_MD, render_invariants_md

ROOT = Path(__file__).resolve().parents[2]


def _test_names(path: Path) -> set[str]:
    """Module-level test names, bound by `def` or by assignment from a test factory."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                elements = target.elts if isinstance(target, ast.Tuple) else [target]
                names.update(e.id for e in elements if isinstance(e, ast.Name))
    return {n for n in names if n.startswith("test_")}


@pytest.mark.parametrize("row", INVARIANTS, ids=lambda r: r.promise[:50])
def test_every_row_names_real_rules_and_tests(row: object) -> None:
    """Each rule is in the pack; each test is defined where the row says."""
    rules = {r.name for r in all_rules()}
    assert set(row.rules) <= rules, sorted(set(row.rules) - rules)  # type: ignore[attr-defined]
    for node in row.tests:  # type: ignore[attr-defined]
        path, _, name = node.partition("::")
        assert (ROOT / path).is_file(), node
        assert name in _test_names(ROOT / path), node


def test_a_row_without_rules_says_why_a_preview_cannot_see_it() -> None:
    """No promise is silently unenforced: no rule means a stated reason and covering tests."""
    for row in INVARIANTS:
        assert row.tests, row.promise
        if not row.rules:
            assert row.preview_blind, row.promise


def test_the_headline_promises_are_in_the_inventory() -> None:
    """The promises the platform is built on each have a row."""
    text = " ".join(r.promise.lower() for r in INVARIANTS)
    for phrase in (
        "never deleted or expired",
        "encrypted or not",
        "stay in india",
        "only the object tagger",
        "reads only its own project",
        "never touches",
    ):
        assert phrase in text, phrase


def test_committed_invariants_md_matches_the_table() -> None:
    """docs/invariants.md is what the table renders; run `make docs`."""
    assert INVARIANTS_MD.read_text(encoding="utf-8") == render_invariants_md()
