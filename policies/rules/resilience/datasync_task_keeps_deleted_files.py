"""DataSync tasks never delete at the destination what was deleted at the source.

The transfer copies workspaces into the data lake; the lake is the record, so a file removed
from EFS must stay in S3. `PreserveDeletedFiles=REMOVE` "deletes files in the destination that
aren't present in the source" (AWS DataSync API Reference, Options). `TransferMode=ALL` alone
deletes nothing ("you can't use REMOVE" with it is the API's own pairing rule), and
`OverwriteMode=ALWAYS` replaces a changed file by a new object version in the versioned lake
buckets (the versioning rule keeps them versioned), so neither is judged here. Unset means
PRESERVE, the API's default.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text, dig

__all__ = ["RULE"]

TASK: Final = "aws:datasync/task:Task"


def _check(resource: ResourceView) -> Iterator[str]:
    mode = as_text(dig(resource.props.get("options"), "preserveDeletedFiles")).strip().upper()
    if mode == "REMOVE":
        yield f"task {resource.name} deletes destination files removed at the source (REMOVE)"


RULE = ResourceRule(
    name="datasync-task-preserves-deleted-files",
    description="DataSync tasks keep destination files that were deleted at the source.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation='Set options={"preserve_deleted_files": "PRESERVE"} on the aws.datasync.Task.',
    concern="resilience",
    resource_types=(TASK,),
    guards=(f"{TASK}.options.preserveDeletedFiles",),
    check=_check,
)
