"""The property census: every security-relevant input of the stacks' types is guarded or exempt.

The census is rendered from the prod and dev programs and the providers' typed Args; the
committed `policies/census.json` must be exactly that (`make docs` writes it), and no row may be
neither guarded by a rule's `guards` nor exempted with a reason.
"""

from __future__ import annotations

import json

import pytest

from policies.census_exemptions import EXEMPTIONS
from policies.registry import all_rules
from tests.support.stack import rendered
from tools.census import (
    CENSUS_JSON,
    HEALTHOMICS_ELSEWHERE,
    Input,
    categories,
    census_rows,
    guard_matches,
    render_census,
    schema_inputs,
)

pytestmark = pytest.mark.policy


def _present_types() -> list[str]:
    """As `tools.census.present_types`: prod, dev, and prod with HealthOmics where offered."""
    views = [rendered("prod"), rendered("dev"), rendered("prod", HEALTHOMICS_ELSEWHERE)]
    return sorted(
        {
            r.type
            for view in views
            for r in view.resources
            if r.custom and not r.type.startswith("pulumi:")
        }
    )


@pytest.fixture(scope="module")
def census() -> dict[str, object]:
    return json.loads(render_census(_present_types()))  # type: ignore[no-any-return]


def test_committed_census_matches_the_stacks_and_the_rules() -> None:
    """policies/census.json is what the generator renders now; run `make docs` after a change."""
    assert CENSUS_JSON.read_text(encoding="utf-8") == render_census(_present_types())


def test_every_security_relevant_input_is_guarded_or_exempted(census: dict[str, object]) -> None:
    """No input of a present type is left to chance: a rule guards it or a reason exempts it."""
    rows = census["inputs"]
    assert isinstance(rows, list)
    uncovered = [r["path"] for r in rows if "guardedBy" not in r and "exemption" not in r]
    assert uncovered == []
    assert len(rows) > 300


def test_a_new_type_would_fail_the_census() -> None:
    """The check can fail: a type the stack does not create yet has inputs nobody covers."""
    rows = census_rows(["aws:rds/instance:Instance"])
    uncovered = {r["path"] for r in rows if "guardedBy" not in r and "exemption" not in r}
    assert "aws:rds/instance:Instance.storageEncrypted" in uncovered
    assert "aws:rds/instance:Instance.publiclyAccessible" in uncovered


def test_exemptions_name_only_security_relevant_inputs_of_present_types(
    census: dict[str, object],
) -> None:
    """No stale exemption: each names an input the census lists, and none hides a guarded one."""
    rows = {r["path"]: r for r in census["inputs"]}  # type: ignore[attr-defined]
    assert sorted(set(EXEMPTIONS) - set(rows)) == []
    assert [p for p in EXEMPTIONS if "guardedBy" in rows[p]] == []
    assert all(reason.strip() and "\n" not in reason for reason in EXEMPTIONS.values())


def test_every_guard_names_a_real_input() -> None:
    """A rule's guard matches some input of its type in the provider's Args (no typo hides one)."""
    for rule in all_rules():
        for guard in rule.guards:
            type_token = (
                "kubernetes:storage.k8s.io/v1:StorageClass"
                if guard.startswith("kubernetes:storage.k8s.io/v1:StorageClass.")
                else guard.split(".", 1)[0]
            )
            if "*" in type_token:
                continue
            paths = [i.path for i in schema_inputs(type_token)]
            assert any(guard_matches(guard, p) for p in paths), (rule.name, guard)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("kmsMasterKeyId", ["encryption"]),
        ("sseKmsEncryptedObjects", ["encryption"]),
        ("publicAccessCidrs", ["exposure", "network"]),
        ("preserveDeletedFiles", ["deletion"]),
        ("noncurrentVersionExpiration", ["lifecycle"]),
        ("objectLockMode", ["retention"]),
        ("assumeRolePolicy", ["principals"]),
        ("privileged", ["privilege"]),
        ("destinationVaultArn", ["destinations"]),
        ("protocol", ["protocols"]),
        ("enabledRegions", ["regions"]),
        ("retentionInDays", ["retention"]),
    ],
)
def test_heuristic_flags_security_inputs_by_their_words(name: str, expected: list[str]) -> None:
    """An input is security-relevant when one of its camelCase words is in a category."""
    assert categories(Input(f"aws:x/y:Y.{name}", "")) == expected


@pytest.mark.parametrize(
    "path",
    [
        "aws:sns/topic:Topic.deliveryPolicy",
        "aws:cloudwatch/eventTarget:EventTarget.retryPolicy",
        "aws:apigateway/method:Method.httpMethod",
        "aws:ec2/route:Route.transitGatewayId",
        "aws:s3/bucket:Bucket.tags",
        "aws:datazone/domain:Domain.timeouts.delete",
        "kubernetes:core/v1:Namespace.status.conditions[].lastTransitionTime",
        "aws:cloudwatch/metricAlarm:MetricAlarm.threshold",
    ],
)
def test_heuristic_leaves_look_alikes_out(path: str) -> None:
    """Retry and delivery policies, HTTP methods, transit gateways, tags, timeouts and status
    fields share words with security settings but decide nothing about protection."""
    assert categories(Input(path, "")) == []


def test_explicit_additions_catch_inputs_whose_name_hides_them() -> None:
    """A Batch job's containerProperties (privileged inside) is listed though no word says so."""
    path = "aws:batch/jobDefinition:JobDefinition.containerProperties"
    assert categories(Input(path, "")) == ["privilege"]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("aws:*.region", "aws:s3/bucket:Bucket.region", True),
        ("aws:*.region", "aws:dynamodb/table:Table.replicas[].regionName", False),
        ("aws:*.region", "aws:x/y:Y.block.region", False),
        ("aws:x/y:Y.rules[].**", "aws:x/y:Y.rules[].filter.prefix", True),
        ("aws:x/y:Y.rules[].**", "aws:x/y:Y.rules[]", True),
        ("aws:x/y:Y.rules[].**", "aws:x/y:Y.rulesExtra", False),
        ("aws:x/y:Y.policy", "aws:x/y:Y.policyDocument", False),
    ],
)
def test_guard_patterns(pattern: str, path: str, matches: bool) -> None:
    """`*` stands for one name (no dot); a trailing `.**` for a whole block and its root."""
    assert guard_matches(pattern, path) is matches
