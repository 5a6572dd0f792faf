"""The genomics storage platform: read settings, compose components, export outputs."""

from __future__ import annotations

import pulumi
import pulumi_aws
import pulumi_aws_native

from components.alerting import AlertTopics
from components.cluster import Cluster
from components.data_lake import DataLake
from components.function import metrics_namespace
from components.lab_data_mesh import LabDataMesh
from components.network import Network
from components.observability import LogEncryptionKey, Observability
from components.ops_automation import OpsAutomation, scratch_cleanup_role_name
from components.providers import aws_provider
from components.shared_filesystem import SCRATCH_VOLUMES_DIR, SharedFileSystem
from components.transfer import Transfer, datasync_efs_role_name, tagger_role_name
from components.workspaces import Workspaces
from settings import SettingsError, settings_from_pulumi_config
from taxonomy import CATEGORIES

try:
    settings = settings_from_pulumi_config()
except SettingsError as error:
    raise pulumi.RunError(str(error)) from None

aws = aws_provider(
    f"{settings.name_prefix}-aws",
    settings.primary_region,
    settings.resource_tags,
    settings.allowed_regions,
)
opts = pulumi.ResourceOptions(provider=aws)

# Role ARNs known by name before their roles exist: the lake's tag-write deny and the file
# system's policy must name them, and both are created before the transfer component.
account = pulumi_aws.get_caller_identity_output(opts=pulumi.InvokeOptions(provider=aws)).account_id
tagger_role_arn = pulumi.Output.concat(
    "arn:aws:iam::", account, ":role/", tagger_role_name(settings.name_prefix)
)
datasync_efs_role_arn = pulumi.Output.concat(
    "arn:aws:iam::", account, ":role/", datasync_efs_role_name(settings.name_prefix)
)
scratch_cleanup_role_arn = pulumi.Output.concat(
    "arn:aws:iam::", account, ":role/", scratch_cleanup_role_name(settings.name_prefix)
)

logs_key = LogEncryptionKey(f"{settings.name_prefix}-logs", settings.name_prefix, opts=opts)
topics = AlertTopics(
    f"{settings.name_prefix}-notifications",
    {"name_prefix": settings.name_prefix, "alert_emails": list(settings.alert_emails)},
    opts=opts,
)

