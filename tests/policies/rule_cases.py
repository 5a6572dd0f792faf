"""Table-driven checks for rules: a compliant baseline, mutations, adversarial variants.

Every resource rule is tested the same four ways through the real pack process, so each concern's
test module only declares its cases; the checks here say what "passes" and "fails" mean.

Beside the plain mutation, each rule gets adversarial variants: changes a reviewer might wave
through because the result still *looks* guarded (an operator swapped to `StringLike` or
`...IfExists`, a wildcard value, a `Not*` element, a principal widened) or because it is written
differently (a string instead of a one-item list, a JSON string instead of an object). A variant
is data, `variant(case_id, kind, changes, fragment)`: with a fragment it must be reported like a
mutation, with `None` it must pass like the baseline. `form_variants` derives the "written
differently" forms of every baseline and mutation automatically, and the verdict must not move.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pytest

from tests.support.pack import UNKNOWN, FakeResource, PackClient, violations_of
from tools.preview.analyzer import Violation

__all__ = [
    "KINDS",
    "Case",
    "as_objects",
    "as_scalars_and_lists",
    "check_baseline",
    "check_mutation",
    "check_unknown",
    "check_unrelated",
    "form_tests",
    "form_variants",
    "four_way_tests",
    "hits",
    "stack_variant",
    "stack_variant_tests",
    "variant",
    "variant_tests",
    "with_props",
]

KINDS: Final = (
    "operator-swap",
    "if-exists",
    "wildcard-value",
    "not-element",
    "principal-narrowing",
    "principal-widening",
    "string-vs-list",
    "json-vs-object",
    "case-and-type",
    "equivalent-value",
)
"""The kinds of adversarial variant; a variant's test id starts with its kind."""

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


# ---- adversarial variants ----


def variant(case_id: str, kind: str, changes: Mapping[str, Any], fragment: str | None) -> Any:
    """One adversarial variant of `case_id`'s baseline: reported with `fragment`, or passing."""
    assert kind in KINDS, f"unknown variant kind {kind}"
    outcome = "reported" if fragment is not None else "passes"
    return pytest.param(case_id, changes, fragment, id=f"{kind}:{case_id}:{outcome}")


def check_variant(
    pack: PackClient, case: Case, changes: Mapping[str, Any], fragment: str | None
) -> None:
    """A variant that must be caught is reported like a mutation; one that is fine passes."""
    if fragment is None:
        assert _analyze(pack, case, with_props(case.props, changes)) == []
    else:
        check_mutation(pack, case, changes, fragment)


def variant_tests(cases: Mapping[str, Case], variants: Sequence[Any]) -> Callable[..., None]:
    """The adversarial-variant test of a resource-rule module (bind it as a `test_` name)."""

    @pytest.mark.parametrize(("case_id", "changes", "fragment"), variants)
    def test_adversarial_variant(
        pack: PackClient, case_id: str, changes: dict[str, Any], fragment: str | None
    ) -> None:
        """A weakened-but-plausible variant is still caught; an equivalent one still passes."""
        check_variant(pack, cases[case_id], changes, fragment)

    return test_adversarial_variant  # type: ignore[no-any-return]


