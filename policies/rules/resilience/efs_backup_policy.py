"""Every EFS file system is backed up by AWS Backup's automatic EFS backups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.props import as_text, dig

__all__ = ["RULE"]

FILE_SYSTEM: Final = "aws:efs/fileSystem:FileSystem"
BACKUP_POLICY: Final = "aws:efs/backupPolicy:BackupPolicy"


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for file_system in stack.of_type(FILE_SYSTEM):
        policies = stack.referencing(file_system, BACKUP_POLICY, prop="fileSystemId")
        statuses = [as_text(dig(p.props.get("backupPolicy"), "status")) for p in policies]
        if "ENABLED" not in statuses:
            state = ", ".join(s or "unset" for s in statuses) or "no backup policy"
            yield f"file system {file_system.name} is not backed up ({state})", file_system.urn


RULE = StackRule(
    name="efs-file-system-backup-enabled",
    guards=(
        "aws:efs/backupPolicy:BackupPolicy.backupPolicy",
        "aws:efs/backupPolicy:BackupPolicy.backupPolicy.**",
    ),
    description="Every EFS file system has automatic backups enabled.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Add an aws.efs.BackupPolicy with file_system_id=<file system id> and "
        'backup_policy={"status": "ENABLED"}.'
    ),
    concern="resilience",
    controls=("FSBP EFS.2",),
    check=_check,
)
