"""AWS HealthOmics for lab pipelines: genomics-aware stores, a private workflow, run limits.

A sequence store (read sets; failed direct uploads fall back to the lake), a reference store,
both encrypted with the platform key; a private workflow, either the platform's alignment
workflow (`pipelines/alignment.wdl`, packaged here into the reference bucket with its parameter
template) or a zip named by URI; a run group that caps what one lab can spend at once; and the
run role HealthOmics assumes to read inputs, write outputs, log, and start the listed Ready2Run
workflows.

Read sets not accessed for 30 days move to archive storage and must be activated before use;
docs/lab-data-mesh.md explains what that means for pipelines.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from components.blocks.iam_documents import service_trust_policy
from components.lab.policy import aws_context, document, render, statement
from contracts.layout import S3_KEY_ROOT
from pipelines.definition import WDL_PATH, alignment_workflow, definition_digest
from pipelines.images import PULL_THROUGH_PREFIXES
from pipelines.outputs import OMICS_OUTPUT_PATTERN

__all__ = ["LabOmics", "LabOmicsArgs", "ready2run_workflow_arn"]

_WORKFLOW_ID: Final = re.compile(r"^\d{1,18}$")
_S3_ZIP: Final = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\S+\.zip$")


def ready2run_workflow_arn(region: str, workflow_id: str) -> str:
    """ARN of a Ready2Run workflow: AWS-owned, so the account field is empty."""
    return f"arn:aws:omics:{region}::workflow/{workflow_id}"


class LabOmicsArgs(TypedDict):
    """Inputs of the HealthOmics part."""

    kms_key_arn: pulumi.Input[str]
    """Platform key for store encryption (SSE-KMS) and the run role's data access."""
    lake_bucket_name: pulumi.Input[str]
    """Lake bucket for the sequence store's fallback location and run outputs."""
    input_bucket_arns: Sequence[pulumi.Input[str]]
    """Lake buckets runs read (raw sequence, reference)."""
    output_bucket_arn: pulumi.Input[str]
    """Lake bucket runs write to (processed genome)."""
    ready2run_workflow_ids: NotRequired[Sequence[str]]
    """Ready2Run workflow ids the run role may start (numeric ids)."""
    workflow_definition_uri: NotRequired[str]
    """`s3://…/workflow.zip` of a private workflow of its own; empty leaves it out."""
    alignment_workflow_bucket_name: NotRequired[pulumi.Input[str]]
    """Bucket (the lake's reference bucket) the platform's alignment workflow is packaged
    into; given, it becomes the private workflow (instead of `workflow_definition_uri`)."""
    workflow_engine: NotRequired[Literal["WDL", "NEXTFLOW", "CWL"]]
    """Engine of the private workflow (default NEXTFLOW)."""
    workflow_main: NotRequired[str]
    """Entry file inside the zip (default `main.nf`)."""
    run_group_max_cpus: NotRequired[int]
    """Most vCPUs all runs of the group use at once (default 1024)."""
    run_group_max_runs: NotRequired[int]
    """Most concurrent runs (default 20)."""
    run_group_max_duration_minutes: NotRequired[int]
    """Longest one run may take (default 2880 = 48 h)."""


def _validate(args: LabOmicsArgs) -> None:
    bad = [i for i in args.get("ready2run_workflow_ids", ()) if not _WORKFLOW_ID.fullmatch(i)]
    if bad:
        raise ValueError(
            f"LabOmicsArgs.ready2run_workflow_ids {bad} are not Ready2Run ids; use the numeric "
            "id from `aws omics list-workflows --type READY2RUN`, e.g. 9500764"
        )
    uri = args.get("workflow_definition_uri", "")
    if uri and args.get("alignment_workflow_bucket_name"):
        raise ValueError(
            "LabOmicsArgs.workflow_definition_uri and alignment_workflow_bucket_name both name "
            "the private workflow; give one (settings healthomicsWorkflowDefinitionUri is for a "
            "workflow of your own)"
        )
    if uri and not _S3_ZIP.fullmatch(uri):
        raise ValueError(
            f"LabOmicsArgs.workflow_definition_uri {uri!r} must be s3://bucket/path/workflow.zip"
        )
    for key, low, high in (
        ("run_group_max_cpus", 1, 100000),
        ("run_group_max_runs", 1, 100000),
        ("run_group_max_duration_minutes", 1, 100000),
    ):
        value = args.get(key, low)
        if not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"LabOmicsArgs.{key} must be an integer {low}-{high}")