def _json_text(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def as_objects(props: Mapping[str, Any]) -> dict[str, Any]:
    """`props` with every JSON-text input given as the object it encodes (and back: objects
    that hold IAM documents as text), the other form Pulumi programs send."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        decoded = _json_text(value)
        if decoded is not value:
            out[key] = decoded
        elif isinstance(value, Mapping) and "Statement" in value:
            out[key] = json.dumps(value)
        else:
            out[key] = value
    return out


_ONE_OR_MANY: Final = ("Action", "NotAction", "Resource", "NotResource")


def _flip(value: Any) -> Any:
    """A one-item list as its item, a single string as a one-item list."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    if isinstance(value, str):
        return [value]
    return value


def _flip_statement(statement: Any) -> Any:
    if not isinstance(statement, Mapping):
        return statement
    out = dict(statement)
    for key in _ONE_OR_MANY:
        if key in out:
            out[key] = _flip(out[key])
    for key in ("Principal", "NotPrincipal"):
        if isinstance(out.get(key), Mapping):
            out[key] = {k: _flip(v) for k, v in out[key].items()}
    if isinstance(out.get("Condition"), Mapping):
        out["Condition"] = {
            op: {k: _flip(v) for k, v in keys.items()} if isinstance(keys, Mapping) else keys
            for op, keys in out["Condition"].items()
        }
    return out


def _flip_document(value: Any) -> Any:
    text = isinstance(value, str)
    document = _json_text(value)
    if not isinstance(document, Mapping) or "Statement" not in document:
        return value
    statements = document["Statement"]
    flipped = dict(document)
    if isinstance(statements, list):
        flipped["Statement"] = (
            _flip_statement(statements[0])
            if len(statements) == 1
            else [_flip_statement(s) for s in statements]
        )
    else:
        flipped["Statement"] = [_flip_statement(statements)]
    return json.dumps(flipped) if text else flipped


def as_scalars_and_lists(props: Mapping[str, Any]) -> dict[str, Any]:
    """`props` with IAM's "one or many" written the other way in every policy document:
    one-item lists as strings, strings as one-item lists (Statement, Action, Resource,
    principals, condition values)."""
    out = {key: _flip_document(value) for key, value in props.items()}
    for key, value in props.items():
        if isinstance(value, list):
            out[key] = [
                {**item, "policy": _flip_document(item["policy"])}
                if isinstance(item, Mapping) and "policy" in item
                else item
                for item in value
            ]
    return out


_FORMS: Final = {"json-vs-object": as_objects, "string-vs-list": as_scalars_and_lists}


def form_variants(cases: Mapping[str, Case], mutations: Sequence[Any]) -> list[Any]:
    """Every baseline and mutation written in each other form, where that changes its inputs.

    Each param is (case_id, changes, fragment, form): the form of `changes` applied over the
    form of the baseline. The verdict must be the original one.
    """
    found: list[Any] = []
    plain: list[tuple[str, dict[str, Any], str | None]] = [(c, {}, None) for c in cases]
    for case_id, changes, fragment in [*plain, *(_values(m) for m in mutations)]:
        case = cases[case_id]
        original = with_props(case.props, changes)
        for form, rewrite in _FORMS.items():
            rewritten = rewrite(original)
            if rewritten != original:
                label = "baseline" if fragment is None else "mutation"
                param_id = f"{form}:{case_id}:{label}:{len(found)}"
                found.append(pytest.param(case_id, rewritten, fragment, id=param_id))
    return found


def _values(param: Any) -> tuple[str, dict[str, Any], str]:
    values = param.values if hasattr(param, "values") else param
    return values[0], values[1], values[2]


def form_tests(cases: Mapping[str, Case], mutations: Sequence[Any]) -> Callable[..., None]:
    """The "written differently" test of a resource-rule module (bind it as a `test_` name)."""

    @pytest.mark.parametrize(("case_id", "props", "fragment"), form_variants(cases, mutations))
    def test_other_form_same_verdict(
        pack: PackClient, case_id: str, props: dict[str, Any], fragment: str | None
    ) -> None:
        """A JSON string vs an object, a string vs a one-item list: the verdict does not move."""
        case = cases[case_id]
        found = _analyze(pack, case, props)
        if fragment is None:
            assert found == []
        else:
            expected = _default_enforcement(pack, case.rule)
            assert [(e, name) for e, name, _ in found] == [(expected, SUBJECT)], found
            assert fragment in found[0][2]

    return test_other_form_same_verdict  # type: ignore[no-any-return]


def stack_variant(
    rule: str, kind: str, fakes: Sequence[FakeResource], target: str, fragment: str | None
) -> Any:
    """A stack-rule variant: `fakes` raise `rule` once on `target` with `fragment`, or nothing."""
    assert kind in KINDS, f"unknown variant kind {kind}"
    outcome = "reported" if fragment is not None else "passes"
    return pytest.param(rule, list(fakes), target, fragment, id=f"{kind}:{rule}:{outcome}")


def stack_variant_tests(variants: Sequence[Any]) -> Callable[..., None]:
    """The adversarial-variant test of a stack-rule module (bind it as a `test_` name)."""

    @pytest.mark.parametrize(("rule", "fakes", "target", "fragment"), variants)
    def test_adversarial_stack_variant(
        pack: PackClient,
        rule: str,
        fakes: list[FakeResource],
        target: str,
        fragment: str | None,
    ) -> None:
        """A weakened-but-plausible stack is still caught; an equivalent one still passes."""
        found = hits(pack.analyze_stack(fakes), rule)
        if fragment is None:
            assert found == []
        else:
            expected = _default_enforcement(pack, rule)
            assert [(e, name) for e, name, _ in found] == [(expected, target)], found
            assert fragment in found[0][2], found

    return test_adversarial_stack_variant
