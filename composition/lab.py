"""The laboratory data mesh: lab API, sync workflow, metadata, DataZone, gateway, Batch, Omics."""

from __future__ import annotations

import pulumi

from components.data_lake.lake import DataLake
from components.lab.data_mesh import LabDataMesh, LabDataMeshArgs
from composition.compute import Compute
from composition.context import StackContext
from composition.data import lake_bucket
from contracts.taxonomy import PROCESSED_GENOME, RAW_SEQUENCE, REFERENCE_GENOME

__all__ = ["build_lab"]


def build_lab(ctx: StackContext, compute: Compute, lake: DataLake) -> LabDataMesh:
    """The lab mesh over the lake's buckets and key, in the cluster's VPC."""
    s = ctx.settings
    region = s.primary_region
    args: LabDataMeshArgs = {
        "kms_key_arn": lake.primary_key_arn,
        "log_kms_key_arn": ctx.logs_key.key_arn,
        "alerts_topic_arn": ctx.topics.alerts_topic_arn,
        "log_retention_days": s.log_retention_days,
        "lake_buckets": {
            "raw_sequence": lake_bucket(lake, RAW_SEQUENCE.name, region),
            "processed_genome": lake_bucket(lake, PROCESSED_GENOME.name, region),
            "reference": lake_bucket(lake, REFERENCE_GENOME.name, region),
        },
        "api_enabled": s.lab_api_enabled,
        "api_domain_name": s.lab_api_domain_name,
        "api_certificate_arn": s.lab_api_certificate_arn,
        "eln_endpoint": s.eln_endpoint,
        "eln_api_key_secret_arn": s.eln_api_key_secret_arn,
        "deletion_protection": s.deletion_protection,
        "governance_enabled": s.datazone_enabled,
        "research_groups": [group.name for group in s.research_groups],
        "storage_gateway_activation_key": s.storage_gateway_activation_key,
        "storage_gateway_client_cidrs": s.storage_gateway_client_cidrs,
        "object_lock_mode": s.object_lock_mode,
        "object_lock_days": s.raw_object_lock_days,
        "archive_access_days": s.archive_access_days,
        "deep_archive_access_days": s.deep_archive_access_days,
        "batch_enabled": s.batch_enabled,
        "vpc_id": compute.network.vpc_id,
        "private_subnet_ids": compute.network.private_subnet_ids,
        "security_group_id": compute.shared_fs.client_security_group_id,
        "efs_file_system_id": compute.shared_fs.file_system_id,
        "efs_access_point_id": compute.shared_fs.projects_access_point_id,
        "batch_max_vcpus": s.batch_max_vcpus,
        "batch_use_spot": s.batch_use_spot,
        "healthomics_enabled": s.healthomics_enabled,
        "ready2run_workflow_ids": s.ready2run_workflow_ids,
        "omics_workflow_definition_uri": s.healthomics_workflow_definition_uri,
        # EKS nodes pull the pipeline's images through the same cache as Batch.
        "pipeline_image_puller_role_arns": [compute.cluster.node_role_arn],
    }
    if s.storage_gateway_ad_domain:
        args["storage_gateway_active_directory"] = {
            "domain_name": s.storage_gateway_ad_domain,
            "username": s.storage_gateway_ad_username,
            "password_secret_arn": s.storage_gateway_ad_password_secret_arn,
        }
    return LabDataMesh(
        f"{ctx.prefix}-lab", args, opts=pulumi.ResourceOptions(providers=[ctx.aws, ctx.aws_native])
    )
