"""EFS file systems are encrypted with a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_bool, as_text

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    if not as_bool(resource.props.get("encrypted")):
        yield f"file system {resource.name} is not encrypted at rest"
    elif not as_text(resource.props.get("kmsKeyId")):
        yield f"file system {resource.name} is encrypted with the AWS-managed key, not a kmsKeyId"


RULE = ResourceRule(
    name="efs-file-system-encrypted-kms",
    description="EFS file systems are encrypted at rest with a customer-managed KMS key.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set encrypted=True and kms_key_id=<key ARN> on the aws.efs.FileSystem.",
    concern="encryption-at-rest",
    resource_types=("aws:efs/fileSystem:FileSystem",),
    check=_check,
)
