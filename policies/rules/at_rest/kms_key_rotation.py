"""Symmetric KMS keys rotate their key material yearly (or faster)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_bool, as_text

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    spec = as_text(resource.props.get("customerMasterKeySpec")) or "SYMMETRIC_DEFAULT"
    usage = as_text(resource.props.get("keyUsage")) or "ENCRYPT_DECRYPT"
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
        return  # AWS only rotates symmetric encryption keys automatically.
    if not as_bool(resource.props.get("enableKeyRotation")):
        yield f"KMS key {resource.name} does not rotate its key material (enableKeyRotation)"


RULE = ResourceRule(
    name="kms-key-rotation-enabled",
    guards=("aws:kms/key:Key.enableKeyRotation",),
    description="Symmetric KMS keys have automatic key rotation enabled.",
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set enable_key_rotation=True on the aws.kms.Key.",
    concern="encryption-at-rest",
    controls=("FSBP KMS.4", "CIS v3.0.0 3.6"),
    resource_types=("aws:kms/key:Key",),
    check=_check,
)
