"""The three headline rules, each through the real pack process over the analyzer protocol."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.support.pack import (
    TEST_DEFAULT_TAGS,
    UNKNOWN,
    FakeResource,
    PackClient,
    provider,
    violations_of,
)
from tools.preview.program import RecordedResource

pytestmark = pytest.mark.policy

TLS_RULE = "s3-bucket-tls-only"
TAGS_RULE = "aws-resource-required-tags"
ABAC_RULE = "iam-s3-read-requires-object-tag"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ARN = "arn:aws:s3:::gen-prod-raw-sequence-ap-south-1"


def _tls_deny(**changes: object) -> dict[str, object]:
    statement: dict[str, object] = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [ARN, f"{ARN}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    statement.update(changes)
    return statement


def _bucket_with_policy(*statements: dict[str, object]) -> list[FakeResource]:
    return [
        FakeResource(BUCKET, "raw", {"bucket": "gen-prod-raw-sequence-ap-south-1"}),
        FakeResource(
            BUCKET_POLICY,
            "raw-policy",
            {
                "bucket": "gen-prod-raw-sequence-ap-south-1",
                "policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)}),
            },
            depends_on={"bucket": ["raw"]},
        ),
    ]


def test_bucket_with_tls_deny_passes(pack: PackClient) -> None:
    """A bucket whose policy denies aws:SecureTransport=false for everyone is compliant."""
    assert violations_of(pack.analyze_stack(_bucket_with_policy(_tls_deny())), TLS_RULE) == []


def test_bucket_without_policy_is_mandatory_violation(pack: PackClient) -> None:
    """A bucket with no bucket policy at all is reported against the bucket."""
    found = violations_of(pack.analyze_stack(_bucket_with_policy()[:1]), TLS_RULE)
    assert [(v.enforcement, v.urn.rsplit("::", 1)[-1]) for v in found] == [("mandatory", "raw")]
    assert "has no bucket policy" in found[0].message


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"Effect": "Allow"}, "an Allow does not deny"),
        ({"Principal": {"AWS": "arn:aws:iam::111122223333:root"}}, "one principal only"),
        ({"Action": "s3:GetObject"}, "writes stay open"),
        ({"Condition": {"Bool": {"aws:SecureTransport": "true"}}}, "denies the wrong case"),
    ],
)
def test_policy_that_does_not_deny_plain_http_is_violation(
    pack: PackClient, change: dict[str, object], why: str
) -> None:
    """Each way a TLS statement can be wrong is caught."""
    found = violations_of(pack.analyze_stack(_bucket_with_policy(_tls_deny(**change))), TLS_RULE)
    assert len(found) == 1, why
    assert "does not deny requests with aws:SecureTransport = false" in found[0].message


def test_tls_rule_ignores_unrelated_types(pack: PackClient) -> None:
    """A stack with no buckets has nothing to report."""
    fakes = [FakeResource("aws:sns/topic:Topic", "alerts", {"name": "alerts"})]
    assert violations_of(pack.analyze_stack(fakes), TLS_RULE) == []


def test_tls_rule_with_unknown_policy_is_advisory(pack: PackClient) -> None:
    """A policy document unknown until update is never a false mandatory violation."""
    fakes = _bucket_with_policy()
    fakes[1] = FakeResource(
        BUCKET_POLICY,
        "raw-policy",
        {"bucket": "b", "policy": UNKNOWN},
        depends_on={"bucket": ["raw"]},
    )
    found = violations_of(pack.analyze_stack(fakes), TLS_RULE)
    assert all(v.enforcement == "advisory" for v in found)


def test_default_tags_count_as_resource_tags(pack: PackClient) -> None:
    """Tags from the provider's default_tags (sent as JSON text) satisfy the rule."""
    assert violations_of(pack.analyze(FakeResource(BUCKET, "raw", {})), TAGS_RULE) == []


def test_default_tags_sent_as_an_object_also_count(pack: PackClient) -> None:
    """The provider's default tags may also arrive as an object."""
    found = pack.analyze(FakeResource(BUCKET, "raw", {}), provider(as_text=False))
    assert violations_of(found, TAGS_RULE) == []


def test_missing_required_tags_are_named(pack: PackClient) -> None:
    """A taggable resource without the required tags fails with the missing keys named."""
    found = violations_of(
        pack.analyze(FakeResource(BUCKET, "raw", {"tags": {"owner": "x"}}), provider({})),
        TAGS_RULE,
    )
    assert len(found) == 1
    assert "missing required tags project, environment, cost-center, managed-by" in found[0].message


def test_tag_value_outside_taxonomy_is_violation(pack: PackClient) -> None:
    """A required tag with a value outside the taxonomy's vocabulary fails."""
    found = violations_of(
        pack.analyze(FakeResource(BUCKET, "raw", {"tags": {"environment": "qa"}})), TAGS_RULE
    )
    assert ["environment='qa'" in v.message for v in found] == [True]


def test_untaggable_type_is_not_checked(pack: PackClient) -> None:
    """Types that cannot carry tags (a bucket policy) are not asked for tags."""
    found = pack.analyze(FakeResource(BUCKET_POLICY, "p", {"policy": "{}"}), provider({}))
    assert violations_of(found, TAGS_RULE) == []


