"""Compute and shared POSIX storage: network, EKS, EFS with its StorageClasses, workspaces."""

from __future__ import annotations

from dataclasses import dataclass

from components.compute.cluster import Cluster, NodeGroupSpec
from components.compute.network import Network
from components.compute.shared_filesystem import SharedFileSystem
from components.compute.workspaces import Workspaces
from composition.context import StackContext
from contracts.names import cluster_name
from settings import NodeGroupSettings

__all__ = ["Compute", "build_compute"]


@dataclass(frozen=True)
class Compute:
    """The compute subsystem's components."""

    network: Network
    cluster: Cluster
    shared_fs: SharedFileSystem
    workspaces: Workspaces


def build_compute(ctx: StackContext) -> Compute:
    """The VPC, the cluster, the file system and one workspace per project."""
    s = ctx.settings
    network = Network(
        f"{ctx.prefix}-network",
        {
            "region": s.primary_region,
            "vpc_cidr": s.vpc_cidr,
            "availability_zone_count": s.availability_zone_count,
            "nat_gateways": s.nat_gateways,
            "existing_vpc_id": s.existing_vpc_id,
            "existing_private_subnet_ids": s.existing_private_subnet_ids,
            "flow_log_retention_days": s.log_retention_days,
            # One key for every log group: the network and the cluster reuse the platform's.
            "log_kms_key_arn": ctx.logs_key.key_arn,
        },
        ctx.opts,
    )
    cluster = Cluster(
        f"{ctx.prefix}-eks",
        {
            "cluster_name": cluster_name(ctx.prefix),
            "kubernetes_version": s.eks_version,
            "subnet_ids": network.private_subnet_ids,
            "node_security_group_id": network.node_security_group_id,
            "node_groups": [_node_group(group) for group in s.node_groups],
            "public_access_cidrs": s.eks_public_access_cidrs,
            "admin_role_arns": s.eks_admin_role_arns,
            "efs_csi_identity": s.efs_csi_identity,
            "log_retention_days": s.log_retention_days,
            "log_kms_key_arn": network.log_kms_key_arn,
            "deletion_protection": s.deletion_protection,
            "resource_tags": s.resource_tags,
        },
        ctx.opts,
    )
    shared_fs = SharedFileSystem(
        f"{ctx.prefix}-efs",
        {
            "vpc_id": network.vpc_id,
            "subnets": network.private_subnets,
            "client_security_groups": {
                "nodes": cluster.node_security_group_id,
                "cluster": cluster.cluster_security_group_id,
            },
            "client_role_arns": [cluster.efs_csi_role_arn, cluster.node_role_arn],
            "k8s_provider": cluster.k8s_provider,
            "csi_driver": cluster.efs_csi_driver,
            "throughput_mode": s.efs_throughput_mode,
            "provisioned_throughput_mibps": s.efs_provisioned_mibps,
            "directory_perms": s.efs_directory_perms,
            "gid_range_start": s.efs_gid_range_start,
            "gid_range_end": s.efs_gid_range_end,
            "reclaim_policy": s.efs_reclaim_policy,
        },
        ctx.opts,
    )
    workspaces = Workspaces(
        f"{ctx.prefix}-workspaces",
        {
            "projects": s.projects,
            "k8s_provider": cluster.k8s_provider,
            "storage_class_name": shared_fs.projects_storage_class_name,
            "storage_ready": [cluster.efs_csi_driver],
            "storage_size": s.workspace_storage,
            "cpu_quota": s.workspace_cpu_quota,
            "memory_quota": s.workspace_memory_quota,
        },
        ctx.opts,
    )
    return Compute(network, cluster, shared_fs, workspaces)


def _node_group(group: NodeGroupSettings) -> NodeGroupSpec:
    return {
        "name": group.name,
        "instance_types": group.instance_types,
        "min_size": group.min_size,
        "desired_size": group.desired_size,
        "max_size": group.max_size,
        "capacity_type": group.capacity_type,
        "disk_size_gib": group.disk_size_gib,
        "labels": group.labels,
        "taints": group.taints,
    }
