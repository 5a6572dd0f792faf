"""The IAM linter: the lake's documents are clean, and known mistakes are caught."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from components.data_lake.lake import DataLake
from tests.support.harness import Registered, record
from tools.iam_lint import DOCUMENT_INPUTS, Finding, lint_policy, lint_recorded


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.fixture(scope="module")
def lake() -> Registered:
    """The data lake with one research group, as the program renders it."""

    def build() -> None:
        DataLake(
            "lake",
            {
                "name_prefix": "gen-test",
                "research_groups": [
                    {"name": "tb-lab", "projects": ["tb-genomics"], "classifications": ["internal"]}
                ],
            },
        )

    return record(build)


def test_every_document_the_data_lake_renders_is_clean(lake: Registered) -> None:
    """Bucket, key, trust and role policies of the lake lint with zero findings."""
    linted = [r for r in lake.resources if r.type in DOCUMENT_INPUTS]
    assert {r.type for r in linted} >= {
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:kms/key:Key",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
    }
    assert lint_recorded(lake.resources) == []


def test_unknown_action_is_reported() -> None:
    """A misspelt action is a finding."""
    findings = lint_policy(
        _doc({"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::b/*"})
    )
    assert [f.issue for f in findings] == ["UNKNOWN_ACTION"]


def test_object_tag_condition_on_list_bucket_is_reported() -> None:
    """s3:ExistingObjectTag does not apply to ListBucket; the statement would never match."""
    findings = lint_policy(
        _doc(
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::b",
                "Condition": {"StringEquals": {"s3:ExistingObjectTag/project": "a"}},
            }
        )
    )
    assert [(f.issue, f.detail) for f in findings] == [
        (
            "UNKNOWN_CONDITION_FOR_ACTION",
            "Unknown condition s3:ExistingObjectTag/project for action s3:ListBucket",
        )
    ]


def test_condition_key_on_explicit_action_in_a_deny_is_still_reported() -> None:
    """Only wildcard denies are excused; a deny naming the action gets the finding."""
    findings = lint_policy(
        _doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::b",
                "Condition": {"StringEquals": {"s3:ExistingObjectTag/project": "a"}},
            }
        ),
        kind="resource",
    )
    assert [f.issue for f in findings] == ["UNKNOWN_CONDITION_FOR_ACTION"]


def test_malformed_arn_is_reported() -> None:
    """A resource that is not an ARN of the action's resource type is a finding."""
    findings = lint_policy(
        _doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:b"})
    )
    assert findings
    assert all(isinstance(f, Finding) for f in findings)


def test_resource_star_is_excused_only_in_key_policies() -> None:
    """`Resource: "*"` means "this key" in a key policy and is a finding anywhere else."""
    document = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
    )
    assert lint_policy(document, kind="key") == []
    assert [f.issue for f in lint_policy(document, kind="resource")] == ["RESOURCE_STAR"]


def test_missing_resource_is_excused_only_in_trust_policies() -> None:
    """Trust policies have no Resource by design; an identity policy without one is malformed."""
    document = _doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    assert lint_policy(document, kind="trust") == []
    assert [f.issue for f in lint_policy(document, kind="identity")] == ["MALFORMED"]


def test_decimal_numeric_values_are_accepted_but_words_are_not() -> None:
    """`s3:TlsVersion` 1.2 is valid (parliament only knows integers); `high` is not numeric."""

    def tls(value: str) -> dict[str, Any]:
        return _doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
                "Condition": {"NumericLessThan": {"s3:TlsVersion": value}},
            }
        )

    assert lint_policy(tls("1.2"), kind="resource") == []
    assert [f.issue for f in lint_policy(tls("high"), kind="resource")] == ["MISMATCHED_TYPE"]


def test_findings_name_their_source_resource() -> None:
    """lint_recorded says which resource and input a finding comes from."""

    @dataclass
    class Fake:
        type: str
        name: str
        inputs: dict[str, Any]

    policy = _doc({"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::b/*"})
    fake = Fake("aws:iam/rolePolicy:RolePolicy", "bad-policy", {"policy": json.dumps(policy)})
    (finding,) = lint_recorded([fake])
    assert finding.source == "aws:iam/rolePolicy:RolePolicy bad-policy.policy"
    assert finding.severity == "LOW"
