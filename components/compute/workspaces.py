"""Team workspaces: one Kubernetes namespace per research project with shared EFS storage.

Each project gets a namespace (named by its slug, so the EFS path `/projects/<slug>/…` tells
whose data it is), a ResourceQuota and LimitRange so one team's alignment burst cannot starve
another, a ServiceAccount for its pods, and a ReadWriteMany PVC on `efs-projects` that every
pod of the project mounts at once, from any node in any zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from components.compute.shared_filesystem import PROJECTS_STORAGE_CLASS
from contracts.layout import WORKSPACE_CLAIM
from contracts.names import is_project_slug

__all__ = ["WORKSPACE_CLAIM", "WORKSPACE_SERVICE_ACCOUNT", "Workspaces", "WorkspacesArgs"]


WORKSPACE_SERVICE_ACCOUNT: Final = "workspace"
"""Name of each project's service account."""

_QUANTITY: Final = re.compile(r"^([1-9]\d*)(Mi|Gi|Ti)$")
_UNIT_MIB: Final = {"Mi": 1, "Gi": 1024, "Ti": 1024 * 1024}


class WorkspacesArgs(TypedDict):
    """Inputs of the project workspaces."""

    projects: Sequence[str]
    """Project slugs (lowercase letters, digits, hyphens); each becomes a namespace."""
    k8s_provider: k8s.Provider
    """Provider of the cluster the workspaces live in."""
    storage_ready: NotRequired[Sequence[pulumi.Resource]]
    """What the claims need before they can bind (the EFS CSI add-on, the StorageClass);
    nothing unless given."""
    storage_class_name: NotRequired[pulumi.Input[str]]
    """StorageClass of the workspace PVC; default efs-projects (pass the output to order)."""
    storage_size: NotRequired[str]
    """Requested size of each workspace PVC; default 100Gi (EFS grows as needed)."""
    storage_quota: NotRequired[str]
    """requests.storage quota per namespace, at least storage_size; default 1Ti."""
    claim_quota: NotRequired[int]
    """Most PVCs per namespace; default 20."""
    cpu_quota: NotRequired[str]
    """CPU requests quota per namespace; default 64."""
    memory_quota: NotRequired[str]
    """Memory requests quota per namespace; default 256Gi."""
    pod_security: NotRequired[Literal["baseline", "restricted"]]
    """Pod Security level enforced; default baseline (restricted is warned and audited), since
    many bioinformatics images still run as root."""


