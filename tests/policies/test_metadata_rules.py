"""What the running pack tells the engine about its rules: names, texts, levels, config."""

from __future__ import annotations

import re

import pytest

from policies.framework import DOCS_BASE
from policies.registry import all_rules
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
