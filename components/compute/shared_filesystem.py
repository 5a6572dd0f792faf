"""The shared POSIX file system every genomics pod in every zone mounts: EFS with the CSI driver.

Pods read FASTQ and write BAM under `/projects/<namespace>/<pvc>`; temporary data goes under
`/scratch`, which a weekly Lambda prunes. The file system is encrypted with a customer-managed
key, backed up, tiered to Infrequent Access, and only reachable:

- over NFS port 2049 from the listed security groups (nodes, cluster) and the component's own
  client group (functions, transfers attach it), by reference, never from a CIDR;
- through mount targets (one per zone), over TLS, by IAM-authorised roles: the file-system
  policy allows no wildcard principal, so anonymous mounts are refused.

Two StorageClasses give pods dynamic provisioning through per-PVC access points:
`efs-projects` (POSIX GIDs from a range, reclaim Retain in prod) and `efs-scratch` (one POSIX
identity shared with the clean-up Lambda's access point, so it can delete what pods wrote).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.compute.documents import efs_file_system_policy, key_policy, render
from components.compute.network import PlacedSubnet
from contracts.layout import (
    EFS_PROJECTS_ROOT,
    EFS_SCRATCH_ROOT,
    ENSURE_UNIQUE_DIRECTORY,
    SCRATCH_VOLUMES_DIR,
    SCRATCH_VOLUMES_PATH,
    SUB_PATH_PATTERN,
)

__all__ = [
    "CSI_PROVISIONER",
    "EFS_MOUNT_OPTIONS",
    "PROJECTS_STORAGE_CLASS",
    "SCRATCH_STORAGE_CLASS",
    "SCRATCH_VOLUMES_DIR",
    "SharedFileSystem",
    "SharedFileSystemArgs",
]

CSI_PROVISIONER: Final = "efs.csi.aws.com"
"""The EFS CSI driver's provisioner name."""

PROJECTS_STORAGE_CLASS: Final = "efs-projects"
"""StorageClass of project workspaces (data survives the PVC in prod)."""

SCRATCH_STORAGE_CLASS: Final = "efs-scratch"
"""StorageClass of temporary data under /scratch (pruned after the retention window)."""

EFS_MOUNT_OPTIONS: Final = ("tls", "iam")
"""Encrypt NFS in transit and authenticate the client with its IAM role on every mount."""


ThroughputMode = Literal["elastic", "bursting", "provisioned"]

_TRANSITIONS: Final = (
    "AFTER_1_DAY",
    "AFTER_7_DAYS",
    "AFTER_14_DAYS",
    "AFTER_30_DAYS",
    "AFTER_60_DAYS",
    "AFTER_90_DAYS",
    "AFTER_180_DAYS",
    "AFTER_270_DAYS",
    "AFTER_365_DAYS",
)
_OCTAL_PERMS: Final = re.compile(r"^[0-7]{3,4}$")
_MAX_GID: Final = 2147483647


class SharedFileSystemArgs(TypedDict):
    """Inputs of the shared file system."""

    vpc_id: pulumi.Input[str]
    """VPC of the mount targets."""
    subnets: Sequence[PlacedSubnet]
    """Node subnets with their zones: one mount target each, at least two distinct zones."""
    client_security_groups: Mapping[str, pulumi.Input[str]]
    """Groups admitted on NFS 2049, by role, e.g. {"nodes": ..., "cluster": ...}; other clients
    attach the component's client group instead."""
    client_role_arns: Sequence[pulumi.Input[str]]
    """Roles allowed to mount and write (EFS CSI driver, nodes, clean-up Lambda)."""
    k8s_provider: k8s.Provider
    """Provider of the cluster the StorageClasses are created in."""
    csi_driver: NotRequired[pulumi.Resource]
    """The EFS CSI driver add-on; the StorageClasses are created after it (none unless given)."""
    root_access_role_arns: NotRequired[Sequence[pulumi.Input[str]]]
    """Roles that may also act as NFS root (e.g. DataSync); default none."""
    kms_key_arn: NotRequired[pulumi.Input[str]]
    """Customer-managed key for data at rest; default a new key with rotation."""
    throughput_mode: NotRequired[ThroughputMode]
    """elastic (default: pay per use, bursts for alignment), bursting or provisioned."""
    provisioned_throughput_mibps: NotRequired[int]
    """MiB/s when throughput_mode is provisioned."""
    transition_to_ia: NotRequired[str]
    """Days without access before Infrequent Access; default AFTER_30_DAYS."""
    transition_to_archive: NotRequired[str]
    """Days before Archive (elastic mode only); default none."""
    directory_perms: NotRequired[str]
    """Octal mode of directories the driver creates per volume; default 700."""
    gid_range_start: NotRequired[int]
    """First POSIX GID the driver gives project access points; default 50000."""
    gid_range_end: NotRequired[int]
    """Last POSIX GID the driver gives project access points; default 59999."""
    reclaim_policy: NotRequired[Literal["Retain", "Delete"]]
    """What happens to a project volume when its PVC goes; default Retain."""
    scratch_uid: NotRequired[int]
    """POSIX UID of /scratch, its access point and scratch volumes; default 40000."""
    scratch_gid: NotRequired[int]
    """POSIX GID of /scratch (outside the project GID range); default 40000."""


