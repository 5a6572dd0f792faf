"""The shared EFS file system and its StorageClasses under the platform mocks."""

from __future__ import annotations

from typing import Any

import pulumi_kubernetes as k8s
import pytest

from components.compute.network import Network, PlacedSubnet
from components.compute.shared_filesystem import SharedFileSystem, SharedFileSystemArgs
from tests.support.harness import Registered, json_input, record

FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"
MOUNT_TARGET = "aws:efs/mountTarget:MountTarget"
ACCESS_POINT = "aws:efs/accessPoint:AccessPoint"
STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
CSI_ROLE = "arn:aws:iam::111122223333:role/efs-csi"
NODE_ROLE = "arn:aws:iam::111122223333:role/node"
SUBNETS: list[PlacedSubnet] = [
    {"subnet_id": f"subnet-0{letter}1", "availability_zone": f"ap-south-1{letter}"}
    for letter in "abc"
]


def _record(**overrides: Any) -> Registered:
    def build() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        args: dict[str, Any] = {
            "vpc_id": "vpc-0abc1234def567890",
            "subnets": SUBNETS,
            "client_security_groups": {"nodes": "sg-0node", "cluster": "sg-0cluster"},
            "client_role_arns": [CSI_ROLE, NODE_ROLE],
            "k8s_provider": provider,
            **overrides,
        }
        typed: SharedFileSystemArgs = args  # type: ignore[assignment]
        SharedFileSystem("efs", typed).authorize_clients()

    return record(build)


@pytest.fixture(scope="module")
def efs() -> Registered:
    """The defaults: elastic throughput, a new key, Retain for projects, three zones."""
    return _record()


def _policy(registered: Registered) -> list[dict[str, Any]]:
    policy = registered.one("aws:efs/fileSystemPolicy:FileSystemPolicy")
    statements: list[dict[str, Any]] = json_input(policy, "policy")["Statement"]
    return statements


def _storage_class(registered: Registered, name: str) -> dict[str, Any]:
    (match,) = [
        r for r in registered.of_type(STORAGE_CLASS) if r.inputs["metadata"]["name"] == name
    ]
    return match.inputs


def test_a_mount_target_in_every_node_subnet(efs: Registered) -> None:
    """Each node subnet (one per zone) gets a mount target guarded by the NFS group."""
    targets = efs.of_type(MOUNT_TARGET)
    assert sorted(t.inputs["subnetId"] for t in targets) == [s["subnet_id"] for s in SUBNETS]
    nfs_sg = efs.one("aws:ec2/securityGroup:SecurityGroup", "efs-nfs-sg")
    assert all(t.property_dependencies["securityGroups"] == (nfs_sg.urn,) for t in targets)


def test_nfs_is_admitted_only_from_the_client_security_groups(efs: Registered) -> None:
    """The NFS group admits TCP 2049 from the node, cluster and client groups, never a CIDR."""
    nfs_sg = efs.one("aws:ec2/securityGroup:SecurityGroup", "efs-nfs-sg")
    client_sg = efs.one("aws:ec2/securityGroup:SecurityGroup", "efs-client-sg")
    rules = efs.of_type(INGRESS)
    assert all(r.property_dependencies["securityGroupId"] == (nfs_sg.urn,) for r in rules)
    given = {
        r.inputs["referencedSecurityGroupId"] for r in rules if r.name != "efs-nfs-from-clients"
    }
    assert given == {"sg-0node", "sg-0cluster"}
    from_clients = efs.one(INGRESS, "efs-nfs-from-clients")
    assert from_clients.property_dependencies["referencedSecurityGroupId"] == (client_sg.urn,)
    for rule in rules:
        assert (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"]) == (
            "tcp",
            2049,
            2049,
        )
        assert "cidrIpv4" not in rule.inputs
        assert "cidrIpv6" not in rule.inputs


def test_client_group_reaches_only_nfs_on_the_mount_targets(efs: Registered) -> None:
    """The group functions and transfers attach may only send NFS to the mount targets."""
    nfs_sg = efs.one("aws:ec2/securityGroup:SecurityGroup", "efs-nfs-sg")
    client_sg = efs.one("aws:ec2/securityGroup:SecurityGroup", "efs-client-sg")
    (egress,) = efs.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert egress.property_dependencies["securityGroupId"] == (client_sg.urn,)
    assert egress.property_dependencies["referencedSecurityGroupId"] == (nfs_sg.urn,)
    assert (egress.inputs["ipProtocol"], egress.inputs["fromPort"]) == ("tcp", 2049)


def test_file_system_is_encrypted_with_a_rotating_customer_key(efs: Registered) -> None:
    """Data at rest uses a customer-managed key with rotation, not the AWS-managed key."""
    file_system = efs.one(FILE_SYSTEM)
    key = efs.one("aws:kms/key:Key")
    assert file_system.inputs["encrypted"] is True
    assert file_system.property_dependencies["kmsKeyId"] == (key.urn,)
    assert key.inputs["enableKeyRotation"] is True


