"""File gateways require SMB encryption, so shares never carry data in clear text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text

__all__ = ["RULE"]

_FILE_GATEWAYS: Final = ("FILE_S3", "FILE_FSX_SMB")
_ENCRYPTING: Final = ("MandatoryEncryption", "MandatoryEncryptionNoAes128")


def _check(resource: ResourceView) -> Iterator[str]:
    if as_text(resource.props.get("gatewayType")) not in _FILE_GATEWAYS:
        return
    strategy = as_text(resource.props.get("smbSecurityStrategy"))
    if strategy not in _ENCRYPTING:
        yield (
            f"gateway {resource.name} has smbSecurityStrategy {strategy or 'unset'}; SMB "
            "clients could connect without encryption"
        )


RULE = ResourceRule(
    name="storagegateway-gateway-smb-encryption",
    description="File gateways require encryption on every SMB connection.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Set smb_security_strategy="MandatoryEncryption" on the aws.storagegateway.Gateway '
        "(FILE_S3 or FILE_FSX_SMB)."
    ),
    concern="in-transit-encryption",
    resource_types=("aws:storagegateway/gateway:Gateway",),
    check=_check,
)
