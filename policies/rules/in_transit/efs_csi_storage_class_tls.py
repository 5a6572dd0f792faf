"""Kubernetes volumes on EFS are mounted with TLS (the `tls` mount option)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_list, as_text

__all__ = ["RULE"]

EFS_CSI_PROVISIONER: Final = "efs.csi.aws.com"


def _check(resource: ResourceView) -> Iterator[str]:
    if as_text(resource.props.get("provisioner")) != EFS_CSI_PROVISIONER:
        return
    # Kubernetes joins mountOptions with commas, so "iam,tls" in one entry is both options.
    options = [
        part.strip()
        for option in as_list(resource.props.get("mountOptions"))
        for part in as_text(option).split(",")
    ]
    if "tls" not in options:
        yield (
            f"storage class {resource.name} provisions EFS volumes without the `tls` mount "
            "option, so pods could read genomes over plain NFS"
        )


RULE = ResourceRule(
    name="k8s-storage-class-efs-tls",
    guards=("kubernetes:storage.k8s.io/v1:StorageClass.mountOptions",),
    description="EFS CSI storage classes mount volumes with the `tls` mount option.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Set mountOptions=["tls"] (plus any others) on the StorageClass whose provisioner is '
        "efs.csi.aws.com."
    ),
    concern="in-transit-encryption",
    resource_types=("kubernetes:storage.k8s.io/v1:StorageClass",),
    check=_check,
)