class Workspaces(pulumi.ComponentResource):
    """A namespace, quotas, a service account and a shared PVC per research project."""

    namespaces: pulumi.Output[list[str]]
    """Namespace names, one per project, in the given order."""
    claim_name: str
    """Name of the shared PVC in each namespace."""
    service_account_name: str
    """Name of the service account in each namespace."""

    def __init__(
        self, name: str, args: WorkspacesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:workspaces:Workspaces", name, None, opts)
        _validate(args)
        self._name = name
        self._args = args
        self._k8s = pulumi.ResourceOptions(parent=self, provider=args["k8s_provider"])
        names = [self._create_workspace(project) for project in args["projects"]]
        self.namespaces = pulumi.Output.all(*names).apply(list)
        self.claim_name = WORKSPACE_CLAIM
        self.service_account_name = WORKSPACE_SERVICE_ACCOUNT
        self.register_outputs({"namespaces": self.namespaces})

    def _create_workspace(self, project: str) -> pulumi.Output[str]:
        """Namespace, quota, limits, service account and PVC of one project."""
        level = self._args.get("pod_security", "baseline")
        namespace = k8s.core.v1.Namespace(
            f"{self._name}-{project}-ns",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=project,
                labels={
                    "genomics.platform/project": project,
                    "pod-security.kubernetes.io/enforce": level,
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                },
            ),
            opts=self._k8s,
        )
        ns_name = namespace.metadata.apply(lambda meta: str(meta.name))
        self._create_quota(project, ns_name)
        k8s.core.v1.ServiceAccount(
            f"{self._name}-{project}-sa",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=WORKSPACE_SERVICE_ACCOUNT, namespace=ns_name),
            # Pipelines rarely talk to the Kubernetes API; pods that do can opt in.
            automount_service_account_token=False,
            opts=self._k8s,
        )
        # A claim on efs-projects is provisioned by the EFS CSI driver: created before the
        # add-on (which waits for nodes), it would sit Pending or be bound by nobody.
        ready = list(self._args.get("storage_ready", ()))
        k8s.core.v1.PersistentVolumeClaim(
            f"{self._name}-{project}-pvc",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=WORKSPACE_CLAIM, namespace=ns_name),
            spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                access_modes=["ReadWriteMany"],
                storage_class_name=self._args.get("storage_class_name", PROJECTS_STORAGE_CLASS),
                resources=k8s.core.v1.VolumeResourceRequirementsArgs(
                    requests={"storage": self._args.get("storage_size", "100Gi")}
                ),
            ),
            opts=pulumi.ResourceOptions.merge(
                self._k8s, pulumi.ResourceOptions(depends_on=ready or None)
            ),
        )
        return ns_name

    def _create_quota(self, project: str, ns_name: pulumi.Output[str]) -> None:
        """ResourceQuota and LimitRange: fair shares, and defaults for pods that set none."""
        k8s.core.v1.ResourceQuota(
            f"{self._name}-{project}-quota",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="workspace-quota", namespace=ns_name),
            spec=k8s.core.v1.ResourceQuotaSpecArgs(
                hard={
                    "requests.cpu": self._args.get("cpu_quota", "64"),
                    "requests.memory": self._args.get("memory_quota", "256Gi"),
                    "requests.storage": self._args.get("storage_quota", "1Ti"),
                    "persistentvolumeclaims": str(self._args.get("claim_quota", 20)),
                }
            ),
            opts=self._k8s,
        )
        k8s.core.v1.LimitRange(
            f"{self._name}-{project}-limits",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="workspace-limits", namespace=ns_name),
            spec=k8s.core.v1.LimitRangeSpecArgs(
                limits=[
                    k8s.core.v1.LimitRangeItemArgs(
                        type="Container",
                        default_request={"cpu": "250m", "memory": "1Gi"},
                        default={"cpu": "2", "memory": "8Gi"},
                    )
                ]
            ),
            opts=self._k8s,
        )


def _mebibytes(quantity: str) -> int:
    match = _QUANTITY.fullmatch(quantity)
    if match is None:
        raise ValueError(quantity)
    return int(match.group(1)) * _UNIT_MIB[match.group(2)]


def _validate(args: WorkspacesArgs) -> None:
    """Reject inputs Kubernetes would refuse or that would leave a PVC pending forever."""
    projects = list(args["projects"])
    bad = [p for p in projects if not is_project_slug(p) or len(p) > 63]
    if bad:
        raise ValueError(
            f"WorkspacesArgs.projects {bad} are not project slugs; use lowercase letters, "
            "digits and hyphens, at most 63 characters, e.g. tb-genomics"
        )
    if len(set(projects)) != len(projects):
        raise ValueError(f"WorkspacesArgs.projects {projects} must not repeat a slug")
    sizes: dict[str, int] = {}
    for key, default in (
        ("storage_size", "100Gi"),
        ("storage_quota", "1Ti"),
        ("memory_quota", "256Gi"),
    ):
        value = str(args.get(key, default))
        try:
            sizes[key] = _mebibytes(value)
        except ValueError:
            raise ValueError(
                f"WorkspacesArgs.{key} {value!r} must be a whole quantity in Mi, Gi or Ti, "
                f"e.g. {default}"
            ) from None
    if sizes["storage_quota"] < sizes["storage_size"]:
        raise ValueError(
            f"WorkspacesArgs.storage_quota {args.get('storage_quota')} is below storage_size "
            f"{args.get('storage_size', '100Gi')}; the workspace PVC would be refused. Raise "
            "the quota"
        )
    cpu = args.get("cpu_quota", "64")
    if not re.fullmatch(r"[1-9]\d*m?", cpu):
        raise ValueError(f"WorkspacesArgs.cpu_quota {cpu!r} must be cores or millicores, e.g. 64")
    if args.get("claim_quota", 20) < 1:
        raise ValueError("WorkspacesArgs.claim_quota must be at least 1 (the workspace PVC)")