def test_elastic_throughput_by_default(efs: Registered) -> None:
    """Elastic throughput (general purpose mode) is the default."""
    inputs = efs.one(FILE_SYSTEM).inputs
    assert inputs["throughputMode"] == "elastic"
    assert inputs["performanceMode"] == "generalPurpose"
    assert "provisionedThroughputInMibps" not in inputs


def test_provisioned_throughput_is_configurable() -> None:
    """Provisioned mode carries the requested MiB/s."""
    inputs = _record(throughput_mode="provisioned", provisioned_throughput_mibps=256).one(
        FILE_SYSTEM
    )
    assert inputs.inputs["throughputMode"] == "provisioned"
    assert inputs.inputs["provisionedThroughputInMibps"] == 256


def test_automatic_backups_are_on(efs: Registered) -> None:
    """An EFS backup policy turns AWS Backup's automatic daily backups on."""
    backup = efs.one("aws:efs/backupPolicy:BackupPolicy").inputs
    assert backup["backupPolicy"] == {"status": "ENABLED"}


def test_cold_files_move_to_infrequent_access(efs: Registered) -> None:
    """A lifecycle policy moves files to IA after 30 days and back on first access."""
    policies = efs.one(FILE_SYSTEM).inputs["lifecyclePolicies"]
    assert {"transitionToIa": "AFTER_30_DAYS"} in policies
    assert {"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"} in policies


def test_policy_denies_requests_without_tls(efs: Registered) -> None:
    """Any request with aws:SecureTransport false is denied for every principal."""
    deny = [s for s in _policy(efs) if s["Effect"] == "Deny" and "aws:SecureTransport" in str(s)]
    assert deny == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": deny[0]["Resource"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def test_policy_denies_access_outside_mount_targets(efs: Registered) -> None:
    """Client actions not made through a mount target are denied for every principal."""
    (deny,) = [s for s in _policy(efs) if s["Sid"] == "DenyAccessOutsideMountTargets"]
    assert deny["Effect"] == "Deny"
    assert deny["Principal"] == {"AWS": "*"}
    assert deny["Condition"] == {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "false"}}


def test_policy_grants_only_listed_roles_so_anonymous_mounts_fail(efs: Registered) -> None:
    """Allows name the listed roles only (no wildcard), with mount and write, no root."""
    allows = [s for s in _policy(efs) if s["Effect"] == "Allow"]
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"AWS": [CSI_ROLE, NODE_ROLE]}
    assert set(allow["Action"]) == {
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
    }
    assert allow["Condition"]["Bool"] == {"elasticfilesystem:AccessedViaMountTarget": "true"}
    # Only through access points the driver provisions: never the root, never the platform's.
    assert allow["Condition"]["Null"] == {"elasticfilesystem:AccessPointArn": "false"}
    assert len(allow["Condition"]["ArnNotEquals"]["elasticfilesystem:AccessPointArn"]) == 2


def test_the_policy_is_written_once_only() -> None:
    """A second authorize_clients would replace the first policy's grants: it is refused."""

    def build() -> None:
        fs = SharedFileSystem(
            "efs",
            {
                "vpc_id": "vpc-0abc1234def567890",
                "subnets": SUBNETS,
                "client_security_groups": {"nodes": "sg-0node"},
                "client_role_arns": [CSI_ROLE],
                "k8s_provider": k8s.Provider("k8s", kubeconfig="{}"),
            },
        )
        fs.authorize_clients()
        fs.authorize_clients()

    with pytest.raises(Exception, match="already called"):
        record(build)


def test_root_access_is_granted_only_to_named_roles() -> None:
    """ClientRootAccess appears only for root_access_role_arns."""
    transfer = "arn:aws:iam::111122223333:role/datasync"
    allows = [
        s
        for s in _policy(_record(root_access_role_arns=[transfer]))
        if s["Effect"] == "Allow" and "elasticfilesystem:ClientRootAccess" in s["Action"]
    ]
    assert [a["Principal"] for a in allows] == [{"AWS": [transfer]}]


def test_scratch_access_point_enforces_a_posix_user_under_scratch(efs: Registered) -> None:
    """The clean-up Lambda's access point is rooted at /scratch as the scratch identity."""
    scratch = efs.one(ACCESS_POINT, "efs-scratch-ap").inputs
    assert scratch["posixUser"] == {"uid": 40000, "gid": 40000}
    assert scratch["rootDirectory"] == {
        "path": "/scratch",
        "creationInfo": {"ownerUid": 40000, "ownerGid": 40000, "permissions": "0770"},
    }


