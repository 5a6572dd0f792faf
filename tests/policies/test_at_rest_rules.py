"""Encryption-at-rest resource rules, through the real pack process (S3: test_s3_bucket_rules)."""

from __future__ import annotations

import pytest

from tests.policies.rule_cases import (
    Case,
    check_baseline,
    four_way_tests,
    variant,
    variant_tests,
    with_props,
)
from tests.support.pack import PackClient

pytestmark = pytest.mark.policy

KEY = "arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

_CASES = [
    Case(
        "efs-file-system-encrypted-kms",
        "aws:efs/fileSystem:FileSystem",
        {"encrypted": True, "kmsKeyId": KEY},
        unknown="kmsKeyId",
    ),
    Case(
        "ebs-volume-encrypted",
        "aws:ebs/volume:Volume",
        {"size": 100, "encrypted": True},
        "encrypted",
    ),
    Case(
        "ec2-launch-template-ebs-encrypted",
        "aws:ec2/launchTemplate:LaunchTemplate",
        {
            "blockDeviceMappings": [
                {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY}},
                {"deviceName": "/dev/sdb", "virtualName": "ephemeral0"},
            ]
        },
        unknown="blockDeviceMappings",
    ),
    Case("sns-topic-kms", "aws:sns/topic:Topic", {"kmsMasterKeyId": KEY}, "kmsMasterKeyId"),
    Case(
        "cloudwatch-log-group-kms",
        "aws:cloudwatch/logGroup:LogGroup",
        {"kmsKeyId": KEY, "retentionInDays": 365},
        unknown="kmsKeyId",
    ),
    Case(
        "dynamodb-table-kms",
        "aws:dynamodb/table:Table",
        {"serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY}},
        unknown="serverSideEncryption",
    ),
    Case("backup-vault-kms", "aws:backup/vault:Vault", {"kmsKeyArn": KEY}, "kmsKeyArn"),
    Case(
        "eks-cluster-secrets-encryption",
        "aws:eks/cluster:Cluster",
        {"encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY}}},
        unknown="encryptionConfig",
    ),
    Case("sqs-queue-encrypted", "aws:sqs/queue:Queue", {"kmsMasterKeyId": KEY}, "kmsMasterKeyId"),
    Case(
        "kms-key-rotation-enabled",
        "aws:kms/key:Key",
        {"enableKeyRotation": True, "description": "lake"},
        unknown="enableKeyRotation",
    ),
]
CASES = {case.id: case for case in _CASES}

MUTATIONS = [
    pytest.param(
        "efs-file-system-encrypted-kms@efs/fileSystem",
        {"encrypted": False, "kmsKeyId": None},
        "is not encrypted at rest",
        id="efs-unencrypted",
    ),
    pytest.param(
        "efs-file-system-encrypted-kms@efs/fileSystem",
        {"kmsKeyId": None},
        "not a kmsKeyId",
        id="efs-aws-key",
    ),
    pytest.param(
        "ebs-volume-encrypted@ebs/volume", {"encrypted": None}, "is not encrypted", id="ebs-unset"
    ),
    pytest.param(
        "ebs-volume-encrypted@ebs/volume", {"encrypted": False}, "is not encrypted", id="ebs-false"
    ),
    pytest.param(
        "ec2-launch-template-ebs-encrypted@ec2/launchTemplate",
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 50}}]},
        "EBS volume /dev/xvda is not encrypted",
        id="template-unset",
    ),
    pytest.param(
        "ec2-launch-template-ebs-encrypted@ec2/launchTemplate",
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]},
        "EBS volume /dev/xvda is not encrypted",
        id="template-false",
    ),
    pytest.param(
        "sns-topic-kms@sns/topic", {"kmsMasterKeyId": None}, "no kmsMasterKeyId", id="sns"
    ),
    pytest.param(
        "cloudwatch-log-group-kms@cloudwatch/logGroup",
        {"kmsKeyId": None},
        "has no kmsKeyId",
        id="log-group",
    ),
    pytest.param(
        "dynamodb-table-kms@dynamodb/table",
        {"serverSideEncryption": None},
        "uses the AWS-owned key",
        id="dynamodb-default",
    ),
    pytest.param(
        "dynamodb-table-kms@dynamodb/table",
        {"serverSideEncryption": {"enabled": True}},
        "serverSideEncryption has no kmsKeyArn",
        id="dynamodb-aws-managed",
    ),
    pytest.param("backup-vault-kms@backup/vault", {"kmsKeyArn": None}, "no kmsKeyArn", id="vault"),
    pytest.param(
        "eks-cluster-secrets-encryption@eks/cluster",
        {"encryptionConfig": None},
        "does not encrypt Kubernetes secrets",
        id="eks-none",
    ),
    pytest.param(
        "eks-cluster-secrets-encryption@eks/cluster",
        {"encryptionConfig": {"resources": ["secrets"], "provider": {}}},
        "does not encrypt Kubernetes secrets",
        id="eks-no-key",
    ),
    pytest.param(
        "sqs-queue-encrypted@sqs/queue",
        {"kmsMasterKeyId": None},
        "set kmsMasterKeyId or sqsManagedSseEnabled",
        id="sqs-none",
    ),
    pytest.param(
        "sqs-queue-encrypted@sqs/queue",
        {"kmsMasterKeyId": None, "sqsManagedSseEnabled": False},
        "is not encrypted",
        id="sqs-managed-off",
    ),
    pytest.param(
        "kms-key-rotation-enabled@kms/key",
        {"enableKeyRotation": None},
        "does not rotate its key material",
        id="kms-unset",
    ),
    pytest.param(
        "kms-key-rotation-enabled@kms/key",
        {"enableKeyRotation": False, "customerMasterKeySpec": "SYMMETRIC_DEFAULT"},
        "does not rotate its key material",
        id="kms-false",
    ),
]

