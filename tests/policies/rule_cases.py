"""Table-driven checks for resource rules: a compliant baseline, mutations, unknowns, unrelated.

Every resource rule is tested the same four ways through the real pack process, so each concern's
test module only declares its cases; the checks here say what "passes" and "fails" mean.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.pack import UNKNOWN, FakeResource, PackClient, violations_of
from tools.preview.analyzer import Violation

__all__ = [
    "Case",
    "check_baseline",
    "check_mutation",
    "check_unknown",
    "check_unrelated",
    "four_way_tests",
    "hits",
    "with_props",
]

SUBJECT = "subject"


@dataclass(frozen=True)
class Case:
    """A compliant resource for one rule, and the input a preview may not know yet."""

    rule: str
    type: str
    props: Mapping[str, Any]
    unknown: str
    """An input the rule reads; set to the unknown sentinel it must not fail the preview."""
    unrelated: str = "aws:ec2/vpc:Vpc"
    """A type the rule has no business with."""

    @property
    def id(self) -> str:
        return f"{self.rule}@{self.type.split(':')[1]}"

    def __str__(self) -> str:
        return self.id


def hits(violations: Sequence[Violation], rule: str) -> list[tuple[str, str, str]]:
    """(enforcement, resource name, message) of `rule`'s violations."""
    return [
        (v.enforcement, v.urn.rsplit("::", 1)[-1], v.message)
        for v in violations_of(violations, rule)
    ]


def with_props(props: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """`props` overridden by `changes`; a change to None removes the input."""
    return {k: v for k, v in {**props, **changes}.items() if v is not None}


def _analyze(pack: PackClient, case: Case, props: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return hits(pack.analyze(FakeResource(case.type, SUBJECT, props)), case.rule)


def _default_enforcement(pack: PackClient, rule: str) -> str:
    return next(p.enforcement for p in pack.info.policies if p.name == rule)


def check_baseline(pack: PackClient, case: Case) -> None:
    """The compliant resource raises nothing."""
    assert _analyze(pack, case, case.props) == []


def check_mutation(pack: PackClient, case: Case, changes: Mapping[str, Any], fragment: str) -> None:
    """One change makes exactly one violation, at the rule's default level, on the resource."""
    found = _analyze(pack, case, with_props(case.props, changes))
    expected = _default_enforcement(pack, case.rule)
    assert [(e, name) for e, name, _ in found] == [(expected, SUBJECT)], found
    assert fragment in found[0][2]


def check_unknown(pack: PackClient, case: Case) -> None:
    """An input unknown during preview is reported as not checkable, never as mandatory."""
    found = _analyze(pack, case, with_props(case.props, {case.unknown: UNKNOWN}))
    assert found, "the rule should say it cannot run until the value is known"
    assert all(e == "advisory" and "during preview" in m for e, _, m in found), found


def check_unrelated(pack: PackClient, case: Case) -> None:
    """A resource of another type is none of the rule's business, whatever its inputs."""
    assert _analyze(pack, Case(case.rule, case.unrelated, {}, ""), case.props) == []


def four_way_tests(
    cases: Mapping[str, Case], mutations: Sequence[Any]
) -> tuple[Callable[..., None], Callable[..., None], Callable[..., None], Callable[..., None]]:
    """The four tests every resource-rule module runs over its `cases` and `mutations`.

    A module binds them under their own names so pytest collects them there:
    `(test_compliant_baseline_passes, ...) = four_way_tests(CASES, MUTATIONS)`.
    """

    @pytest.mark.parametrize("case", cases.values(), ids=str)
    def test_compliant_baseline_passes(pack: PackClient, case: Case) -> None:
        """The compliant resource of each rule and type raises nothing."""
        check_baseline(pack, case)

    @pytest.mark.parametrize(("case_id", "changes", "fragment"), mutations)
    def test_mutation_is_reported(
        pack: PackClient, case_id: str, changes: dict[str, object], fragment: str
    ) -> None:
        """Each way a resource can fail its rule is reported once with the reason."""
        check_mutation(pack, cases[case_id], changes, fragment)

    @pytest.mark.parametrize("case", cases.values(), ids=str)
    def test_unknown_input_is_never_mandatory(pack: PackClient, case: Case) -> None:
        """A value known only after update makes the rule wait, never fail the preview."""
        check_unknown(pack, case)

    @pytest.mark.parametrize("case", cases.values(), ids=str)
    def test_unrelated_type_is_ignored(pack: PackClient, case: Case) -> None:
        """Other resource types are none of the rule's business."""
        check_unrelated(pack, case)

    return (
        test_compliant_baseline_passes,
        test_mutation_is_reported,
        test_unknown_input_is_never_mandatory,
        test_unrelated_type_is_ignored,
    )