class SharedFileSystem(pulumi.ComponentResource):
    """An encrypted, IAM- and TLS-only EFS file system with CSI StorageClasses."""

    file_system_id: pulumi.Output[str]
    """The file system id."""
    file_system_arn: pulumi.Output[str]
    """The file system ARN (IAM policies of clients name it)."""
    dns_name: pulumi.Output[str]
    """The file system's DNS name."""
    security_group_id: pulumi.Output[str]
    """Security group of the mount targets (NFS from the client groups only)."""
    client_security_group_id: pulumi.Output[str]
    """Group for non-node EFS clients (clean-up Lambda, DataSync); the NFS group admits it."""
    mount_target_ids: pulumi.Output[list[str]]
    """One mount target per zone."""
    mount_targets: list[aws.efs.MountTarget]
    """The mount targets themselves: clients that mount at creation time (Lambda with
    `file_system_config`, DataSync EFS locations) depend on them."""
    kms_key_arn: pulumi.Output[str]
    """Key encrypting the data at rest."""
    scratch_access_point_id: pulumi.Output[str]
    """Access point of /scratch for the clean-up Lambda."""
    scratch_access_point_arn: pulumi.Output[str]
    """ARN of the scratch access point (the Lambda's file_system_config names it)."""
    projects_access_point_id: pulumi.Output[str]
    """Access point of /projects for transfers (root access only to root_access_role_arns)."""
    projects_access_point_arn: pulumi.Output[str]
    """ARN of the projects access point."""
    projects_storage_class_name: pulumi.Output[str]
    """Name of the project StorageClass (efs-projects)."""
    scratch_storage_class_name: pulumi.Output[str]
    """Name of the scratch StorageClass (efs-scratch)."""

    def __init__(
        self, name: str, args: SharedFileSystemArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:shared_filesystem:SharedFileSystem", name, None, opts)
        _validate(args)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._policy: aws.efs.FileSystemPolicy | None = None
        self._account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).account_id
        _check_zones_when_known(args["subnets"])

        file_system = self._create_file_system()
        self._create_mount_targets(file_system)
        self._file_system = file_system
        self._create_backup_policy(file_system)
        self._create_access_points(file_system)
        self._create_storage_classes(file_system)

        self.file_system_id = file_system.id
        self.file_system_arn = file_system.arn
        self.dns_name = file_system.dns_name
        self.register_outputs(
            {
                "fileSystemId": self.file_system_id,
                "fileSystemArn": self.file_system_arn,
                "dnsName": self.dns_name,
                "securityGroupId": self.security_group_id,
                "clientSecurityGroupId": self.client_security_group_id,
                "mountTargetIds": self.mount_target_ids,
                "kmsKeyArn": self.kms_key_arn,
                "scratchAccessPointId": self.scratch_access_point_id,
                "scratchAccessPointArn": self.scratch_access_point_arn,
                "projectsAccessPointId": self.projects_access_point_id,
                "projectsAccessPointArn": self.projects_access_point_arn,
                "projectsStorageClassName": self.projects_storage_class_name,
                "scratchStorageClassName": self.scratch_storage_class_name,
            }
        )

    def _create_file_system(self) -> aws.efs.FileSystem:
        """The encrypted file system with lifecycle tiering."""
        key_arn = self._args.get("kms_key_arn")
        if key_arn is None:
            key = aws.kms.Key(
                f"{self._name}-key",
                description="Encrypts the genomics shared file system at rest",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=render(key_policy(self._account_id)),
                opts=self._child,
            )
            aws.kms.Alias(
                f"{self._name}-key-alias",
                name=f"alias/{self._name}-efs",
                target_key_id=key.key_id,
                opts=self._child,
            )
            key_arn = key.arn
        self.kms_key_arn = pulumi.Output.from_input(key_arn)
        mode: ThroughputMode = self._args.get("throughput_mode", "elastic")
        lifecycle = [
            aws.efs.FileSystemLifecyclePolicyArgs(
                transition_to_ia=self._args.get("transition_to_ia", "AFTER_30_DAYS")
            ),
            # A file read again (a BAM re-aligned, a reference re-indexed) comes back to
            # Standard instead of paying IA access charges on every later read.
            aws.efs.FileSystemLifecyclePolicyArgs(
                transition_to_primary_storage_class="AFTER_1_ACCESS"
            ),
        ]
        archive = self._args.get("transition_to_archive")
        if archive:
            lifecycle.append(aws.efs.FileSystemLifecyclePolicyArgs(transition_to_archive=archive))
        return aws.efs.FileSystem(
            f"{self._name}-fs",
            creation_token=self._name,
            encrypted=True,
            kms_key_id=self.kms_key_arn,
            performance_mode="generalPurpose",  # elastic throughput requires it
            throughput_mode=mode,
            provisioned_throughput_in_mibps=(
                float(self._args.get("provisioned_throughput_mibps", 0))
                if mode == "provisioned"
                else None
            ),
            lifecycle_policies=lifecycle,
            opts=self._child,
        )

    def _create_mount_targets(self, file_system: aws.efs.FileSystem) -> None:
        """The NFS security group and a mount target in every node subnet."""
        group = aws.ec2.SecurityGroup(
            f"{self._name}-nfs-sg",
            vpc_id=self._args["vpc_id"],
            description="EFS mount targets: NFS from cluster nodes only",
            opts=self._child,
        )
        # Functions and transfer agents attach this group to reach NFS, so they need no rule
        # here and the file system needs no knowledge of them at creation.
        client = aws.ec2.SecurityGroup(
            f"{self._name}-client-sg",
            vpc_id=self._args["vpc_id"],
            description="EFS clients (functions, transfers): NFS to the mount targets only",
            opts=self._child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-client-to-nfs",
            security_group_id=client.id,
            referenced_security_group_id=group.id,
            ip_protocol="tcp",
            from_port=2049,
            to_port=2049,
            description="NFS over TLS to the mount targets",
            opts=self._child,
        )
        sources = {**self._args["client_security_groups"], "clients": client.id}
        for role, source in sources.items():
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-nfs-from-{role}",
                security_group_id=group.id,
                referenced_security_group_id=source,
                ip_protocol="tcp",
                from_port=2049,
                to_port=2049,
                description=f"NFS over TLS from {role}",
                opts=self._child,
            )
        self.security_group_id = group.id
        self.client_security_group_id = client.id
        targets = [
            aws.efs.MountTarget(
                f"{self._name}-mount-{_label(subnet, index)}",
                file_system_id=file_system.id,
                subnet_id=subnet["subnet_id"],
                security_groups=[group.id],
                opts=self._child,
            )
            for index, subnet in enumerate(self._args["subnets"])
        ]
        self.mount_targets = targets
        self.mount_target_ids = pulumi.Output.all(*[target.id for target in targets]).apply(list)

    def _create_backup_policy(self, file_system: aws.efs.FileSystem) -> None:
        """Automatic backups."""
        aws.efs.BackupPolicy(
            f"{self._name}-backup",
            file_system_id=file_system.id,
            backup_policy=aws.efs.BackupPolicyBackupPolicyArgs(status="ENABLED"),
            opts=self._child,
        )

    def authorize_clients(
        self,
        client_role_arns: Sequence[pulumi.Input[str]] = (),
        root_access_role_arns: Sequence[pulumi.Input[str]] = (),
        scratch_role_arns: Sequence[pulumi.Input[str]] = (),
    ) -> aws.efs.FileSystemPolicy:
        """The resource policy (IAM, mount targets and TLS only), once every role it names
        exists: call it after the components that create the clients' roles, with their real
        ARNs (`role.arn` outputs), adding them to `SharedFileSystemArgs`' roles.

        A resource policy's principals must exist when it is saved: IAM turns a role ARN in
        a `Principal` into the role's unique id then (IAM User Guide, "AWS JSON policy
        elements: Principal"), so a policy written before its roles would be refused. Taking
        the roles' ARN outputs makes Pulumi create it after them. Call it exactly once.
        """
        if self._policy is not None:
            raise ValueError("SharedFileSystem.authorize_clients was already called")
        self._policy = aws.efs.FileSystemPolicy(
            f"{self._name}-policy",
            file_system_id=self._file_system.id,
            policy=render(
                efs_file_system_policy(
                    self._file_system.arn,
                    [*self._args["client_role_arns"], *client_role_arns],
                    [*self._args.get("root_access_role_arns", ()), *root_access_role_arns],
                    platform_access_points=(
                        self.scratch_access_point_arn,
                        self.projects_access_point_arn,
                    ),
                    scratch_role_arns=scratch_role_arns,
                )
            ),
            opts=self._child,
        )
        return self._policy

    def _create_access_points(self, file_system: aws.efs.FileSystem) -> None:
        """The scratch access point (clean-up Lambda) and the projects root."""
        uid = self._args.get("scratch_uid", 40000)
        gid = self._args.get("scratch_gid", 40000)
        scratch = aws.efs.AccessPoint(
            f"{self._name}-scratch-ap",
            file_system_id=file_system.id,
            posix_user=aws.efs.AccessPointPosixUserArgs(uid=uid, gid=gid),
            root_directory=aws.efs.AccessPointRootDirectoryArgs(
                path=EFS_SCRATCH_ROOT,
                creation_info=aws.efs.AccessPointRootDirectoryCreationInfoArgs(
                    owner_uid=uid, owner_gid=gid, permissions="0770"
                ),
            ),
            opts=self._child,
        )
        # No POSIX user: the projects root serves whole-tree transfers, whose roles need
        # ClientRootAccess in the file-system policy to read every project's directories.
        projects = aws.efs.AccessPoint(
            f"{self._name}-projects-ap",
            file_system_id=file_system.id,
            root_directory=aws.efs.AccessPointRootDirectoryArgs(
                path=EFS_PROJECTS_ROOT,
                creation_info=aws.efs.AccessPointRootDirectoryCreationInfoArgs(
                    owner_uid=0, owner_gid=0, permissions="0755"
                ),
            ),
            opts=self._child,
        )
        self.scratch_access_point_id = scratch.id
        self.scratch_access_point_arn = scratch.arn
        self.projects_access_point_id = projects.id
        self.projects_access_point_arn = projects.arn

    def _create_storage_classes(self, file_system: aws.efs.FileSystem) -> None:
        """efs-projects and efs-scratch: dynamic provisioning through access points."""
        perms = self._args.get("directory_perms", "700")
        driver = self._args.get("csi_driver")
        provider = pulumi.ResourceOptions(
            parent=self,
            provider=self._args["k8s_provider"],
            # A StorageClass names its provisioner, which the EFS CSI add-on installs; the
            # add-on waits for nodes (EKS User Guide, "Amazon EFS CSI driver"), so create the
            # classes after it rather than racing it on a first `up`.
            depends_on=[driver] if driver is not None else None,
        )
        common: dict[str, pulumi.Input[str]] = {
            "provisioningMode": "efs-ap",
            "fileSystemId": file_system.id,
            "directoryPerms": perms,
            # The layout contract (contracts/layout/): `<base>/<namespace>/<claim>`, no UUID
            # suffix, so the DataSync includes can name each project's workspace directory.
            "subPathPattern": SUB_PATH_PATTERN,
            "ensureUniqueDirectory": str(ENSURE_UNIQUE_DIRECTORY).lower(),
        }
        projects = k8s.storage.v1.StorageClass(
            f"{self._name}-{PROJECTS_STORAGE_CLASS}",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=PROJECTS_STORAGE_CLASS),
            provisioner=CSI_PROVISIONER,
            parameters={
                **common,
                "gidRangeStart": str(self._args.get("gid_range_start", 50000)),
                "gidRangeEnd": str(self._args.get("gid_range_end", 59999)),
                "basePath": EFS_PROJECTS_ROOT,
            },
            reclaim_policy=self._args.get("reclaim_policy", "Retain"),
            volume_binding_mode="Immediate",
            mount_options=list(EFS_MOUNT_OPTIONS),
            opts=provider,
        )
        # Every scratch volume gets the scratch identity, so the clean-up Lambda (mounting
        # /scratch as that identity) may delete whatever pods left behind. Delete removes the
        # access point only; expired data is the Lambda's to prune.
        scratch = k8s.storage.v1.StorageClass(
            f"{self._name}-{SCRATCH_STORAGE_CLASS}",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=SCRATCH_STORAGE_CLASS),
            provisioner=CSI_PROVISIONER,
            parameters={
                **common,
                "uid": str(self._args.get("scratch_uid", 40000)),
                "gid": str(self._args.get("scratch_gid", 40000)),
                "basePath": SCRATCH_VOLUMES_PATH,
            },
            reclaim_policy="Delete",
            volume_binding_mode="Immediate",
            mount_options=list(EFS_MOUNT_OPTIONS),
            opts=provider,
        )
        self.projects_storage_class_name = projects.metadata.apply(lambda meta: str(meta.name))
        self.scratch_storage_class_name = scratch.metadata.apply(lambda meta: str(meta.name))


