"""What the running pack tells the engine about its rules: names, texts, levels, config."""

from __future__ import annotations

import importlib
import re

import pytest

from policies.framework import DOCS_BASE
from policies.registry import all_rules
from tests.policies.rule_cases import KINDS
from tests.support.pack import FakeResource, PackClient

pytestmark = pytest.mark.policy

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
CONCERNS = {
    "in-transit-encryption",
    "required-tags",
    "tag-based-iam",
    "encryption-at-rest",
    "exposure",
    "resilience",
    "logging",
    "data-residency",
    "service-availability",
    "lambda-hygiene",
    "wiring",
    "create-order",
}


def test_pack_serves_at_least_forty_rules(pack: PackClient) -> None:
    """The pack covers the guardrail catalogue of issue 9 (40 rules or more)."""
    assert len(pack.info.policies) >= 40


def test_every_rule_is_fully_described(pack: PackClient) -> None:
    """Every rule has a kebab-case name, a one-sentence description, remediation and a URL."""
    for policy in pack.info.policies:
        assert _KEBAB.match(policy.name), policy.name
        assert policy.description.endswith("."), policy.name
        assert policy.description.count(". ") == 0, policy.name
        assert policy.remediation, policy.name
        assert policy.severity in {"low", "medium", "high", "critical"}, policy.name
        assert policy.enforcement in {"advisory", "mandatory"}, policy.name
        assert policy.url == f"{DOCS_BASE}#{policy.name}"


def test_every_rule_accepts_exclude_patterns(pack: PackClient) -> None:
    """Exemptions by name work the same way for every rule."""
    for policy in pack.info.policies:
        assert "exclude" in policy.config_schema.get("properties", {}), policy.name


def test_rules_are_grouped_by_known_concerns() -> None:
    """Each rule names one of the pack's concerns (the docs group rules by it)."""
    assert {rule.concern for rule in all_rules()} == CONCERNS


def test_pack_is_quiet_for_a_compliant_resource(pack: PackClient) -> None:
    """A plain, compliant resource draws no diagnostics at all from any rule."""
    vpc = FakeResource("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"})
    assert pack.analyze(vpc) == []


_VARIANT_MODULES = (
    "tests.policies.test_at_rest_rules",
    "tests.policies.test_breadth_rules",
    "tests.policies.test_create_order_rules",
    "tests.policies.test_event_dead_letter_rules",
    "tests.policies.test_exposure_rules",
    "tests.policies.test_iam_rules",
    "tests.policies.test_in_transit_rules",
    "tests.policies.test_lambda_hygiene_rules",
    "tests.policies.test_logging_rules",
    "tests.policies.test_residency_rules",
    "tests.policies.test_resilience_rules",
    "tests.policies.test_s3_bucket_rules",
    "tests.policies.test_service_role_rules",
    "tests.policies.test_state_machine_log_key_rules",
    "tests.policies.test_service_availability_rules",
    "tests.policies.test_wiring_rules",
)


def _rules_with_variants() -> dict[str, set[str]]:
    """Rule name → kinds of adversarial variant its tests hold, gathered from the modules."""
    found: dict[str, set[str]] = {}
    for name in _VARIANT_MODULES:
        module = importlib.import_module(name)
        cases = getattr(module, "CASES", {})
        for attribute in dir(module):
            if not attribute.endswith("VARIANTS"):
                continue
            for param in getattr(module, attribute):
                first = param.values[0]
                rule = cases[first].rule if first in cases else first
                found.setdefault(rule, set()).add(param.id.split(":", 1)[0])
    return found


def test_every_rule_has_adversarial_variants() -> None:
    """Each rule of the pack is tested beyond its plain mutation, with known variant kinds."""
    found = _rules_with_variants()
    assert sorted({rule.name for rule in all_rules()} - set(found)) == []
    assert {kind for kinds in found.values() for kind in kinds} <= set(KINDS)


def test_iam_rules_see_every_condition_variant_kind() -> None:
    """Together the IAM rules meet each way a condition or principal can be weakened."""
    iam = {r.name for r in all_rules() if r.concern == "tag-based-iam"}
    kinds = {kind for rule, ks in _rules_with_variants().items() if rule in iam for kind in ks}
    wanted = {
        "operator-swap",
        "if-exists",
        "wildcard-value",
        "not-element",
        "principal-narrowing",
        "principal-widening",
        "string-vs-list",
        "json-vs-object",
    }
    assert wanted <= kinds, sorted(wanted - kinds)


def test_every_rule_names_its_security_hub_controls_in_the_known_form() -> None:
    """Controls read `FSBP <Service>.<n>` or `CIS v3.0.0 <section>` so the docs stay uniform."""
    form = re.compile(r"^(FSBP [A-Za-z0-9]+\.\d+|CIS v3\.0\.0 \d+(\.\d+)+)$")
    for rule in all_rules():
        for control in rule.controls:
            assert form.match(control), (rule.name, control)