def test_required_keys_come_from_pack_config(pack: PackClient) -> None:
    """The pack config can require a different key set."""
    pack.configure({TAGS_RULE: {"requiredKeys": ["data-steward"]}})
    found = violations_of(pack.analyze(FakeResource(BUCKET, "raw", {})), TAGS_RULE)
    assert "missing required tags data-steward" in found[0].message


def test_exclude_pattern_exempts_a_resource(pack: PackClient) -> None:
    """A resource whose name matches the rule's exclude patterns is exempt."""
    pack.configure({TAGS_RULE: {"exclude": ["legacy-*"]}})
    found = pack.analyze(FakeResource(BUCKET, "legacy-raw", {}), provider({}))
    assert violations_of(found, TAGS_RULE) == []


def _native_provider(default_tags: dict[str, str] | None = None) -> RecordedResource:
    """The aws-native provider with default tags, as the program configures HealthOmics."""
    return dataclasses.replace(
        provider(default_tags),
        urn="urn:pulumi:test::genomics::pulumi:providers:aws-native::test-aws-native",
        type="pulumi:providers:aws-native",
        name="test-aws-native",
    )


def test_aws_native_resource_with_provider_default_tags_passes(pack: PackClient) -> None:
    """A HealthOmics store tagged by the aws-native provider's default tags is compliant."""
    store = FakeResource("aws-native:omics:SequenceStore", "sequences", {"name": "s"})
    assert violations_of(pack.analyze(store, _native_provider()), TAGS_RULE) == []


def test_untagged_aws_native_resource_is_violation(pack: PackClient) -> None:
    """An aws-native resource without the required tags no longer escapes the rule."""
    store = FakeResource("aws-native:omics:SequenceStore", "sequences", {"name": "s"})
    found = violations_of(pack.analyze(store, _native_provider({})), TAGS_RULE)
    assert [(v.enforcement, v.urn.rsplit("::", 1)[-1]) for v in found] == [
        ("mandatory", "sequences")
    ]
    assert "missing required tags project, environment" in found[0].message


def test_aws_native_key_value_tags_are_read(pack: PackClient) -> None:
    """Most aws-native resources take tags as [{key, value}]; those count too."""
    tags = [{"key": key, "value": value} for key, value in TEST_DEFAULT_TAGS.items()]
    bucket = FakeResource("aws-native:s3:Bucket", "native-raw", {"tags": tags})
    assert violations_of(pack.analyze(bucket, _native_provider({})), TAGS_RULE) == []
    wrong = [*tags[:-1], {"key": "environment", "value": "qa"}]
    found = violations_of(
        pack.analyze(
            FakeResource("aws-native:s3:Bucket", "native-raw", {"tags": wrong}),
            _native_provider({}),
        ),
        TAGS_RULE,
    )
    assert any("environment='qa'" in v.message for v in found)


def _research_role(*statements: dict[str, object]) -> list[FakeResource]:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            }
        ],
    }
    return [
        FakeResource("aws:iam/role:Role", "researchers", {"assumeRolePolicy": json.dumps(trust)}),
        FakeResource(
            "aws:iam/rolePolicy:RolePolicy",
            "researchers-read",
            {
                "role": "researchers",
                "policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)}),
            },
            depends_on={"role": ["researchers"]},
        ),
    ]


def _read(**condition: object) -> dict[str, object]:
    return {
        "Sid": "Read",
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": f"{ARN}/*",
        **({"Condition": condition} if condition else {}),
    }


def test_conditioned_research_read_passes(pack: PackClient) -> None:
    """Reads conditioned on both ABAC keys are compliant."""
    statement = _read(
        StringEquals={
            "s3:ExistingObjectTag/project": "${aws:PrincipalTag/project}",
            "s3:ExistingObjectTag/data-classification": "${aws:PrincipalTag/data-classification}",
        }
    )
    assert violations_of(pack.analyze_stack(_research_role(statement)), ABAC_RULE) == []


def test_unconditioned_research_read_is_violation(pack: PackClient) -> None:
    """A person's role reading lake objects with no tag condition is reported."""
    found = violations_of(pack.analyze_stack(_research_role(_read())), ABAC_RULE)
    assert [v.enforcement for v in found] == ["mandatory"]
    assert (
        "without s3:ExistingObjectTag conditions on project, data-classification"
        in found[0].message
    )


def test_wildcard_read_action_is_caught(pack: PackClient) -> None:
    """`s3:Get*` grants GetObject too and needs the same conditions."""
    statement = {**_read(), "Action": "s3:Get*"}
    assert len(violations_of(pack.analyze_stack(_research_role(statement)), ABAC_RULE)) == 1


def test_service_roles_are_not_abac_scoped(pack: PackClient) -> None:
    """Roles only AWS services assume (replication, DataSync) are out of this rule's scope."""
    fakes = _research_role(_read())
    fakes[0] = FakeResource(
        "aws:iam/role:Role",
        "researchers",
        {
            "assumeRolePolicy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": "datasync.amazonaws.com"},
                        }
                    ]
                }
            )
        },
    )
    assert violations_of(pack.analyze_stack(fakes), ABAC_RULE) == []
