"""Rules for the promises the property census and the invariant inventory surfaced.

Each rule is tested through the real pack: a compliant baseline, its mutations, an unknown input,
an unrelated type (resource rules), adversarial variants that still look guarded, and for each
family one equivalent rewrite that must stay clean (the false-positive probe).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.rule_cases import (
    Case,
    four_way_tests,
    stack_variant,
    stack_variant_tests,
    variant,
    variant_tests,
)
from tests.support.pack import FakeResource, PackClient

pytestmark = pytest.mark.policy

REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
OWN_ROOT = "arn:aws:iam::111122223333:root"
LAKE = "arn:aws:s3:::gen-prod-raw-sequence-ap-south-1"
KEY = "arn:aws:kms:ap-south-1:111122223333:key/47f0e7a2-0000-4000-8000-000000000001"
DR_VAULT = "arn:aws:backup:ap-south-2:111122223333:backup-vault:gen-prod-ebs-dr"

_REPLICATION_RULE = {
    "id": "to-dr-region",
    "status": "Enabled",
    "filter": {"prefix": ""},
    "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"status": "Enabled"}},
    "deleteMarkerReplication": {"status": "Enabled"},
    "destination": {
        "bucket": "arn:aws:s3:::gen-prod-raw-sequence-ap-south-2",
        "encryptionConfiguration": {"replicaKmsKeyId": KEY},
    },
}


def _replication(**changes: Any) -> list[dict[str, Any]]:
    rule = {k: v for k, v in {**_REPLICATION_RULE, **changes}.items() if v is not None}
    return [rule]


def _copy_plan(vault: str) -> list[dict[str, Any]]:
    return [
        {
            "ruleName": "daily",
            "targetVaultName": "gen-prod-ebs",
            "schedule": "cron(0 20 * * ? *)",
            "lifecycle": {"deleteAfter": 7},
            "copyActions": [{"destinationVaultArn": vault, "lifecycle": {"deleteAfter": 7}}],
        }
    ]


def _lifecycle(**expiration: Any) -> list[dict[str, Any]]:
    rule: dict[str, Any] = {
        "id": "intelligent-tiering-and-versions",
        "status": "Enabled",
        "filter": {"prefix": ""},
        "transitions": [{"storageClass": "INTELLIGENT_TIERING", "days": 0}],
        "noncurrentVersionExpiration": {"noncurrentDays": 90},
    }
    if expiration:
        rule["expiration"] = expiration
    return [rule]


_CASES = [
    Case(
        "s3-bucket-replication-every-object",
        REPLICATION,
        {"bucket": "gen-prod-raw-sequence-ap-south-1", "role": "r", "rules": _replication()},
        unknown="rules",
    ),
    Case(
        "ec2-default-security-group-closed",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        {"vpcId": "vpc-1"},
        unknown="ingress",
    ),
    Case(
        "sns-subscription-encrypted-protocol",
        "aws:sns/topicSubscription:TopicSubscription",
        {"topic": "arn:aws:sns:ap-south-1:111122223333:alerts", "protocol": "email"},
        unknown="protocol",
    ),
    Case(
        "datasync-task-preserves-deleted-files",
        "aws:datasync/task:Task",
        {
            "sourceLocationArn": "src",
            "destinationLocationArn": "dst",
            "options": {"preserveDeletedFiles": "PRESERVE", "transferMode": "CHANGED"},
        },
        unknown="options",
    ),
    Case(
        "backup-plan-copy-stays-in-allowed-regions",
        "aws:backup/plan:Plan",
        {"name": "daily", "rules": _copy_plan(DR_VAULT)},
        unknown="rules",
    ),
    Case(
        "s3-lifecycle-never-expires-worm-data",
        LIFECYCLE,
        {"bucket": "gen-prod-raw-sequence-ap-south-1", "rules": _lifecycle()},
        unknown="rules",
    ),
]
_CONTAINER = {
    "image": "111122223333.dkr.ecr.ap-south-1.amazonaws.com/quay/samtools@sha256:a1",
    "readonlyRootFilesystem": True,
    "privileged": False,
}
_CASES.append(
    Case(
        "batch-job-definition-unprivileged",
        "aws:batch/jobDefinition:JobDefinition",
        {"name": "qc", "type": "container", "containerProperties": json.dumps(_CONTAINER)},
        unknown="containerProperties",
    )
)
CASES = {case.id: case for case in _CASES}

_REPL, _DSG, _SNS, _DS, _BACKUP, _LIFE, _BATCH = (case.id for case in _CASES)


def _container(**changes: Any) -> dict[str, str]:
    merged = {k: v for k, v in {**_CONTAINER, **changes}.items() if v is not None}
    return {"containerProperties": json.dumps(merged)}


_SG_RULE = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}
MUTATIONS = [
    (
        _REPL,
        {"rules": _replication(filter={"prefix": "projects/tb-genomics/"})},
        'prefix "projects/tb-genomics/"',
    ),
    (
        _REPL,
        {"rules": _replication(sourceSelectionCriteria=None)},
        "skips SSE-KMS objects",
    ),
    (
        _DSG,
        {"ingress": [_SG_RULE]},
        "holds 1 ingress rule(s)",
    ),
    (
        _DSG,
        {"egress": [{**_SG_RULE, "protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]}]},
        "holds 1 egress rule(s)",
    ),
    (
        _SNS,
        {"protocol": "http", "endpoint": "http://hooks.example.org/alerts"},
        "delivers over http",
    ),
    (
        _SNS,
        {"protocol": "https", "endpoint": "http://hooks.example.org/alerts"},
        "names a non-https endpoint",
    ),
    (
        _DS,
        {"options": {"preserveDeletedFiles": "REMOVE", "transferMode": "CHANGED"}},
        "deletes destination files removed at the source",
    ),
    (
        _BACKUP,
        {"rules": _copy_plan(DR_VAULT.replace("ap-south-2", "eu-west-1"))},
        "copies recovery points to eu-west-1",
    ),
    (
        _LIFE,
        {"rules": _lifecycle(days=365)},
        "expires current objects of write-once data",
    ),
    (_BATCH, _container(privileged=True), "the container is privileged"),
    (_BATCH, _container(readonlyRootFilesystem=False), "has a writable root file system"),
    (_BATCH, _container(user="root"), "runs as root"),
]

(
    test_compliant_baseline_passes,
    test_mutation_is_reported,
    test_unknown_input_is_never_mandatory,
    test_unrelated_type_is_ignored,
) = four_way_tests(CASES, MUTATIONS)

VARIANTS = [
    # Replication: a tag filter or an and-filter narrows as surely as a prefix.
    variant(
        _REPL,
        "equivalent-value",
        {"rules": _replication(filter={"tag": {"key": "project", "value": "tb-genomics"}})},
        "a tag",
    ),
    variant(
        _REPL,
        "equivalent-value",
        {"rules": _replication(filter={"and": {"prefix": "projects/", "tags": {"a": "b"}}})},
        "an and-filter",
    ),
    variant(
        _REPL,
        "case-and-type",
        {
            "rules": _replication(
                sourceSelectionCriteria={"sseKmsEncryptedObjects": {"status": "Disabled"}}
            )
        },
        "skips SSE-KMS objects",
    ),
    # False-positive probes: no filter at all, or an empty one, selects every object.
    variant(_REPL, "equivalent-value", {"rules": _replication(filter={})}, None),
    variant(_REPL, "equivalent-value", {"rules": _replication(filter=None)}, None),
    variant(
        _REPL,
        "equivalent-value",
        {"rules": _replication(status="Disabled", filter={"prefix": "x/"})},
        None,
    ),
    # Default security group: an empty list is the closed group; a self-referencing rule is not.
    variant(_DSG, "equivalent-value", {"ingress": [], "egress": []}, None),
    variant(
        _DSG,
        "equivalent-value",
        {"ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]},
        "holds 1 ingress rule(s)",
    ),
    # Subscriptions: case does not hide plain HTTP; HTTPS to an https:// endpoint is fine.
    variant(
        _SNS, "case-and-type", {"protocol": "HTTP", "endpoint": "http://h.example.org"}, "over http"
    ),
    variant(
        _SNS, "equivalent-value", {"protocol": "https", "endpoint": "https://h.example.org"}, None
    ),
    variant(_SNS, "case-and-type", {"protocol": "sqs", "endpoint": "arn:aws:sqs:x"}, None),
    # DataSync: lower case REMOVE still removes; TransferMode ALL with PRESERVE deletes nothing.
    variant(_DS, "case-and-type", {"options": {"preserveDeletedFiles": "remove"}}, "REMOVE"),
    variant(_DS, "equivalent-value", {"options": {"transferMode": "ALL"}}, None),
    variant(_DS, "equivalent-value", {"options": None}, None),
    # Backup copies: a vault ARN without a region is not known to be in India.
    variant(
        _BACKUP,
        "wildcard-value",
        {"rules": _copy_plan("arn:aws:backup:*:111122223333:backup-vault:dr")},
        "copies recovery points to *",
    ),
    variant(
        _BACKUP,
        "equivalent-value",
        {"rules": _copy_plan(DR_VAULT.replace("ap-south-2", "ap-south-1"))},
        None,
    ),
    # Lifecycle: a date expires as surely as days; other buckets and markers-only pass.
    variant(_LIFE, "equivalent-value", {"rules": _lifecycle(date="2027-01-01")}, "expires current"),
    variant(_LIFE, "equivalent-value", {"rules": _lifecycle(expiredObjectDeleteMarker=True)}, None),
    variant(
        _LIFE,
        "equivalent-value",
        {"bucket": "gen-prod-access-logs-ap-south-1", "rules": _lifecycle(days=365)},
        None,
    ),
]
VARIANTS += [
    # Batch: the same container as an object, "true" as text, uid 0, an added capability,
    # an EKS security context; a non-root user and the JSON object form stay clean.
    variant(_BATCH, "case-and-type", _container(privileged="true"), "is privileged"),
    variant(_BATCH, "equivalent-value", _container(user="0"), "runs as root"),
    variant(_BATCH, "equivalent-value", _container(readonlyRootFilesystem=None), "writable root"),
    variant(
        _BATCH,
        "equivalent-value",
        _container(linuxParameters={"capabilities": {"add": ["SYS_ADMIN"]}}),
        "adds Linux capabilities SYS_ADMIN",
    ),
    variant(
        _BATCH,
        "equivalent-value",
        {
            "containerProperties": None,
            "eksProperties": {
                "podProperties": {
                    "containers": [
                        {"name": "align", "image": "i", "securityContext": {"runAsUser": 0}}
                    ]
                }
            },
        },
        "EKS container align runs as root",
    ),
    variant(_BATCH, "equivalent-value", _container(user="1000"), None),
    variant(_BATCH, "json-vs-object", {"containerProperties": _CONTAINER}, None),
]
test_adversarial_variant = variant_tests(CASES, VARIANTS)


# ---- roles people assume, and trust ----


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(principal: str = OWN_ROOT, condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {
        "Sid": "AssumeWithMfa",
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
        "Condition": condition or {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }
    return _doc(statement)


def _person(statement: dict[str, Any], trust: str | None = None) -> list[FakeResource]:
    return [
        FakeResource(ROLE, "researchers", {"assumeRolePolicy": trust or _trust()}),
        FakeResource(
            ROLE_POLICY,
            "researchers-access",
            {"role": "researchers", "policy": _doc(statement)},
            depends_on={"role": ["researchers"]},
        ),
    ]


def _read(project: object, operator: str = "StringEquals") -> dict[str, Any]:
    return {
        "Sid": "ReadOwnProjectObjects",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": f"{LAKE}/*",
        "Condition": {
            operator: {"s3:ExistingObjectTag/project": project},
            "StringEquals": {
                "s3:ExistingObjectTag/data-classification": ["internal", "confidential"],
                "aws:PrincipalTag/project": "tb-genomics",
            },
        }
        if operator != "StringEquals"
        else {
            "StringEquals": {
                "s3:ExistingObjectTag/project": project,
                "s3:ExistingObjectTag/data-classification": ["internal", "confidential"],
                "aws:PrincipalTag/project": "tb-genomics",
            }
        },
    }


def _list(condition: dict[str, Any] | None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "ListOwnProjectPrefix",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": LAKE,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def _decrypt(resource: object, condition: dict[str, Any] | None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "UseLakeKeyThroughS3",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": resource,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


_OWN = "${aws:PrincipalTag/project}"
_PREFIX = {"StringLike": {"s3:prefix": f"projects/{_OWN}/*"}}
_VIA_S3 = {"StringEquals": {"kms:ViaService": "s3.ap-south-1.amazonaws.com"}}
_TAG_RULE = "iam-s3-read-project-is-principal-tag"
_LIST_RULE = "iam-s3-list-within-own-prefix"
_KMS_RULE = "iam-kms-decrypt-named-keys-via-s3"
_TRUST_RULE = "iam-role-trust-conditions-hold"
_TARGET = "researchers-access"


def _others_in_own_account() -> list[FakeResource]:
    """Roles trusting the own account, so the stack's account is known by majority."""
    return [FakeResource(ROLE, f"peer-{n}", {"assumeRolePolicy": _trust()}) for n in range(3)]