network = Network(
    f"{settings.name_prefix}-network",
    {
        "region": settings.primary_region,
        "vpc_cidr": settings.vpc_cidr,
        "availability_zone_count": settings.availability_zone_count,
        "nat_gateways": "one-per-az" if settings.nat_gateway_per_az else "single",
        "existing_vpc_id": settings.existing_vpc_id,
        "existing_private_subnet_ids": settings.existing_private_subnet_ids,
        "flow_log_retention_days": settings.log_retention_days,
    },
    opts,
)
cluster = Cluster(
    f"{settings.name_prefix}-eks",
    {
        "cluster_name": f"{settings.name_prefix}-eks",
        "kubernetes_version": settings.eks_version,
        "subnet_ids": network.private_subnet_ids,
        "node_security_group_id": network.node_security_group_id,
        "node_groups": [
            {
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
            for group in settings.node_groups
        ],
        "public_access_cidrs": settings.eks_public_access_cidrs,
        "admin_role_arns": settings.eks_admin_role_arns,
        "efs_csi_identity": settings.efs_csi_identity,
        "log_retention_days": settings.log_retention_days,
        "log_kms_key_arn": network.log_kms_key_arn,
        "deletion_protection": settings.environment == "prod",
        "resource_tags": settings.resource_tags,
    },
    opts,
)
shared_fs = SharedFileSystem(
    f"{settings.name_prefix}-efs",
    {
        "vpc_id": network.vpc_id,
        "subnets": network.private_subnets,
        "client_security_groups": {
            "nodes": cluster.node_security_group_id,
            "cluster": cluster.cluster_security_group_id,
        },
        "client_role_arns": [
            cluster.efs_csi_role_arn,
            cluster.node_role_arn,
            scratch_cleanup_role_arn,
        ],
        "k8s_provider": cluster.k8s_provider,
        "throughput_mode": settings.efs_throughput_mode,
        "provisioned_throughput_mibps": settings.efs_provisioned_mibps,
        "directory_perms": settings.efs_directory_perms,
        "gid_range_start": settings.efs_gid_range_start,
        "gid_range_end": settings.efs_gid_range_end,
        "reclaim_policy": settings.efs_reclaim_policy,
        "root_access_role_arns": [datasync_efs_role_arn],
    },
    opts,
)
Workspaces(
    f"{settings.name_prefix}-workspaces",
    {
        "projects": settings.projects,
        "k8s_provider": cluster.k8s_provider,
        "storage_class_name": shared_fs.projects_storage_class_name,
        "storage_size": settings.workspace_storage,
        "cpu_quota": settings.workspace_cpu_quota,
        "memory_quota": settings.workspace_memory_quota,
    },
    opts,
)

data_lake = DataLake(
    f"{settings.name_prefix}-data-lake",
    {
        "name_prefix": settings.name_prefix,
        "primary_region": settings.primary_region,
        "dr_region": settings.dr_region,
        "research_groups": [
            {"name": g.name, "projects": g.projects, "classifications": g.classifications}
            for g in settings.research_groups
        ],
        "noncurrent_version_days": settings.noncurrent_version_days,
        "archive_access_days": settings.archive_access_days,
        "deep_archive_access_days": settings.deep_archive_access_days,
        "object_lock_mode": settings.object_lock_mode,
        "object_lock_days": settings.raw_object_lock_days,
    },
    opts=opts,
)

ops = OpsAutomation(
    f"{settings.name_prefix}-ops",
    {
        "name_prefix": settings.name_prefix,
        "environment": settings.environment,
        "dr_region": settings.dr_region,
        "time_zone": settings.time_zone,
        "business_hours_end": settings.business_hours_end,
        "backup_retention_days": settings.backup_retention_days,
        "backup_vault_lock": settings.backup_vault_lock,
        "notification_topic_arn": topics.alerts_topic_arn,
        "dry_run": settings.ops_dry_run,
        "reports_topic_arn": topics.reports_topic_arn,
        "log_key_arn": logs_key.key_arn,
        "log_retention_days": settings.log_retention_days,
        "ebs_reaper": {
            "grace_days": settings.ebs_reaper_grace_days,
            "max_deletions_per_run": settings.ebs_reaper_max_deletions,
        },
        "test_instance_scheduler": {
            "testing_hours_end": settings.testing_hours_end,
            "testing_hours_start": settings.testing_hours_start,
        },
        "scratch_cleanup": {
            "file_system_arn": shared_fs.file_system_arn,
            "access_point_arn": shared_fs.scratch_access_point_arn,
            "subnet_ids": [subnet["subnet_id"] for subnet in network.private_subnets],
            "security_group_id": shared_fs.client_security_group_id,
            # Every scratch volume lives under /scratch/volumes (the efs-scratch base path).
            "scratch_roots": [SCRATCH_VOLUMES_DIR],
            "retention_days": settings.scratch_retention_days,
            "day": settings.scratch_cleanup_day,
            "time": settings.scratch_cleanup_time,
        },
    },
    opts=opts,
)
pulumi.export("backupVaultArns", [ops.primary_vault_arn, ops.dr_vault_arn])


def lake_bucket(category: str, region: str) -> pulumi.Output[str]:
    """The physical name of the lake bucket of `category` in `region`."""
    return data_lake.bucket_names.apply(lambda names: names[category][region])


# The lab comes before the transfer component: the tagger subscribes to its event bus.
# HealthOmics comes from aws-native; it gets the same region and default tags.
aws_native = pulumi_aws_native.Provider(
    f"{settings.name_prefix}-aws-native",
    region=settings.primary_region,
    default_tags=pulumi_aws_native.ProviderDefaultTagsArgs(tags=settings.resource_tags),
)
lab = LabDataMesh(
    f"{settings.name_prefix}-lab",
    {
        "kms_key_arn": data_lake.primary_key_arn,
        "log_kms_key_arn": logs_key.key_arn,
        "alerts_topic_arn": topics.alerts_topic_arn,
        "log_retention_days": settings.log_retention_days,
        "lake_buckets": {
            "raw_sequence": lake_bucket("raw_sequence", settings.primary_region),
            "processed_genome": lake_bucket("processed_genome", settings.primary_region),
            "reference": lake_bucket("reference_genome", settings.primary_region),
        },
        "api_enabled": settings.lab_api_enabled,
        "api_domain_name": settings.lab_api_domain_name,
        "api_certificate_arn": settings.lab_api_certificate_arn,
        "eln_endpoint": settings.eln_endpoint,
        "eln_api_key_secret_arn": settings.eln_api_key_secret_arn,
        "deletion_protection": settings.environment == "prod",
        "governance_enabled": settings.datazone_enabled,
        "research_groups": [group.name for group in settings.research_groups],
        "storage_gateway_activation_key": settings.storage_gateway_activation_key,
        "storage_gateway_client_cidrs": settings.storage_gateway_client_cidrs,
        "object_lock_mode": settings.object_lock_mode,
        "object_lock_days": settings.raw_object_lock_days,
        "archive_access_days": settings.archive_access_days,
        "deep_archive_access_days": settings.deep_archive_access_days,
        "batch_enabled": settings.batch_enabled,
        "private_subnet_ids": network.private_subnet_ids,
        "security_group_id": shared_fs.client_security_group_id,
        "efs_file_system_id": shared_fs.file_system_id,
        "efs_access_point_id": shared_fs.projects_access_point_id,
        "batch_max_vcpus": settings.batch_max_vcpus,
        "batch_use_spot": settings.batch_use_spot,
        "healthomics_enabled": settings.healthomics_enabled,
        "ready2run_workflow_ids": settings.ready2run_workflow_ids,
        "omics_workflow_definition_uri": settings.healthomics_workflow_definition_uri,
        "pipeline_image_puller_role_arns": [cluster.node_role_arn],
    },
    opts=pulumi.ResourceOptions(providers=[aws, aws_native]),
)

transfer = Transfer(
    f"{settings.name_prefix}-transfer",
    {
        "name_prefix": settings.name_prefix,
        "environment": settings.environment,
        "region": settings.primary_region,
        "bucket_names": data_lake.bucket_names,
        "transfer_reports_bucket": data_lake.transfer_reports_bucket,
        "data_key_arn": data_lake.primary_key_arn,
        "log_key_arn": logs_key.key_arn,
        "log_retention_days": settings.log_retention_days,
        "file_system_arn": shared_fs.file_system_arn,
        "projects_access_point_arn": shared_fs.projects_access_point_arn,
        "subnet_id": network.private_subnet_ids.apply(lambda ids: ids[0]),
        "security_group_ids": [shared_fs.client_security_group_id],
        "transfers_topic_arn": topics.transfers_topic_arn,
        "reports_topic_arn": topics.reports_topic_arn,
        "transfer_times": list(settings.transfer_times),
        "time_zone": settings.time_zone,
        "tag_audit_time": settings.tag_audit_time,
        "bandwidth_mibps": settings.transfer_bandwidth_mibps,
        "tag_unclassified": settings.tag_unclassified,
        "fan_out_threshold": settings.fan_out_threshold,
        "lab_event_bus_name": lab.event_bus_name,
    },
    opts=opts,
)
pulumi.export("datasyncTaskArns", transfer.task_arns)


observability = Observability(
    f"{settings.name_prefix}-observability",
    {
        "name_prefix": settings.name_prefix,
        "environment": settings.environment,
        "cluster_name": cluster.cluster_name,
        "alerts_topic_arn": topics.alerts_topic_arn,
        "log_kms_key_arn": logs_key.key_arn,
        "log_retention_days": settings.log_retention_days,
        "file_system_id": shared_fs.file_system_id,
        "efs_throughput_mode": settings.efs_throughput_mode,
        "buckets": {
            c.bucket_slug: lake_bucket(c.name, settings.primary_region) for c in CATEGORIES
        },
        "request_metrics_filter_id": "EntireBucket",
        "backup_vault_names": {"primary": ops.primary_vault_name, "dr": ops.dr_vault_name},
        "function_names": {
            "object-tagger": transfer.tagger_function_name,
            "tag-audit": transfer.audit_function_name,
            "start-transfer": transfer.start_function_name,
        },
        "datasync_task_arns": {
            category.replace("_", "-"): transfer.task_arns_by_category.apply(
                lambda arns, category=category: arns[category]  # type: ignore[misc]
            )
            for category in ("raw_sequence", "processed_genome")
        },
        "replication_rules": {
            c.bucket_slug: {
                "source_bucket": lake_bucket(c.name, settings.primary_region),
                "destination_bucket": lake_bucket(c.name, settings.dr_region),
                "rule_id": "to-dr-region",
            }
            for c in CATEGORIES
        },
        # Powertools adds the `service` dimension (POWERTOOLS_SERVICE_NAME, the package name in
        # kebab case); PlatformFunction sets the namespace from the same metrics_namespace().
        "untagged_objects_metric": {
            "namespace": metrics_namespace("tag_audit"),
            "dimensions": {"service": "tag-audit"},
        },
        "thresholds": {
            "efs_percent_io_limit": settings.alarm_efs_percent_io_limit,
            "efs_throughput_utilization_percent": settings.alarm_efs_throughput_utilization,
            "efs_client_connections": settings.alarm_efs_client_connections,
            "efs_burst_credit_balance_bytes": settings.alarm_efs_burst_credit_balance_bytes,
            "replication_latency_seconds": settings.alarm_replication_latency_seconds,
            "s3_4xx_errors": settings.alarm_s3_client_errors,
            "s3_5xx_errors": settings.alarm_s3_server_errors,
            "lambda_errors": settings.alarm_lambda_errors,
            "lambda_throttles": settings.alarm_lambda_throttles,
            "node_cpu_percent": settings.alarm_node_cpu_percent,
            "node_memory_percent": settings.alarm_node_memory_percent,
            "pod_restarts": settings.alarm_pod_restarts,
            "untagged_objects": settings.alarm_untagged_objects,
        },
        "log_alert_terms": settings.log_alert_terms,
        "log_alerts_dedupe_window_seconds": settings.log_alert_dedupe_window_seconds,
    },
    opts=opts,
)
pulumi.export("storageGatewayStatus", lab.storage_gateway_status)
# Parts switched off leave their outputs None; those are not exported (docs/lab-data-mesh.md).
for output_name, output in {
    "labApiUrl": lab.api_url,
    "labApiCustomDomainTarget": lab.api_custom_domain_target,
    "labStateMachineArn": lab.state_machine_arn,
    "labEventBusName": lab.event_bus_name,
    "labMetadataTableName": lab.metadata_table_name,
    "labDatazoneDomainId": lab.datazone_domain_id,
    "labBatchJobQueueArn": lab.batch_job_queue_arn,
    "labBatchJobDefinitionArns": lab.batch_job_definition_arns,
    "labSequenceStoreId": lab.sequence_store_id,
    "labReferenceStoreId": lab.reference_store_id,
    "labOmicsWorkflowId": lab.omics_workflow_id,
    "labOmicsRunGroupId": lab.omics_run_group_id,
    "labOmicsRunRoleArn": lab.omics_run_role_arn,
    "pipelineImageRegistry": lab.pipeline_image_registry,
}.items():
    if output is not None:
        pulumi.export(output_name, output)
pulumi.export("alertsTopicArn", topics.alerts_topic_arn)
pulumi.export("dashboardName", observability.dashboard_name)
pulumi.export("dataLakeBucketNames", data_lake.bucket_names)
pulumi.export("researchRoleArns", data_lake.research_role_arns)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("clusterName", cluster.cluster_name)
pulumi.export("clusterEndpoint", cluster.endpoint)
pulumi.export("kubeconfig", cluster.kubeconfig)
pulumi.export("oidcProviderArn", cluster.oidc_provider_arn)
pulumi.export("efsFileSystemId", shared_fs.file_system_id)
pulumi.export("efsScratchAccessPointArn", shared_fs.scratch_access_point_arn)
pulumi.export(
    "efsStorageClasses",
    [shared_fs.projects_storage_class_name, shared_fs.scratch_storage_class_name],
)
