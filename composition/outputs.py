"""The stack outputs, in one table: what a consumer cannot rebuild (ARNs, ids, endpoints)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from composition.build import Platform

__all__ = ["export", "stack_outputs"]


def stack_outputs(platform: Platform) -> Mapping[str, Any]:
    """Output name to value; parts switched off leave None (docs/lab-data-mesh.md)."""
    compute, lab = platform.compute, platform.lab
    return {
        "backupVaultArns": [platform.ops.primary_vault_arn, platform.ops.dr_vault_arn],
        "datasyncTaskArns": platform.transfer.task_arns,
        "storageGatewayStatus": lab.storage_gateway_status,
        "labApiUrl": lab.api_url,
        "labApiCustomDomainTarget": lab.api_custom_domain_target,
        "labStateMachineArn": lab.state_machine_arn,
        "labEventBusName": lab.event_bus_name,
        "labMetadataTableName": lab.metadata_table_name,
        "labDatazoneDomainId": lab.datazone_domain_id,
        "labBatchJobQueueArn": lab.batch_job_queue_arn,
        "labBatchJobDefinitionArn": lab.batch_job_definition_arn,
        "labSequenceStoreId": lab.sequence_store_id,
        "labReferenceStoreId": lab.reference_store_id,
        "alertsTopicArn": platform.ctx.topics.alerts_topic_arn,
        "dashboardName": platform.observability.dashboard_name,
        "dataLakeBucketNames": platform.data_lake.bucket_names,
        "researchRoleArns": platform.data_lake.research_role_arns,
        "vpcId": compute.network.vpc_id,
        "privateSubnetIds": compute.network.private_subnet_ids,
        "clusterName": compute.cluster.cluster_name,
        "clusterEndpoint": compute.cluster.endpoint,
        "kubeconfig": compute.cluster.kubeconfig,
        "oidcProviderArn": compute.cluster.oidc_provider_arn,
        "efsFileSystemId": compute.shared_fs.file_system_id,
        "efsScratchAccessPointArn": compute.shared_fs.scratch_access_point_arn,
        "efsStorageClasses": [
            compute.shared_fs.projects_storage_class_name,
            compute.shared_fs.scratch_storage_class_name,
        ],
    }


def export(platform: Platform) -> None:
    """Export every output that is set."""
    for name, value in stack_outputs(platform).items():
        if value is not None:
            pulumi.export(name, value)
