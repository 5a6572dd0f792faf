"""The laboratory data mesh: lab software and instruments connected to the lake.

Composes the parts (each in its own `components/lab_*.py` and switchable here) on top of what
other components already built (network, EFS, lake buckets, platform key, alert topic):

- lab API (API Gateway) → sync workflow (Step Functions) → metadata store (DynamoDB), ELN and
  the lab event bus: one path for registering experiments, datasets and lab events;
- governance (DataZone) for discovery and subscription of lake data by research group;
- storage gateway (S3 File Gateway) for on-premises instrument shares, WORM and tiered;
- AWS Batch and AWS HealthOmics for pipelines.

The design and its assumptions are in docs/lab-data-mesh.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NotRequired, TypedDict

import pulumi

from components.lab.api import LabApi
from components.lab.batch import LabBatch
from components.lab.governance import LabGovernance
from components.lab.metadata_store import LabMetadataStore
from components.lab.omics import LabOmics, LabOmicsArgs
from components.lab.storage_gateway import (
    LabStorageGateway,
    LabStorageGatewayArgs,
    SmbActiveDirectory,
)
from components.lab.sync_workflow import LabSyncWorkflow
from components.pipelines.images import PipelineImages

__all__ = ["LabDataMesh", "LabDataMeshArgs", "LabLakeBuckets"]


class LabLakeBuckets(TypedDict):
    """Names of the lake buckets the lab parts read and write."""

    raw_sequence: pulumi.Input[str]
    """Raw FASTQ (inputs of Batch and HealthOmics runs)."""
    processed_genome: pulumi.Input[str]
    """Aligned output of Batch and HealthOmics runs."""
    reference: pulumi.Input[str]
    """Reference genomes; also holds workflow definitions and DataZone environment data."""


class LabDataMeshArgs(TypedDict):
    """Inputs of the lab data mesh; every part is on unless switched off."""

    kms_key_arn: pulumi.Input[str]
    """Platform customer-managed key; its policy must let logs, events, states, dynamodb,
    datazone, omics and s3 use it (see docs/lab-data-mesh.md)."""
    alerts_topic_arn: pulumi.Input[str]
    """Alert topic failed sync executions are reported to."""
    log_retention_days: int
    """Retention of every lab log group."""
    log_kms_key_arn: NotRequired[pulumi.Input[str]]
    """Key of the lab log groups when logs have their own key (default: `kms_key_arn`)."""
    lake_buckets: LabLakeBuckets
    """Lake buckets (names)."""
    # ---- API, sync workflow, metadata store ----
    api_enabled: NotRequired[bool]
    """Build the lab API, sync workflow and metadata store (default on)."""
    api_domain_name: NotRequired[str]
    """Custom domain of the API (TLS 1.2); needs `api_certificate_arn`."""
    api_certificate_arn: NotRequired[str]
    """ACM certificate of the custom domain."""
    cognito_user_pool_arns: NotRequired[Sequence[str]]
    """Authorize with these Cognito user pools instead of SigV4."""
    api_keys_enabled: NotRequired[bool]
    """Require API keys with a usage plan (default off)."""
    eln_endpoint: NotRequired[str]
    """HTTPS URL the sync workflow notifies the ELN at; empty skips the ELN step."""
    eln_api_key_secret_arn: NotRequired[str]
    """Secrets Manager secret with the ELN API key (required with `eln_endpoint`)."""
    deletion_protection: NotRequired[bool]
    """Protect the metadata table from deletion (default on; prod keeps it on)."""
    # ---- governance ----
    governance_enabled: NotRequired[bool]
    """Build the DataZone domain (default on)."""
    datazone_domain_name: NotRequired[str]
    """Name of the DataZone domain (default: the component name)."""
    research_groups: NotRequired[Sequence[str]]
    """Research groups; one DataZone project each (required with governance)."""
    # ---- storage gateway ----
    storage_gateway_activation_key: NotRequired[str]
    """Activation key of the lab's S3 File Gateway appliance; empty skips the gateway."""
    storage_gateway_client_cidrs: NotRequired[Sequence[str]]
    """Lab CIDRs that may mount the NFS share; empty leaves NFS out."""
    storage_gateway_active_directory: NotRequired[SmbActiveDirectory]
    """Domain the gateway joins for the SMB share (required with the activation key)."""
    smb_valid_users: NotRequired[Sequence[str]]
    """Active Directory users or @groups allowed on the SMB share."""
    object_lock_mode: NotRequired[Literal["GOVERNANCE", "COMPLIANCE"]]
    """Object Lock mode of the lab bucket (default GOVERNANCE)."""
    object_lock_days: NotRequired[int]
    """Default retention of instrument files (default 365)."""
    archive_access_days: NotRequired[int]
    """Intelligent-Tiering archive tier of the lab bucket (0 off; default 90)."""
    deep_archive_access_days: NotRequired[int]
    """Intelligent-Tiering deep-archive tier of the lab bucket (0 off; default 180)."""
    # ---- Batch ----
    batch_enabled: NotRequired[bool]
    """Build the Batch environment (default on)."""
    vpc_id: NotRequired[pulumi.Input[str]]
    """VPC of the private subnets, for the Batch instances' security group (required with
    Batch)."""
    private_subnet_ids: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Private subnets of Batch instances (required with Batch)."""
    security_group_id: NotRequired[pulumi.Input[str]]
    """Security group of Batch instances (required with Batch)."""
    efs_file_system_id: NotRequired[pulumi.Input[str]]
    """Shared EFS file system jobs mount (required with Batch)."""
    efs_access_point_id: NotRequired[pulumi.Input[str]]
    """EFS access point jobs mount through (required with Batch)."""
    batch_max_vcpus: NotRequired[int]
    """Most vCPUs of the compute environment (default 256)."""
    batch_use_spot: NotRequired[bool]
    """Spot capacity (default on)."""
    # ---- HealthOmics ----
    healthomics_enabled: NotRequired[bool]
    """Build the HealthOmics stores, run group and run role (default on)."""
    ready2run_workflow_ids: NotRequired[Sequence[str]]
    """Ready2Run workflows the run role may start."""
    omics_workflow_definition_uri: NotRequired[str]
    """`s3://…/workflow.zip` of a private workflow of the lab's own; empty registers the
    platform's alignment workflow (pipelines/alignment.wdl) instead."""
    pipeline_image_puller_role_arns: NotRequired[Sequence[pulumi.Input[str]]]
    """Roles besides Batch's that pull the pipeline's images (the EKS node role)."""


