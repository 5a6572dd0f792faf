"""Batch jobs mount EFS volumes with transit encryption on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text, decoded

__all__ = ["RULE"]

_DEFINITION_PROPS: Final = ("containerProperties", "nodeProperties", "ecsProperties")


def efs_volumes(document: Any) -> Iterator[Mapping[str, Any]]:
    """Every `efsVolumeConfiguration` anywhere in a job definition document."""
    document = decoded(document)
    if isinstance(document, Mapping):
        for key, value in document.items():
            if key == "efsVolumeConfiguration" and isinstance(value, Mapping):
                yield value
            else:
                yield from efs_volumes(value)
    elif isinstance(document, Sequence) and not isinstance(document, str):
        for item in document:
            yield from efs_volumes(item)


def _check(resource: ResourceView) -> Iterator[str]:
    for prop in _DEFINITION_PROPS:
        for volume in efs_volumes(resource.props.get(prop)):
            if as_text(volume.get("transitEncryption")) != "ENABLED":
                yield (
                    f"job definition {resource.name}: EFS volume "
                    f"{as_text(volume.get('fileSystemId')) or '(no file system)'} in {prop} "
                    "is mounted without transitEncryption ENABLED"
                )


RULE = ResourceRule(
    name="batch-job-definition-efs-transit-encryption",
    guards=(
        "aws:batch/jobDefinition:JobDefinition.containerProperties",
        "aws:batch/jobDefinition:JobDefinition.ecsProperties",
        "aws:batch/jobDefinition:JobDefinition.nodeProperties",
    ),
    description="Batch job definitions mount EFS volumes with transit encryption enabled.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'In the job definition JSON, set "transitEncryption": "ENABLED" in every '
        "volumes[].efsVolumeConfiguration."
    ),
    concern="in-transit-encryption",
    resource_types=("aws:batch/jobDefinition:JobDefinition",),
    check=_check,
)
