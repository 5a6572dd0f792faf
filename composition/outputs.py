"""The stack outputs, in one table: what a consumer cannot rebuild (ARNs, ids, endpoints)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pulumi

from composition.build import Platform

__all__ = ["OUTPUT_DESCRIPTIONS", "export", "stack_outputs"]

OUTPUT_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "backupVaultArns": "EBS backup vaults: Mumbai, then the Hyderabad copy vault.",
    "datasyncTaskArns": "DataSync tasks moving EFS project data to the lake, one per category.",
    "storageGatewayStatus": "Why the S3 File Gateway was or was not created.",
    "labApiUrl": "Invoke URL of the lab API (IAM-authorised).",
    "labApiCustomDomainTarget": "DNS target of the lab API's custom domain, when one is set.",
    "labStateMachineArn": "Step Functions state machine syncing the ELN and the metadata store.",
    "labEventBusName": "EventBridge bus on which the lab announces datasets.",
    "labMetadataTableName": "DynamoDB table of dataset metadata.",
    "labDatazoneDomainId": "DataZone domain that catalogues the lake.",
    "labBatchJobQueueArn": "AWS Batch job queue of the alignment pipeline.",
    "labBatchJobDefinitionArns": "Batch job definitions, one per alignment step.",
    "labSequenceStoreId": "HealthOmics sequence store, where HealthOmics is enabled.",
    "labReferenceStoreId": "HealthOmics reference store, where HealthOmics is enabled.",
    "labOmicsWorkflowId": "HealthOmics workflow running pipelines/alignment.wdl.",
    "labOmicsRunGroupId": "HealthOmics run group bounding the workflow's runs.",
    "labOmicsRunRoleArn": "Role HealthOmics runs assume.",
    "pipelineImageRegistry": "ECR registry prefix of the pipeline's pull-through image cache.",
    "alertsTopicArn": "SNS topic every alarm of the primary region notifies.",
    "dashboardName": "CloudWatch dashboard of the platform.",
    "dataLakeBucketNames": "Data-lake bucket names by category (primary region).",
    "researchRoleArns": "Research group roles, assumed with a project session tag.",
    "vpcId": "VPC of the cluster, file system and functions.",
    "privateSubnetIds": "Private subnets; the in-VPC deploy runner goes in one of them.",
    "clusterName": "EKS cluster name (`aws eks update-kubeconfig --name ...`).",
    "clusterEndpoint": "EKS API endpoint (private unless eksPublicAccessCidrs is set).",
    "kubeconfig": "Kubeconfig for the cluster (secret; uses `aws eks get-token`).",
    "oidcProviderArn": "IAM OIDC provider of the cluster, for IRSA roles.",
    "efsFileSystemId": "The shared EFS file system.",
    "efsScratchAccessPointArn": "EFS access point of the scratch area.",
    "efsStorageClasses": "Kubernetes StorageClasses: project workspaces, then scratch.",
}
"""What each output is for; docs/outputs.md is generated from it and from the stacks."""


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
        "labBatchJobDefinitionArns": lab.batch_job_definition_arns,
        "labSequenceStoreId": lab.sequence_store_id,
        "labReferenceStoreId": lab.reference_store_id,
        "labOmicsWorkflowId": lab.omics_workflow_id,
        "labOmicsRunGroupId": lab.omics_run_group_id,
        "labOmicsRunRoleArn": lab.omics_run_role_arn,
        "pipelineImageRegistry": lab.pipeline_image_registry,
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
