"""IAM documents and account facts shared by the laboratory data mesh components.

Small typed builders so each grant of the lab parts is written once: statements with explicit
actions and resources, and the KMS grant scoped to the services that use the platform key.
Service trust policies (pinned to the calling account) come from `components.blocks.iam_documents`.
Documents are plain dictionaries whose leaves may be Pulumi inputs; `render` resolves them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import PARTITION, managed_policy_arn
from components.blocks.iam_documents import JsonDocument as Document
from components.blocks.iam_documents import render_json as render

__all__ = [
    "PARTITION",
    "AwsContext",
    "Document",
    "aws_context",
    "document",
    "kms_via_services",
    "managed_policy_arn",
    "render",
    "statement",
]


@dataclass(frozen=True)
class AwsContext:
    """The account and region the component's provider deploys to."""

    account_id: pulumi.Output[str]
    region: pulumi.Output[str]


def aws_context(parent: pulumi.Resource) -> AwsContext:
    """Account and region through the parent's provider, for ARNs the lab parts must build."""
    opts = pulumi.InvokeOutputOptions(parent=parent)
    identity = aws.get_caller_identity_output(opts=opts)
    region = aws.get_region_output(opts=opts)
    return AwsContext(account_id=identity.account_id, region=region.region)


def statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    conditions: Mapping[str, Any] | None = None,
) -> Document:
    """One Allow statement; `sid` says what the grant is for."""
    if not actions or not resources:
        raise ValueError(f"statement {sid}: name at least one action and one resource")
    result: Document = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": list(resources),
    }
    if conditions:
        result["Condition"] = dict(conditions)
    return result


def document(*statements: Document) -> Document:
    """A policy document holding `statements`."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def kms_via_services(
    key_arn: pulumi.Input[str],
    region: pulumi.Input[str],
    services: Sequence[str],
    actions: Sequence[str] = ("kms:Decrypt", "kms:GenerateDataKey"),
) -> Document:
    """Use of the platform key, only through the named services in this region.

    `kms:ViaService` keeps the grant from being used to decrypt arbitrary ciphertext directly.
    """
    via = [pulumi.Output.concat(service, ".", region, ".amazonaws.com") for service in services]
    return statement(
        "UsePlatformKeyThroughServices",
        actions,
        [key_arn],
        {"StringEquals": {"kms:ViaService": via}},
    )