EFS, EBS, TEMPLATE = (
    "efs-file-system-encrypted-kms@efs/fileSystem",
    "ebs-volume-encrypted@ebs/volume",
    "ec2-launch-template-ebs-encrypted@ec2/launchTemplate",
)
SNS, LOGS, DYNAMO, VAULT, EKS, SQS, ROTATION = (
    "sns-topic-kms@sns/topic",
    "cloudwatch-log-group-kms@cloudwatch/logGroup",
    "dynamodb-table-kms@dynamodb/table",
    "backup-vault-kms@backup/vault",
    "eks-cluster-secrets-encryption@eks/cluster",
    "sqs-queue-encrypted@sqs/queue",
    "kms-key-rotation-enabled@kms/key",
)
AWS_MANAGED = "AWS-managed key"

VARIANTS = [
    # An AWS-managed key's alias fills the input but is not a key of ours.
    variant(EFS, "equivalent-value", {"kmsKeyId": "alias/aws/elasticfilesystem"}, AWS_MANAGED),
    variant(SNS, "equivalent-value", {"kmsMasterKeyId": "alias/aws/sns"}, AWS_MANAGED),
    variant(
        LOGS,
        "equivalent-value",
        {"kmsKeyId": "arn:aws:kms:ap-south-1:111122223333:alias/aws/logs"},
        AWS_MANAGED,
    ),
    variant(
        DYNAMO,
        "equivalent-value",
        {"serverSideEncryption": {"enabled": True, "kmsKeyArn": "alias/aws/dynamodb"}},
        AWS_MANAGED,
    ),
    variant(VAULT, "equivalent-value", {"kmsKeyArn": "alias/aws/backup"}, AWS_MANAGED),
    variant(SQS, "equivalent-value", {"kmsMasterKeyId": "alias/aws/sqs"}, AWS_MANAGED),
    variant(SNS, "equivalent-value", {"kmsMasterKeyId": "alias/genomics-topics"}, None),
    variant(
        EKS,
        "equivalent-value",
        {"encryptionConfig": {"resources": ["configmaps"], "provider": {"keyArn": KEY}}},
        "does not encrypt Kubernetes secrets",
    ),
    # Booleans sent as text, the way the engine sends some AWS inputs.
    variant(EBS, "case-and-type", {"encrypted": "true"}, None),
    variant(EBS, "case-and-type", {"encrypted": "false"}, "is not encrypted"),
    variant(EFS, "case-and-type", {"encrypted": "False"}, "is not encrypted at rest"),
    variant(ROTATION, "case-and-type", {"enableKeyRotation": "false"}, "does not rotate"),
    variant(
        DYNAMO,
        "case-and-type",
        {"serverSideEncryption": {"enabled": "false", "kmsKeyArn": KEY}},
        "uses the AWS-owned key",
    ),
    # One unencrypted volume among encrypted ones is enough.
    variant(
        TEMPLATE,
        "string-vs-list",
        {
            "blockDeviceMappings": [
                {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY}},
                {"deviceName": "/dev/xvdb", "ebs": {"encrypted": "false"}},
            ]
        },
        "EBS volume /dev/xvdb is not encrypted",
    ),
    variant(
        EKS,
        "string-vs-list",
        {"encryptionConfig": {"resources": "secrets", "provider": {"keyArn": KEY}}},
        None,
    ),
]

ALSO_COMPLIANT = [
    pytest.param(
        "sqs-queue-encrypted@sqs/queue",
        {"kmsMasterKeyId": None, "sqsManagedSseEnabled": True},
        id="sqs-managed-sse",
    ),
    pytest.param(
        "kms-key-rotation-enabled@kms/key",
        {"enableKeyRotation": None, "customerMasterKeySpec": "RSA_4096", "keyUsage": "SIGN_VERIFY"},
        id="kms-asymmetric",
    ),
    pytest.param(
        "ec2-launch-template-ebs-encrypted@ec2/launchTemplate",
        {"blockDeviceMappings": None},
        id="template-default-volumes",
    ),
]


(
    test_compliant_baseline_passes,
    test_mutation_is_reported,
    test_unknown_input_is_never_mandatory,
    test_unrelated_type_is_ignored,
) = four_way_tests(CASES, MUTATIONS)


test_adversarial_variant = variant_tests(CASES, VARIANTS)


@pytest.mark.parametrize(("case_id", "changes"), ALSO_COMPLIANT)
def test_other_compliant_shapes_pass(
    pack: PackClient, case_id: str, changes: dict[str, object]
) -> None:
    """Alternatives the rule accepts (SQS-managed SSE, asymmetric keys) raise nothing."""
    case = CASES[case_id]
    check_baseline(pack, Case(case.rule, case.type, with_props(case.props, changes), case.unknown))
