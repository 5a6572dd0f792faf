"""Every EFS file system has a file-system policy that refuses mounts without TLS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.iam import denies_without_tls, statements

__all__ = ["RULE"]

FILE_SYSTEM: Final = "aws:efs/fileSystem:FileSystem"
FILE_SYSTEM_POLICY: Final = "aws:efs/fileSystemPolicy:FileSystemPolicy"
_CLIENT_ACTIONS: Final = ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for file_system in stack.of_type(FILE_SYSTEM):
        policies = stack.referencing(file_system, FILE_SYSTEM_POLICY, prop="fileSystemId")
        if not policies:
            yield (
                f"file system {file_system.name} has no file-system policy, so clients may "
                "mount it without TLS",
                file_system.urn,
            )
            continue
        if not any(
            denies_without_tls(s, _CLIENT_ACTIONS)
            for p in policies
            for s in statements(p.props.get("policy"))
        ):
            yield (
                f"file system {file_system.name}: its policy does not deny ClientMount and "
                "ClientWrite for all principals when aws:SecureTransport = false",
                file_system.urn,
            )


RULE = StackRule(
    name="efs-file-system-tls-only",
    guards=("aws:efs/fileSystemPolicy:FileSystemPolicy.policy",),
    description="Every EFS file system has a policy that denies client access without TLS.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Add an aws.efs.FileSystemPolicy with file_system_id set to the file system and a "
        "statement Effect=Deny, Principal={AWS: *}, Action=elasticfilesystem:*, "
        'Condition={"Bool": {"aws:SecureTransport": "false"}}.'
    ),
    concern="in-transit-encryption",
    check=_check,
)