def _label(subnet: PlacedSubnet, index: int) -> str:
    """The zone name when known at construction, else the subnet's position."""
    zone = subnet["availability_zone"]
    return zone if isinstance(zone, str) else str(index)


def _check_zones(zones: Sequence[str]) -> None:
    """EFS allows one mount target per zone, and a single zone is no shared file system."""
    if len(set(zones)) < 2:
        raise ValueError(
            f"SharedFileSystemArgs.subnets are all in one availability zone ({sorted(set(zones))})"
            "; give one node subnet in each of at least two zones so pods in every zone mount"
        )
    duplicates = sorted({zone for zone in zones if zones.count(zone) > 1})
    if duplicates:
        raise ValueError(
            f"SharedFileSystemArgs.subnets has several subnets in {duplicates}; EFS allows one "
            "mount target per zone, so give exactly one subnet per zone"
        )


def _check_zones_when_known(subnets: Sequence[PlacedSubnet]) -> None:
    """Check zones now when they are plain strings, else as soon as the lookups resolve."""
    zones = [subnet["availability_zone"] for subnet in subnets]
    plain = [zone for zone in zones if isinstance(zone, str)]
    if len(plain) == len(zones):
        _check_zones(plain)
    else:
        pulumi.Output.all(*zones).apply(_check_zones)