class LabOmics(pulumi.ComponentResource):
    """Sequence and reference stores, private workflow, run group and run role."""

    sequence_store_id: pulumi.Output[str]
    """Id of the sequence store."""
    reference_store_id: pulumi.Output[str]
    """Id of the reference store."""
    workflow_id: pulumi.Output[str] | None
    """Id of the private workflow, when a definition is given."""
    workflow_definition_uri: pulumi.Output[str] | None
    """`s3://` URI of the packaged alignment workflow, when the program packages it."""
    run_group_id: pulumi.Output[str]
    """Id of the run group that caps lab runs."""
    run_role_arn: pulumi.Output[str]
    """Role to pass to `StartRun`."""

    def __init__(
        self, name: str, args: LabOmicsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:lab:Omics", name, None, opts)
        _validate(args)
        child = pulumi.ResourceOptions(parent=self)
        sequence_store = aws_native.omics.SequenceStore(
            f"{name}-sequence-store",
            name=f"{name}-sequences",
            description="Read sets of lab sequencing runs.",
            sse_config=aws_native.omics.SequenceStoreSseConfigArgs(
                type=aws_native.omics.SequenceStoreEncryptionType.KMS,
                key_arn=args["kms_key_arn"],
            ),
            fallback_location=pulumi.Output.concat(
                "s3://", args["lake_bucket_name"], "/omics/fallback/"
            ),
            opts=child,
        )
        reference_store = aws_native.omics.ReferenceStore(
            f"{name}-reference-store",
            name=f"{name}-references",
            description="Reference genomes for HealthOmics workflows.",
            sse_config=aws_native.omics.ReferenceStoreSseConfigArgs(
                type=aws_native.omics.ReferenceStoreEncryptionType.KMS,
                key_arn=args["kms_key_arn"],
            ),
            opts=child,
        )
        workflow = self._create_workflow(name, args)
        run_group = aws_native.omics.RunGroup(
            f"{name}-run-group",
            name=f"{name}-lab-runs",
            max_cpus=args.get("run_group_max_cpus", 1024),
            max_runs=args.get("run_group_max_runs", 20),
            max_duration=args.get("run_group_max_duration_minutes", 2880),
            opts=child,
        )
        role = self._create_run_role(
            name, args, [sequence_store.arn, reference_store.arn], workflow, run_group
        )
        self.sequence_store_id = sequence_store.sequence_store_id
        self.reference_store_id = reference_store.reference_store_id
        self.workflow_id = workflow.aws_id if workflow else None
        self.workflow_definition_uri = self._definition_uri
        self.run_group_id = run_group.aws_id
        self.run_role_arn = role.arn
        self.register_outputs(
            {
                "sequence_store_id": self.sequence_store_id,
                "reference_store_id": self.reference_store_id,
                "workflow_id": self.workflow_id,
                "workflow_definition_uri": self.workflow_definition_uri,
                "run_group_id": self.run_group_id,
                "run_role_arn": self.run_role_arn,
            }
        )

    def _create_workflow(self, name: str, args: LabOmicsArgs) -> aws_native.omics.Workflow | None:
        self._definition_uri: pulumi.Output[str] | None = None
        bucket = args.get("alignment_workflow_bucket_name")
        if bucket is not None:
            return self._create_alignment_workflow(name, args, bucket)
        uri = args.get("workflow_definition_uri", "")
        if not uri:
            return None
        return aws_native.omics.Workflow(
            f"{name}-workflow",
            name=f"{name}-alignment",
            description="Private alignment workflow of the lab.",
            definition_uri=uri,
            engine=aws_native.omics.WorkflowEngine(args.get("workflow_engine", "NEXTFLOW")),
            main=args.get("workflow_main", "main.nf"),
            # Dynamic storage grows with the run, so no capacity has to be guessed.
            storage_type=aws_native.omics.WorkflowStorageType.DYNAMIC,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_alignment_workflow(
        self, name: str, args: LabOmicsArgs, bucket: pulumi.Input[str]
    ) -> aws_native.omics.Workflow:
        """The platform's WDL, zipped into the reference bucket, registered with its template.

        The key carries the definition's digest, so an edited WDL is a new object and a new
        workflow (HealthOmics workflows are immutable), while an unchanged one is left alone.
        """
        wdl = alignment_workflow()
        key = f"workflows/{wdl.name}/{definition_digest()}.zip"
        definition = aws.s3.BucketObjectv2(
            f"{name}-workflow-definition",
            bucket=bucket,
            key=key,
            source=pulumi.AssetArchive({wdl.main: pulumi.FileAsset(str(WDL_PATH))}),
            content_type="application/zip",
            # Named explicitly: the lake's buckets refuse writes that name another key.
            server_side_encryption="aws:kms",
            kms_key_id=args["kms_key_arn"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._definition_uri = pulumi.Output.concat("s3://", definition.bucket, "/", definition.key)
        return aws_native.omics.Workflow(
            f"{name}-workflow",
            name=f"{name}-{wdl.name}",
            description="Paired FASTQ -> QC -> BWA-MEM or Bowtie2 -> sorted, indexed pg_ BAM.",
            definition_uri=self._definition_uri,
            engine=aws_native.omics.WorkflowEngine.WDL,
            main=wdl.main,
            parameter_template={
                key: aws_native.omics.WorkflowParameterArgs(
                    description=spec["description"], optional=spec["optional"]
                )
                for key, spec in wdl.parameter_template().items()
            },
            # The WDL names upstream images (quay.io/...@sha256:...); HealthOmics pulls them
            # through the ECR pull-through cache of each registry (components/pipelines/images.py).
            container_registry_map=aws_native.omics.WorkflowContainerRegistryMapArgs(
                registry_mappings=[
                    aws_native.omics.WorkflowRegistryMappingArgs(
                        upstream_registry_url=upstream, ecr_repository_prefix=prefix
                    )
                    for upstream, prefix in PULL_THROUGH_PREFIXES.items()
                ]
            ),
            storage_type=aws_native.omics.WorkflowStorageType.DYNAMIC,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_run_role(
        self,
        name: str,
        args: LabOmicsArgs,
        store_arns: list[pulumi.Output[str]],
        workflow: aws_native.omics.Workflow | None,
        run_group: aws_native.omics.RunGroup,
    ) -> aws.iam.Role:
        context = aws_context(self)
        role = aws.iam.Role(
            f"{name}-run-role",
            description="HealthOmics runs: read inputs, write outputs, start listed workflows.",
            assume_role_policy=service_trust_policy(
                "omics.amazonaws.com", context.account_id
            ).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        inputs = list(args["input_bucket_arns"])
        workflows: list[pulumi.Input[str]] = [
            context.region.apply(functools.partial(ready2run_workflow_arn, workflow_id=i))
            for i in args.get("ready2run_workflow_ids", ())
        ]
        if workflow is not None:
            workflows.append(workflow.arn)
        statements = [
            statement("ListInputs", ["s3:ListBucket"], inputs),
            statement(
                "ReadInputs",
                ["s3:GetObject"],
                # Lake data lives under the layout's project root only.
                [pulumi.Output.concat(arn, f"/{S3_KEY_ROOT}/*") for arn in inputs],
            ),
            statement(
                "WriteOutputs",
                ["s3:PutObject"],
                # Runs write under a project's processed area (pipelines/outputs.py).
                [pulumi.Output.concat(args["output_bucket_arn"], "/", OMICS_OUTPUT_PATTERN)],
            ),
            statement(
                "UseLakeKey",
                ["kms:Decrypt", "kms:GenerateDataKey"],
                [args["kms_key_arn"]],
                {
                    "StringEquals": {
                        "kms:ViaService": [
                            pulumi.Output.concat("s3.", context.region, ".amazonaws.com"),
                            pulumi.Output.concat("omics.", context.region, ".amazonaws.com"),
                        ]
                    }
                },
            ),
            statement(
                "ReadStores",
                [
                    "omics:GetReadSet",
                    "omics:GetReadSetMetadata",
                    "omics:GetReference",
                    "omics:GetReferenceMetadata",
                ],
                [pulumi.Output.concat(arn, "/*") for arn in store_arns],
            ),
            statement(
                "WriteRunLogs",
                ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                [
                    pulumi.Output.concat(
                        "arn:aws:logs:",
                        context.region,
                        ":",
                        context.account_id,
                        ":log-group:/aws/omics/WorkflowLog:*",
                    )
                ],
            ),
        ]
        if self._definition_uri is not None:
            # "The policy grants permissions to access ... the Amazon ECR container for the
            # run" (AWS HealthOmics User Guide, "Service roles for AWS HealthOmics"): the
            # repositories the pull-through cache creates for the workflow's images.
            statements.append(
                statement(
                    "PullWorkflowImages",
                    [
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                    ],
                    [
                        pulumi.Output.concat(
                            "arn:aws:ecr:",
                            context.region,
                            ":",
                            context.account_id,
                            ":repository/",
                            prefix,
                            "/*",
                        )
                        for prefix in PULL_THROUGH_PREFIXES.values()
                    ],
                )
            )
        if workflows:
            runs = pulumi.Output.concat(
                "arn:aws:omics:", context.region, ":", context.account_id, ":run/*"
            )
            statements.append(
                statement(
                    "StartListedWorkflows",
                    ["omics:StartRun"],
                    [*workflows, run_group.arn, runs],
                )
            )
        aws.iam.RolePolicy(
            f"{name}-run-policy",
            role=role.id,
            policy=render(document(*statements)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role