_BATCH_INPUTS = (
    "vpc_id",
    "private_subnet_ids",
    "security_group_id",
    "efs_file_system_id",
    "efs_access_point_id",
)


def _validate(args: LabDataMeshArgs) -> None:
    if args.get("batch_enabled", True):
        missing = [key for key in _BATCH_INPUTS if not args.get(key)]
        if missing:
            raise ValueError(
                f"LabDataMeshArgs {missing} are required with batch_enabled; pass the network, "
                "EFS and image inputs, or set batch_enabled=False (settings batchEnabled)"
            )
    if args.get("governance_enabled", True) and not args.get("research_groups"):
        raise ValueError(
            "LabDataMeshArgs.research_groups is empty with governance_enabled; list the "
            "research groups (settings researchGroups) or set governance_enabled=False"
        )


class LabDataMesh(pulumi.ComponentResource):
    """API, sync workflow, metadata store, DataZone, Storage Gateway, Batch and HealthOmics."""

    api_url: pulumi.Output[str] | None
    """Base URL lab software calls, when the API is on."""
    api_custom_domain_target: pulumi.Output[str] | None
    """Regional domain name for the custom domain's DNS record, when one is configured."""
    state_machine_arn: pulumi.Output[str] | None
    """Sync workflow, when the API is on."""
    event_bus_name: pulumi.Output[str] | None
    """Lab event bus (the object tagger subscribes to `Dataset Prefix Associated`)."""
    metadata_table_name: pulumi.Output[str] | None
    """Metadata store table, when the API is on."""
    datazone_domain_id: pulumi.Output[str] | None
    """DataZone domain, when governance is on."""
    datazone_portal_url: pulumi.Output[str] | None
    """DataZone data portal, when governance is on."""
    storage_gateway_status: pulumi.Output[str]
    """`active` or `skipped: <why>`."""
    storage_gateway_arn: pulumi.Output[str] | None
    """S3 File Gateway, when built."""
    lab_bucket_name: pulumi.Output[str] | None
    """WORM bucket behind the instrument shares, when the gateway is built."""
    batch_job_queue_arn: pulumi.Output[str] | None
    """Batch queue for alignment jobs, when Batch is on."""
    batch_job_definition_arns: pulumi.Output[dict[str, str]] | None
    """Workflow call -> its alignment job definition, when Batch is on."""
    sequence_store_id: pulumi.Output[str] | None
    """HealthOmics sequence store, when HealthOmics is on."""
    reference_store_id: pulumi.Output[str] | None
    """HealthOmics reference store, when HealthOmics is on."""
    omics_run_group_id: pulumi.Output[str] | None
    """HealthOmics run group, when HealthOmics is on."""
    omics_run_role_arn: pulumi.Output[str] | None
    """Role passed to HealthOmics StartRun, when HealthOmics is on."""
    omics_workflow_id: pulumi.Output[str] | None
    """HealthOmics private workflow, when HealthOmics is on with a workflow."""
    pipeline_image_registry: pulumi.Output[str] | None
    """ECR registry serving the pipeline's pinned images, when Batch or HealthOmics is on."""

    def __init__(
        self, name: str, args: LabDataMeshArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:lab:LabDataMesh", name, None, opts)
        _validate(args)
        self._base = name
        self._args = args
        self._create_api_path()
        self._create_governance()
        self._create_storage_gateway()
        pullers = self._create_batch()
        self._create_omics()
        self._create_pipeline_images(pullers)
        self.register_outputs(
            {
                "api_url": self.api_url,
                "api_custom_domain_target": self.api_custom_domain_target,
                "state_machine_arn": self.state_machine_arn,
                "event_bus_name": self.event_bus_name,
                "metadata_table_name": self.metadata_table_name,
                "datazone_domain_id": self.datazone_domain_id,
                "datazone_portal_url": self.datazone_portal_url,
                "storage_gateway_status": self.storage_gateway_status,
                "storage_gateway_arn": self.storage_gateway_arn,
                "lab_bucket_name": self.lab_bucket_name,
                "batch_job_queue_arn": self.batch_job_queue_arn,
                "batch_job_definition_arns": self.batch_job_definition_arns,
                "sequence_store_id": self.sequence_store_id,
                "reference_store_id": self.reference_store_id,
                "omics_run_group_id": self.omics_run_group_id,
                "omics_run_role_arn": self.omics_run_role_arn,
                "omics_workflow_id": self.omics_workflow_id,
                "pipeline_image_registry": self.pipeline_image_registry,
            }
        )

    def _log_key(self) -> pulumi.Input[str]:
        return self._args.get("log_kms_key_arn", self._args["kms_key_arn"])

    def _bucket_arn(self, bucket: pulumi.Input[str]) -> pulumi.Output[str]:
        return pulumi.Output.concat("arn:aws:s3:::", bucket)

    def _create_api_path(self) -> None:
        args = self._args
        self.api_url = self.api_custom_domain_target = self.state_machine_arn = None
        self.event_bus_name = self.metadata_table_name = None
        if not args.get("api_enabled", True):
            return
        child = pulumi.ResourceOptions(parent=self)
        store = LabMetadataStore(
            f"{self._base}-metadata",
            {
                "kms_key_arn": args["kms_key_arn"],
                "deletion_protection": args.get("deletion_protection", True),
            },
            opts=child,
        )
        workflow = LabSyncWorkflow(
            f"{self._base}-sync",
            {
                "table_name": store.table_name,
                "table_arn": store.table_arn,
                "kms_key_arn": args["kms_key_arn"],
                "alerts_topic_arn": args["alerts_topic_arn"],
                "log_retention_days": args["log_retention_days"],
                "log_kms_key_arn": self._log_key(),
                "eln_endpoint": args.get("eln_endpoint", ""),
                "eln_api_key_secret_arn": args.get("eln_api_key_secret_arn", ""),
            },
            opts=child,
        )
        api = LabApi(
            f"{self._base}-api",
            {
                "state_machine_arn": workflow.state_machine_arn,
                "state_machine_key_arn": workflow.execution_key_arn,
                "table_name": store.table_name,
                "table_arn": store.table_arn,
                "kms_key_arn": args["kms_key_arn"],
                "log_retention_days": args["log_retention_days"],
                "log_kms_key_arn": self._log_key(),
                "domain_name": args.get("api_domain_name", ""),
                "certificate_arn": args.get("api_certificate_arn", ""),
                "cognito_user_pool_arns": list(args.get("cognito_user_pool_arns", ())),
                "api_keys_enabled": args.get("api_keys_enabled", False),
            },
            opts=child,
        )
        self.api_url = api.api_url
        self.api_custom_domain_target = api.custom_domain_target
        self.state_machine_arn = workflow.state_machine_arn
        self.event_bus_name = workflow.event_bus_name
        self.metadata_table_name = store.table_name

    def _create_governance(self) -> None:
        args = self._args
        self.datazone_domain_id = self.datazone_portal_url = None
        if not args.get("governance_enabled", True):
            return
        governance = LabGovernance(
            f"{self._base}-governance",
            {
                "domain_name": args.get("datazone_domain_name", self._base),
                "kms_key_arn": args["kms_key_arn"],
                "research_groups": list(args.get("research_groups", ())),
                "lake_bucket_name": args["lake_buckets"]["reference"],
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.datazone_domain_id = governance.domain_id
        self.datazone_portal_url = governance.portal_url

    def _create_storage_gateway(self) -> None:
        args = self._args
        gateway_args: LabStorageGatewayArgs = {
            "kms_key_arn": args["kms_key_arn"],
            "log_retention_days": args["log_retention_days"],
            "log_kms_key_arn": self._log_key(),
            "activation_key": args.get("storage_gateway_activation_key", ""),
            "nfs_client_cidrs": list(args.get("storage_gateway_client_cidrs", ())),
            "smb_valid_users": list(args.get("smb_valid_users", ())),
            "object_lock_mode": args.get("object_lock_mode", "GOVERNANCE"),
            "object_lock_days": args.get("object_lock_days", 365),
            "archive_access_days": args.get("archive_access_days", 90),
            "deep_archive_access_days": args.get("deep_archive_access_days", 180),
        }
        if "storage_gateway_active_directory" in args:
            gateway_args["smb_active_directory"] = args["storage_gateway_active_directory"]
        gateway = LabStorageGateway(
            f"{self._base}-gateway", gateway_args, opts=pulumi.ResourceOptions(parent=self)
        )
        self.storage_gateway_status = gateway.storage_gateway_status
        self.storage_gateway_arn = gateway.gateway_arn
        self.lab_bucket_name = gateway.bucket_name

    def _create_batch(self) -> list[pulumi.Input[str]]:
        """Batch, when on; returns the roles that pull pipeline images."""
        args = self._args
        self.batch_job_queue_arn = self.batch_job_definition_arns = None
        if not args.get("batch_enabled", True):
            return []
        buckets = args["lake_buckets"]
        batch = LabBatch(
            f"{self._base}-batch",
            {
                "vpc_id": args["vpc_id"],
                "private_subnet_ids": args["private_subnet_ids"],
                "security_group_id": args["security_group_id"],
                "efs_file_system_id": args["efs_file_system_id"],
                "efs_access_point_id": args["efs_access_point_id"],
                "kms_key_arn": args["kms_key_arn"],
                "log_retention_days": args["log_retention_days"],
                "log_kms_key_arn": self._log_key(),
                "input_bucket_arns": [
                    self._bucket_arn(buckets["raw_sequence"]),
                    self._bucket_arn(buckets["reference"]),
                ],
                "output_bucket_arn": self._bucket_arn(buckets["processed_genome"]),
                "max_vcpus": args.get("batch_max_vcpus", 256),
                "use_spot": args.get("batch_use_spot", True),
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.batch_job_queue_arn = batch.job_queue_arn
        self.batch_job_definition_arns = batch.job_definition_arns
        return [batch.execution_role_arn]

    def _create_omics(self) -> None:
        args = self._args
        self.sequence_store_id = self.reference_store_id = None
        self.omics_run_group_id = self.omics_run_role_arn = self.omics_workflow_id = None
        if not args.get("healthomics_enabled", True):
            return
        buckets = args["lake_buckets"]
        omics_args: LabOmicsArgs = {
            "kms_key_arn": args["kms_key_arn"],
            "lake_bucket_name": buckets["raw_sequence"],
            "input_bucket_arns": [
                self._bucket_arn(buckets["raw_sequence"]),
                self._bucket_arn(buckets["reference"]),
            ],
            "output_bucket_arn": self._bucket_arn(buckets["processed_genome"]),
            "ready2run_workflow_ids": list(args.get("ready2run_workflow_ids", ())),
        }
        # A workflow of the lab's own replaces the platform's alignment workflow.
        own_workflow = args.get("omics_workflow_definition_uri", "")
        if own_workflow:
            omics_args["workflow_definition_uri"] = own_workflow
        else:
            omics_args["alignment_workflow_bucket_name"] = buckets["reference"]
        omics = LabOmics(
            f"{self._base}-omics", omics_args, opts=pulumi.ResourceOptions(parent=self)
        )
        self.sequence_store_id = omics.sequence_store_id
        self.reference_store_id = omics.reference_store_id
        self.omics_run_group_id = omics.run_group_id
        self.omics_run_role_arn = omics.run_role_arn
        self.omics_workflow_id = omics.workflow_id

    def _create_pipeline_images(self, pullers: list[pulumi.Input[str]]) -> None:
        """The image cache every pipeline engine pulls through, when one of them is on."""
        args = self._args
        self.pipeline_image_registry = None
        if not (args.get("batch_enabled", True) or args.get("healthomics_enabled", True)):
            return
        images = PipelineImages(
            f"{self._base}-pipeline-images",
            {
                "kms_key_arn": args["kms_key_arn"],
                "puller_role_arns": [*pullers, *args.get("pipeline_image_puller_role_arns", ())],
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.pipeline_image_registry = images.registry