def _validate(args: SharedFileSystemArgs) -> None:
    """Reject inputs the CSI driver or EFS would refuse late, naming the input and the fix."""
    perms = args.get("directory_perms", "700")
    if not _OCTAL_PERMS.fullmatch(perms):
        raise ValueError(
            f"SharedFileSystemArgs.directory_perms {perms!r} is not an octal mode; use three or "
            "four octal digits such as '700' or '0750'"
        )
    start, end = args.get("gid_range_start", 50000), args.get("gid_range_end", 59999)
    if not 1 <= start < end <= _MAX_GID:
        raise ValueError(
            f"SharedFileSystemArgs.gid_range_start..gid_range_end {start}..{end} is reversed or "
            f"out of range; give 1 <= start < end <= {_MAX_GID}, e.g. 50000..59999"
        )
    scratch_gid = args.get("scratch_gid", 40000)
    if start <= scratch_gid <= end:
        raise ValueError(
            f"SharedFileSystemArgs.scratch_gid {scratch_gid} lies inside the project GID range "
            f"{start}..{end}; choose a GID outside it so scratch cannot reach project data"
        )
    mode = args.get("throughput_mode", "elastic")
    if mode not in ("elastic", "bursting", "provisioned"):
        raise ValueError(
            f"SharedFileSystemArgs.throughput_mode {mode!r} must be elastic, bursting or "
            "provisioned"
        )
    mibps = args.get("provisioned_throughput_mibps", 0)
    if mode == "provisioned" and not 1 <= mibps <= 10240:
        raise ValueError(
            "SharedFileSystemArgs.provisioned_throughput_mibps must be 1-10240 when "
            "throughput_mode is provisioned"
        )
    for key in ("transition_to_ia", "transition_to_archive"):
        value = args.get(key)
        if value and value not in _TRANSITIONS:
            raise ValueError(
                f"SharedFileSystemArgs.{key} {value!r} must be one of {', '.join(_TRANSITIONS)}"
            )
    if args.get("transition_to_archive") and mode != "elastic":
        raise ValueError(
            "SharedFileSystemArgs.transition_to_archive needs throughput_mode elastic; "
            "drop it or switch the throughput mode"
        )
    bad_roles = [
        role
        for role in args["client_security_groups"]
        if role == "clients" or not re.fullmatch(r"[a-z][a-z0-9-]{0,30}", role)
    ]
    if bad_roles:
        raise ValueError(
            f"SharedFileSystemArgs.client_security_groups keys {bad_roles} must be short "
            "lowercase role names such as 'nodes' ('clients' is the component's own group)"
        )
    if not args["client_security_groups"]:
        raise ValueError(
            "SharedFileSystemArgs.client_security_groups is empty; nothing could reach NFS. "
            "Give the node (and cluster) security groups"
        )
    if not args["client_role_arns"]:
        raise ValueError(
            "SharedFileSystemArgs.client_role_arns is empty; no role could mount. Give the "
            "EFS CSI driver role and the node role"
        )