def test_projects_root_access_point_creates_projects(efs: Registered) -> None:
    """The projects root access point creates /projects, root-owned and traversable."""
    projects = efs.one(ACCESS_POINT, "efs-projects-ap").inputs
    assert projects["rootDirectory"] == {
        "path": "/projects",
        "creationInfo": {"ownerUid": 0, "ownerGid": 0, "permissions": "0755"},
    }


def test_projects_storage_class_provisions_access_points_per_claim(efs: Registered) -> None:
    """efs-projects: efs-ap mode, GID range, perms, base path and per-claim sub-paths."""
    storage_class = _storage_class(efs, "efs-projects")
    assert storage_class["provisioner"] == "efs.csi.aws.com"
    parameters = storage_class["parameters"]
    file_system_id = parameters.pop("fileSystemId")
    assert file_system_id.startswith("fs-")
    assert parameters == {
        "provisioningMode": "efs-ap",
        "directoryPerms": "700",
        "gidRangeStart": "50000",
        "gidRangeEnd": "59999",
        "basePath": "/projects",
        "subPathPattern": "${.PVC.namespace}/${.PVC.name}",
        "ensureUniqueDirectory": "false",
    }


def test_storage_classes_mount_with_tls_and_iam(efs: Registered) -> None:
    """Both StorageClasses keep TLS in transit and IAM client authentication."""
    for name in ("efs-projects", "efs-scratch"):
        assert _storage_class(efs, name)["mountOptions"] == ["tls", "iam"]


def test_projects_are_retained_by_default_and_scratch_is_deleted(efs: Registered) -> None:
    """Project data outlives its claim (Retain); scratch claims are reclaimed (Delete)."""
    assert _storage_class(efs, "efs-projects")["reclaimPolicy"] == "Retain"
    scratch = _storage_class(efs, "efs-scratch")
    assert scratch["reclaimPolicy"] == "Delete"
    assert scratch["parameters"]["basePath"] == "/scratch/volumes"


def test_reclaim_policy_of_projects_comes_from_args() -> None:
    """A dev stack may reclaim project volumes with Delete."""
    registered = _record(reclaim_policy="Delete")
    assert _storage_class(registered, "efs-projects")["reclaimPolicy"] == "Delete"


def test_storage_classes_use_the_cluster_provider(efs: Registered) -> None:
    """StorageClasses go to the given cluster's Kubernetes provider, not an ambient one."""
    for storage_class in efs.of_type(STORAGE_CLASS):
        assert "::pulumi:providers:kubernetes::k8s::" in storage_class.provider


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"gid_range_start": 60000, "gid_range_end": 50000}, "is reversed or out of range"),
        ({"directory_perms": "7a0"}, "directory_perms '7a0' is not an octal mode"),
        ({"directory_perms": "800"}, "directory_perms '800' is not an octal mode"),
        (
            {"subnets": [{**SUBNETS[0], "subnet_id": sid} for sid in ("subnet-01", "subnet-02")]},
            "are all in one availability zone",
        ),
        ({"subnets": [*SUBNETS, {**SUBNETS[0], "subnet_id": "subnet-0d1"}]}, "one mount target"),
        ({"scratch_gid": 55000}, "scratch_gid 55000 lies inside the project GID range"),
        ({"throughput_mode": "provisioned"}, "provisioned_throughput_mibps must be 1-10240"),
        ({"client_role_arns": []}, "client_role_arns is empty"),
        ({"client_security_groups": {"clients": "sg-0x"}}, "must be short lowercase role names"),
    ],
    ids=[
        "gid-reversed",
        "perms-letter",
        "perms-eight",
        "one-zone",
        "zone-twice",
        "scratch-gid",
        "provisioned",
        "no-roles",
        "reserved-group-role",
    ],
)
def test_invalid_args_fail_with_a_message_naming_the_input(
    overrides: dict[str, Any], message: str
) -> None:
    """Bad inputs fail at construction, naming the input and what to use instead."""
    with pytest.raises(ValueError, match=message):
        _record(**overrides)


def test_looked_up_subnets_in_one_zone_fail_once_known() -> None:
    """Existing subnets whose looked-up zones coincide are refused as soon as they resolve."""

    def build() -> None:
        network = Network(
            "net",
            {
                "region": "ap-south-1",
                "existing_vpc_id": "vpc-0abc1234def567890",
                # The mocks place subnets by their id's last hex digit: 3 and 6 share zone a.
                "existing_private_subnet_ids": ["subnet-0a3", "subnet-0b6"],
            },
        )
        SharedFileSystem(
            "efs",
            {
                "vpc_id": network.vpc_id,
                "subnets": network.private_subnets,
                "client_security_groups": {"nodes": network.node_security_group_id},
                "client_role_arns": [NODE_ROLE],
                "k8s_provider": k8s.Provider("k8s", kubeconfig="{}"),
            },
        )

    with pytest.raises(ValueError, match="are all in one availability zone"):
        record(build)
