"""Messages, logs, tables and backups are encrypted with customer-managed KMS keys.

These services encrypt by default with AWS-owned keys, which no key policy of ours governs and no
CloudTrail entry of ours records; naming a key makes access to the data auditable and revocable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_bool, as_text, dig

__all__ = ["RULES", "key_gap"]


def key_gap(value: object, prop: str) -> str | None:
    """Why `value` does not name a customer-managed key (None: it does).

    An AWS-managed key's alias (`alias/aws/sns`, `arn:...:alias/aws/sqs`) fills the input but
    means the AWS-managed key, whose key policy we cannot change ("AWS managed keys ... you
    cannot change their key policies", AWS KMS concepts): it counts as no key of ours.
    """
    text = as_text(value)
    if not text:
        return f"has no {prop}"
    if text.startswith("alias/aws/") or ":alias/aws/" in text:
        return f"names the AWS-managed key {text} as {prop}"
    return None


def _requires(prop: str, what: str) -> Callable[[ResourceView], Iterator[str]]:
    def check(resource: ResourceView) -> Iterator[str]:
        gap = key_gap(resource.props.get(prop), prop)
        if gap is not None:
            yield f"{what} {resource.name} {gap}, so it is not encrypted with our key"

    return check


def _dynamodb(resource: ResourceView) -> Iterator[str]:
    sse = resource.props.get("serverSideEncryption")
    if not as_bool(dig(sse, "enabled")):
        yield f"table {resource.name} uses the AWS-owned key (serverSideEncryption not enabled)"
    elif (gap := key_gap(dig(sse, "kmsKeyArn"), "kmsKeyArn")) is not None:
        yield f"table {resource.name}: serverSideEncryption {gap}"


def _sqs(resource: ResourceView) -> Iterator[str]:
    key = resource.props.get("kmsMasterKeyId")
    if as_text(key):
        gap = key_gap(key, "kmsMasterKeyId")
        if gap is not None and not as_bool(resource.props.get("sqsManagedSseEnabled")):
            yield f"queue {resource.name} {gap}"
        return
    if not as_bool(resource.props.get("sqsManagedSseEnabled")):
        yield (
            f"queue {resource.name} is not encrypted: set kmsMasterKeyId or sqsManagedSseEnabled"
        )


RULES = (
    ResourceRule(
        name="sns-topic-kms",
        guards=("aws:sns/topic:Topic.kmsMasterKeyId",),
        description="SNS topics encrypt messages with a customer-managed KMS key.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set kms_master_key_id=<key ARN> on the aws.sns.Topic.",
        concern="encryption-at-rest",
        controls=("FSBP SNS.1",),
        resource_types=("aws:sns/topic:Topic",),
        check=_requires("kmsMasterKeyId", "topic"),
    ),
    ResourceRule(
        name="cloudwatch-log-group-kms",
        guards=("aws:cloudwatch/logGroup:LogGroup.kmsKeyId",),
        description="CloudWatch log groups are encrypted with a customer-managed KMS key.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set kms_key_id=<key ARN> on the aws.cloudwatch.LogGroup; the key policy must allow "
            "logs.<region>.amazonaws.com."
        ),
        concern="encryption-at-rest",
        resource_types=("aws:cloudwatch/logGroup:LogGroup",),
        check=_requires("kmsKeyId", "log group"),
    ),
    ResourceRule(
        name="dynamodb-table-kms",
        guards=(
            "aws:dynamodb/table:Table.serverSideEncryption",
            "aws:dynamodb/table:Table.serverSideEncryption.**",
        ),
        description="DynamoDB tables are encrypted with a customer-managed KMS key.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            'Set server_side_encryption={"enabled": True, "kms_key_arn": <key ARN>} on the '
            "aws.dynamodb.Table."
        ),
        concern="encryption-at-rest",
        resource_types=("aws:dynamodb/table:Table",),
        check=_dynamodb,
    ),
    ResourceRule(
        name="backup-vault-kms",
        guards=("aws:backup/vault:Vault.kmsKeyArn",),
        description="Backup vaults encrypt recovery points with a customer-managed KMS key.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set kms_key_arn=<key ARN> on the aws.backup.Vault.",
        concern="encryption-at-rest",
        resource_types=("aws:backup/vault:Vault",),
        check=_requires("kmsKeyArn", "backup vault"),
    ),
    ResourceRule(
        name="sqs-queue-encrypted",
        guards=(
            "aws:sqs/queue:Queue.kmsMasterKeyId",
            "aws:sqs/queue:Queue.sqsManagedSseEnabled",
        ),
        description="SQS queues encrypt messages at rest (KMS key or SQS-managed SSE).",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set kms_master_key_id=<key ARN> (preferred) or sqs_managed_sse_enabled=True on the "
            "aws.sqs.Queue."
        ),
        concern="encryption-at-rest",
        controls=("FSBP SQS.1",),
        resource_types=("aws:sqs/queue:Queue",),
        check=_sqs,
    ),
)
