"""DataSync talks to EFS over TLS 1.2."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    mode = as_text(resource.props.get("inTransitEncryption"))
    if mode != "TLS1_2":
        yield (
            f"DataSync EFS location {resource.name} has inTransitEncryption "
            f"{mode or 'unset (NONE)'}; transfers to EFS would travel unencrypted"
        )


RULE = ResourceRule(
    name="datasync-efs-location-tls",
    guards=("aws:datasync/efsLocation:EfsLocation.inTransitEncryption",),
    description="DataSync EFS locations encrypt traffic to the file system with TLS 1.2.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation='Set in_transit_encryption="TLS1_2" on the aws.datasync.EfsLocation.',
    concern="in-transit-encryption",
    resource_types=("aws:datasync/efsLocation:EfsLocation",),
    check=_check,
)
