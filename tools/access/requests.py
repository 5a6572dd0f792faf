"""Requests as AWS makes them: who calls, the context it carries, and the KMS calls S3 adds.

A cell of the matrix is one operation (a read, a multipart upload, a publish) that AWS
authorizes as one or more requests; the operation succeeds only if every request is allowed.
The KMS requests are the ones AWS documents for each service:
- S3 SSE-KMS: PutObject needs kms:GenerateDataKey, GetObject needs kms:Decrypt, and a
  multipart upload needs both: "kms:GenerateDataKey ... for the CreateMultipartUpload API",
  "kms:Decrypt ... on the UploadPart and UploadPartCopy APIs" (AWS Knowledge Center, "Why do
  I need permission to decrypt the AWS KMS key when I run Amazon S3 multipart uploads with
  SSE-KMS?"). With an S3 Bucket Key the encryption context is the bucket ARN.
- SNS with SSE: a publisher needs kms:GenerateDataKey* and kms:Decrypt on the topic's key
  ("Encryption at rest", Amazon SNS Developer Guide); SQS the same for a sender.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from tools.access.stack import Role, StackDocuments

__all__ = ["Caller", "Check", "kms_checks_for", "role_session", "s3_get", "s3_put", "service"]

SECURE: Final = {"aws:SecureTransport": "true"}


@dataclass(frozen=True)
class Caller:
    """The principal of a request and the context AWS attaches to every request it makes."""

    label: str
    principal: str
    policies: tuple[str, ...]
    context: Mapping[str, str | list[str]]


@dataclass(frozen=True)
class Check:
    """One request AWS authorizes."""

    action: str
    resource: str
    context: Mapping[str, str | list[str]] = field(default_factory=dict)


def role_session(
    stack: StackDocuments,
    role: Role,
    label: str,
    *,
    tags: Mapping[str, str] | None = None,
    mfa: bool = False,
) -> Caller:
    """A session of `role` (assumed-role ARN), with its session tags as principal tags."""
    context: dict[str, str | list[str]] = {
        "aws:PrincipalArn": role.arn,
        "aws:PrincipalAccount": stack.account,
        "aws:PrincipalType": "AssumedRole",
    }
    for key, value in (tags or {}).items():
        context[f"aws:PrincipalTag/{key}"] = value
    if mfa:
        context["aws:MultiFactorAuthPresent"] = "true"
    principal = f"arn:aws:sts::{stack.account}:assumed-role/{role.name}/access-check"
    return Caller(label, principal, role.policies, context)


def service(name: str, stack: StackDocuments, source_arn: str = "") -> Caller:
    """A service principal acting for this account (and for `source_arn`)."""
    context: dict[str, str | list[str]] = {"aws:SourceAccount": stack.account}
    if source_arn:
        context["aws:SourceArn"] = source_arn
    return Caller(name, name, (), context)


def _region_of(stack: StackDocuments, bucket: str) -> str:
    for resource in stack.of_type("aws:s3/bucket:Bucket"):
        if resource.outputs.get("bucket") == bucket:
            return str(resource.outputs["region"])
    raise KeyError(f"bucket {bucket!r} is not in the stack")


def _s3_context(tls: str) -> dict[str, str | list[str]]:
    return {**SECURE, "s3:TlsVersion": tls} if tls else {"aws:SecureTransport": "false"}


def _s3_kms(
    stack: StackDocuments, bucket: str, actions: tuple[str, ...], caller_context: bool
) -> list[Check]:
    key = stack.encryption_keys.get(f"arn:aws:s3:::{bucket}")
    if key is None:
        return []
    context: dict[str, str | list[str]] = {
        "kms:ViaService": f"s3.{_region_of(stack, bucket)}.amazonaws.com",
        "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{bucket}",
    }
    if caller_context:
        context["kms:CallerAccount"] = stack.account
    return [Check(action, key, context) for action in actions]


def s3_get(
    stack: StackDocuments,
    bucket: str,
    key: str,
    tags: Mapping[str, str],
    *,
    tls: str = "1.3",
    action: str = "s3:GetObject",
) -> list[Check]:
    """GetObject of an object carrying `tags`, and the kms:Decrypt it needs."""
    context = _s3_context(tls)
    context.update({f"s3:ExistingObjectTag/{k}": v for k, v in tags.items()})
    checks = [Check(action, f"arn:aws:s3:::{bucket}/{key}", context)]
    if action in {"s3:GetObject", "s3:GetObjectVersion"}:
        checks += _s3_kms(stack, bucket, ("kms:Decrypt",), True)
    return checks


def s3_put(
    stack: StackDocuments,
    bucket: str,
    key: str,
    *,
    multipart: bool = False,
    headers: Mapping[str, str | list[str]] | None = None,
) -> list[Check]:
    """An upload as the SDKs send it, relying on the bucket's default encryption.

    Single part: one PutObject. Multipart: CreateMultipartUpload (carries the headers),
    UploadPart and CompleteMultipartUpload (carry neither SSE nor tagging headers); all three
    are authorized as s3:PutObject ("Multipart upload API and permissions", Amazon S3 User
    Guide).
    """
    arn = f"arn:aws:s3:::{bucket}/{key}"
    context = {**_s3_context("1.3"), **(headers or {})}
    if not multipart:
        return [
            Check("s3:PutObject", arn, context),
            *_s3_kms(stack, bucket, ("kms:GenerateDataKey",), True),
        ]
    bare = _s3_context("1.3")
    return [
        Check("s3:PutObject", arn, context),
        Check("s3:PutObject", arn, bare),
        Check("s3:PutObject", arn, bare),
        *_s3_kms(stack, bucket, ("kms:GenerateDataKey", "kms:Decrypt"), True),
    ]


def kms_checks_for(
    stack: StackDocuments, resource_arn: str, *, via: str = "", by_service: bool = False
) -> list[Check]:
    """The kms:GenerateDataKey and kms:Decrypt a writer of an encrypted topic, queue or bus
    needs, with the encryption context the service sends."""
    key = stack.encryption_keys.get(resource_arn)
    if key is None:
        return []
    service_name = resource_arn.split(":")[2]
    region = resource_arn.split(":")[3]
    context: dict[str, str | list[str]] = {}
    if service_name == "sns":
        context["kms:EncryptionContext:aws:sns:topicArn"] = resource_arn
    elif service_name == "sqs":
        context["kms:EncryptionContext:aws:sqs:arn"] = resource_arn
    elif service_name == "events":
        context["kms:EncryptionContext:aws:events:event-bus:arn"] = resource_arn
    elif service_name == "logs":
        context["kms:EncryptionContext:aws:logs:arn"] = resource_arn
    if not by_service:
        context["kms:CallerAccount"] = stack.account
        context["kms:ViaService"] = via or f"{service_name}.{region}.amazonaws.com"
    return [Check(action, key, context) for action in ("kms:GenerateDataKey", "kms:Decrypt")]
