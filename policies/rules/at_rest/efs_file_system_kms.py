"""EFS file systems are encrypted with a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_bool, as_text
from policies.rules.at_rest.key_arn_required import key_gap

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    if not as_bool(resource.props.get("encrypted")):
        yield f"file system {resource.name} is not encrypted at rest"
    elif not as_text(resource.props.get("kmsKeyId")):
        yield f"file system {resource.name} is encrypted with the AWS-managed key, not a kmsKeyId"
    elif (gap := key_gap(resource.props.get("kmsKeyId"), "kmsKeyId")) is not None:
        yield f"file system {resource.name} {gap}"


RULE = ResourceRule(
    name="efs-file-system-encrypted-kms",
    guards=(
        "aws:efs/fileSystem:FileSystem.encrypted",
        "aws:efs/fileSystem:FileSystem.kmsKeyId",
    ),
    description="EFS file systems are encrypted at rest with a customer-managed KMS key.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set encrypted=True and kms_key_id=<key ARN> on the aws.efs.FileSystem.",
    concern="encryption-at-rest",
    controls=("FSBP EFS.1", "CIS v3.0.0 2.4.1"),
    resource_types=("aws:efs/fileSystem:FileSystem",),
    check=_check,
)