def _trusting(principal: str, condition: dict[str, Any] | None = None) -> list[FakeResource]:
    return [
        *_others_in_own_account(),
        FakeResource(ROLE, "researchers", {"assumeRolePolicy": _trust(principal, condition)}),
    ]


STACK_VARIANTS = [
    # The project read follows the session's tag.
    stack_variant(_TAG_RULE, "equivalent-value", _person(_read(_OWN)), _TARGET, None),
    stack_variant(_TAG_RULE, "string-vs-list", _person(_read([_OWN])), _TARGET, None),
    stack_variant(
        _TAG_RULE, "equivalent-value", _person(_read("tb-genomics")), _TARGET, "'tb-genomics'"
    ),
    stack_variant(
        _TAG_RULE,
        "wildcard-value",
        _person(_read("tb-*", operator="StringLike")),
        _TARGET,
        "'tb-*' instead of the session's",
    ),
    stack_variant(
        _TAG_RULE,
        "wildcard-value",
        _person(_read(_OWN, operator="StringLike")),
        _TARGET,
        "instead of the session's",
    ),
    # Lists stay under the own project prefix.
    stack_variant(_LIST_RULE, "equivalent-value", _person(_list(_PREFIX)), _TARGET, None),
    stack_variant(_LIST_RULE, "equivalent-value", _person(_list(None)), _TARGET, "no condition"),
    stack_variant(
        _LIST_RULE,
        "wildcard-value",
        _person(_list({"StringLike": {"s3:prefix": "*"}})),
        _TARGET,
        'StringLike "*" matches every value',
    ),
    stack_variant(
        _LIST_RULE,
        "if-exists",
        _person(_list({"StringLikeIfExists": {"s3:prefix": f"projects/{_OWN}/*"}})),
        _TARGET,
        "passes when the request lacks the key",
    ),
    stack_variant(
        _LIST_RULE,
        "principal-widening",
        _person(_list({"StringLike": {"s3:prefix": "projects/*"}})),
        _TARGET,
        "lists prefixes outside",
    ),
    # Decrypt names keys and goes through S3.
    stack_variant(_KMS_RULE, "equivalent-value", _person(_decrypt(KEY, _VIA_S3)), _TARGET, None),
    stack_variant(_KMS_RULE, "string-vs-list", _person(_decrypt([KEY], _VIA_S3)), _TARGET, None),
    stack_variant(
        _KMS_RULE, "wildcard-value", _person(_decrypt("*", _VIA_S3)), _TARGET, "any key (*)"
    ),
    stack_variant(
        _KMS_RULE,
        "wildcard-value",
        _person(_decrypt("arn:aws:kms:ap-south-1:111122223333:key/*", _VIA_S3)),
        _TARGET,
        "any key",
    ),
    stack_variant(
        _KMS_RULE,
        "if-exists",
        _person(
            _decrypt(
                KEY, {"StringEqualsIfExists": {"kms:ViaService": "s3.ap-south-1.amazonaws.com"}}
            )
        ),
        _TARGET,
        "decrypts outside S3",
    ),
    stack_variant(
        _KMS_RULE,
        "not-element",
        _person(
            {
                "Sid": "UseLakeKeyThroughS3",
                "Effect": "Allow",
                "Action": "kms:*",
                "NotResource": KEY,
            }
        ),
        _TARGET,
        "NotResource",
    ),
    # Trust: no IfExists, no other account.
    stack_variant(_TRUST_RULE, "equivalent-value", _trusting(OWN_ROOT), "researchers", None),
    stack_variant(
        _TRUST_RULE,
        "principal-narrowing",
        _trusting("arn:aws:iam::111122223333:role/admin"),
        "researchers",
        None,
    ),
    stack_variant(
        _TRUST_RULE,
        "if-exists",
        _trusting(OWN_ROOT, {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}),
        "researchers",
        "BoolIfExists, which passes without it",
    ),
    stack_variant(
        _TRUST_RULE,
        "principal-widening",
        _trusting("arn:aws:iam::444455556666:root"),
        "researchers",
        "trusts arn:aws:iam::444455556666:root, outside",
    ),
    stack_variant(
        _TRUST_RULE,
        "principal-widening",
        _trusting("444455556666"),
        "researchers",
        "trusts 444455556666, outside",
    ),
    stack_variant(
        _TRUST_RULE,
        "operator-swap",
        _trusting(
            OWN_ROOT,
            {
                "Bool": {"aws:MultiFactorAuthPresent": "true"},
                "ForAllValues:StringEquals": {"aws:TagKeys": "project"},
            },
        ),
        "researchers",
        None,
    ),
]
test_adversarial_stack_variant = stack_variant_tests(STACK_VARIANTS)


def test_service_roles_are_not_held_to_people_scopes(pack: PackClient) -> None:
    """A role only Lambda may assume is scoped by its service, not by session tags."""
    trust = _doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    fakes = _person(_decrypt("*", None), trust=trust)
    found = [v.policy for v in pack.analyze_stack(fakes)]
    assert _KMS_RULE not in found
