"""Policy documents of the network, cluster and shared file system components.

Small typed builders, one per document, so each trust or permission statement is written once
and tested on its own. Builders return plain dictionaries whose leaves may be Pulumi inputs;
`render` turns such a dictionary into the JSON string a resource argument expects. Documents
whose keys depend on an output (an OIDC issuer in a condition key) take plain strings and are
rendered inside an `apply`. Service trust policies come from `components.blocks.iam_documents`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

import pulumi

from components.blocks.iam_documents import (
    PARTITION,
    Condition,
    PolicyDocument,
    managed_policy_arn,
    service_trust_policy,
)
from components.blocks.iam_documents import JsonDocument as Document
from components.blocks.iam_documents import render_json as render

__all__ = [
    "PARTITION",
    "Document",
    "account_root_arn",
    "cluster_secrets_key_permissions",
    "efs_file_system_policy",
    "flow_log_permissions",
    "irsa_trust_policy",
    "key_policy",
    "logs_service_key_statements",
    "managed_policy_arn",
    "pod_identity_trust_policy",
    "render",
]


_VERSION: Final = "2012-10-17"
_EFS_CLIENT_ACTIONS: Final = (
    "elasticfilesystem:ClientMount",
    "elasticfilesystem:ClientWrite",
    "elasticfilesystem:ClientRootAccess",
)


def account_root_arn(account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """The account principal a key policy delegates to IAM through."""
    return pulumi.Output.concat("arn:", PARTITION, ":iam::", account_id, ":root")


def pod_identity_trust_policy(
    account_id: pulumi.Input[str], cluster_arn: pulumi.Input[str]
) -> PolicyDocument:
    """The trust policy EKS Pod Identity needs: the agent assumes the role and tags the session,
    for this account's cluster only (`aws:SourceAccount`, `aws:SourceArn` the cluster ARN, as
    the Container Insights agent's role has): another account's cluster naming this role is
    refused."""
    return service_trust_policy(
        "pods.eks.amazonaws.com",
        account_id,
        tag_session=True,
        conditions=(Condition("ArnEquals", "aws:SourceArn", cluster_arn),),
    )


def irsa_trust_policy(
    provider_arn: str, issuer: str, namespace: str, service_accounts: Sequence[str]
) -> str:
    """An IRSA trust policy, rendered: only the named service accounts may assume the role.

    The condition keys start with the issuer host, which is an output of the cluster, so this
    builder takes resolved strings and returns JSON for use inside an `apply`.
    """
    host = issuer.removeprefix("https://")
    subjects = [f"system:serviceaccount:{namespace}:{account}" for account in service_accounts]
    document: Document = {
        "Version": _VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{host}:aud": "sts.amazonaws.com", f"{host}:sub": subjects}
                },
            }
        ],
    }
    return json.dumps(document)


def key_policy(account_id: pulumi.Input[str], *statements: Document) -> Document:
    """A KMS key policy: the account administers the key through IAM, plus `statements`."""
    root: Document = {
        "Sid": "AccountAdministersKeyThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": account_root_arn(account_id)},
        "Action": "kms:*",
        "Resource": "*",
    }
    return {"Version": _VERSION, "Statement": [root, *statements]}


def logs_service_key_statements(
    region: pulumi.Input[str], account_id: pulumi.Input[str]
) -> tuple[Document, Document]:
    """Lets CloudWatch Logs use the key, only for log groups of this account and region.

    The cryptographic operations carry the log group's ARN as encryption context; DescribeKey
    carries none, so it gets its own statement instead of one whose condition could never
    hold. The context key is typed String in the Service Authorization Reference, hence
    StringLike, which matches exactly the ARNs the pattern names.
    """
    service = pulumi.Output.concat("logs.", region, ".amazonaws.com")
    use = {
        "Sid": "CloudWatchLogsEncryptsLogGroups",
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {
            "StringLike": {
                "kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                    "arn:", PARTITION, ":logs:", region, ":", account_id, ":log-group:*"
                )
            }
        },
    }
    describe = {
        "Sid": "CloudWatchLogsDescribesKey",
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "kms:DescribeKey",
        "Resource": "*",
    }
    return use, describe


def flow_log_permissions(log_group_arn: pulumi.Input[str]) -> Document:
    """What the VPC flow log service needs to write into one log group, and nothing more."""
    return {
        "Version": _VERSION,
        "Statement": [
            {
                "Sid": "WriteFlowLogRecords",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": [log_group_arn, pulumi.Output.concat(log_group_arn, ":*")],
            },
            {
                # DescribeLogGroups lists groups and supports no resource-level permission.
                "Sid": "FindFlowLogGroup",
                "Effect": "Allow",
                "Action": "logs:DescribeLogGroups",
                "Resource": "*",
            },
        ],
    }


def cluster_secrets_key_permissions(key_arn: pulumi.Input[str]) -> Document:
    """What the EKS cluster role needs to envelope-encrypt Kubernetes secrets with one key."""
    return {
        "Version": _VERSION,
        "Statement": [
            {
                "Sid": "EnvelopeEncryptSecrets",
                "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                "Resource": key_arn,
            }
        ],
    }


def efs_file_system_policy(
    file_system_arn: pulumi.Input[str],
    client_role_arns: Sequence[pulumi.Input[str]],
    root_access_role_arns: Sequence[pulumi.Input[str]] = (),
    *,
    platform_access_points: tuple[pulumi.Input[str], pulumi.Input[str]] | None = None,
    scratch_role_arns: Sequence[pulumi.Input[str]] = (),
) -> Document:
    """The EFS resource policy: IAM-authorised clients only, through mount targets, over TLS,
    each through the access points it owns.

    No statement allows a wildcard principal, so anonymous NFS clients (those mounting without
    the `iam` option) are refused. A same-account grant here is enough to mount, so every
    statement pins `elasticfilesystem:AccessPointArn`, "the ARN of the access point that the
    file system is mounted with" ("Using access points in IAM policies", Amazon EFS User Guide;
    a key of ClientMount, ClientWrite and ClientRootAccess in the Service Authorization
    Reference);
    otherwise the identity policies' own pins would be moot. With `platform_access_points`
    (scratch, projects): the CSI clients mount only the access points they provision (never the
    root, never the platform's two), `scratch_role_arns` only the scratch one, and
    `root_access_role_arns` act as NFS root only through the projects one.
    """
    dynamic: Document = {}
    scratch: Document = {}
    projects: Document = {}
    if platform_access_points is not None:
        scratch_ap, projects_ap = platform_access_points
        dynamic = {
            "Null": {"elasticfilesystem:AccessPointArn": "false"},
            "ArnNotEquals": {"elasticfilesystem:AccessPointArn": [scratch_ap, projects_ap]},
        }
        scratch = {"ArnEquals": {"elasticfilesystem:AccessPointArn": scratch_ap}}
        projects = {"ArnEquals": {"elasticfilesystem:AccessPointArn": projects_ap}}
    via_mount_target = {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}
    statements: list[Document] = [
        {
            "Sid": "AllowListedRolesThroughMountTargets",
            "Effect": "Allow",
            "Principal": {"AWS": list(client_role_arns)},
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": file_system_arn,
            "Condition": {**via_mount_target, **dynamic},
        },
    ]
    if scratch_role_arns:
        statements.append(
            {
                "Sid": "AllowScratchThroughItsAccessPoint",
                "Effect": "Allow",
                "Principal": {"AWS": list(scratch_role_arns)},
                "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                "Resource": file_system_arn,
                "Condition": {**via_mount_target, **scratch},
            }
        )
    if root_access_role_arns:
        statements.append(
            {
                "Sid": "AllowRootAccessToListedRoles",
                "Effect": "Allow",
                "Principal": {"AWS": list(root_access_role_arns)},
                "Action": list(_EFS_CLIENT_ACTIONS),
                "Resource": file_system_arn,
                "Condition": {**via_mount_target, **projects},
            }
        )
    statements += [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": file_system_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyAccessOutsideMountTargets",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": list(_EFS_CLIENT_ACTIONS),
            "Resource": file_system_arn,
            "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "false"}},
        },
    ]
    return {"Version": _VERSION, "Statement": statements}
