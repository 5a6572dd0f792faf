"""AWS Batch for lab pipelines: a managed EC2/Spot environment and the alignment job.

Alignment jobs read reads and references from the lake and the shared EFS project tree, and
write aligned output back; they mount EFS through the platform's access point with TLS and
IAM authorization, as the EKS pods do, so POSIX identity and encryption in transit are the same
whichever engine runs the aligner. Instances run in private subnets with IMDSv2 only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import service_trust_policy
from components.lab.policy import (
    aws_context,
    document,
    managed_policy_arn,
    render,
    statement,
)

__all__ = ["LabBatch", "LabBatchArgs", "alignment_container_properties"]

_EFS_VOLUME: Final = "projects"
_EFS_MOUNT_PATH: Final = "/mnt/projects"


def alignment_container_properties(
    *,
    image: str,
    job_role_arn: str,
    execution_role_arn: str,
    file_system_id: str,
    access_point_id: str,
    log_group_name: str,
    region: str,
    vcpus: int,
    memory_mib: int,
) -> str:
    """Container properties of the alignment job: EFS over TLS with IAM, read-only root."""
    properties: dict[str, Any] = {
        "image": image,
        "command": ["Ref::command"],
        "jobRoleArn": job_role_arn,
        "executionRoleArn": execution_role_arn,
        "resourceRequirements": [
            {"type": "VCPU", "value": str(vcpus)},
            {"type": "MEMORY", "value": str(memory_mib)},
        ],
        "volumes": [
            {
                "name": _EFS_VOLUME,
                "efsVolumeConfiguration": {
                    "fileSystemId": file_system_id,
                    # The access point sets the root directory and POSIX identity.
                    "rootDirectory": "/",
                    "transitEncryption": "ENABLED",
                    "authorizationConfig": {"accessPointId": access_point_id, "iam": "ENABLED"},
                },
            },
            {"name": "scratch", "host": {"sourcePath": "/scratch"}},
        ],
        "mountPoints": [
            {"sourceVolume": _EFS_VOLUME, "containerPath": _EFS_MOUNT_PATH, "readOnly": False},
            {"sourceVolume": "scratch", "containerPath": "/tmp", "readOnly": False},  # noqa: S108
        ],
        "readonlyRootFilesystem": True,
        "privileged": False,
        "environment": [{"name": "PROJECTS_ROOT", "value": _EFS_MOUNT_PATH}],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": "alignment",
            },
        },
    }
    return json.dumps(properties)


class LabBatchArgs(TypedDict):
    """Inputs of the Batch environment."""

    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets the instances run in (no public IPs)."""
    security_group_id: pulumi.Input[str]
    """Security group of the instances; must reach EFS (2049) and the VPC endpoints."""
    efs_file_system_id: pulumi.Input[str]
    """Shared project file system."""
    efs_access_point_id: pulumi.Input[str]
    """Access point jobs mount through (root directory and POSIX identity)."""
    kms_key_arn: pulumi.Input[str]
    """Platform key: encrypts job logs and the lake objects jobs read and write."""
    log_retention_days: int
    """Retention of the job log group."""
    log_kms_key_arn: NotRequired[pulumi.Input[str]]
    """Key of the log groups, when logs use their own key (default: `kms_key_arn`)."""
    input_bucket_arns: Sequence[pulumi.Input[str]]
    """Lake buckets jobs read (raw sequence, reference)."""
    output_bucket_arn: pulumi.Input[str]
    """Lake bucket jobs write aligned output to (processed genome)."""
    container_image: str
    """Aligner image (ECR or a pinned public image)."""
    max_vcpus: NotRequired[int]
    """Most vCPUs the environment scales to (default 256)."""
    use_spot: NotRequired[bool]
    """Spot capacity (default on; jobs retry on Spot reclaim)."""
    instance_types: NotRequired[Sequence[str]]
    """Instance families or types (default c6i, m6i, r6i)."""
    job_vcpus: NotRequired[int]
    """vCPUs of one alignment job (default 8)."""
    job_memory_mib: NotRequired[int]
    """Memory of one alignment job in MiB (default 32768)."""
    job_timeout_seconds: NotRequired[int]
    """Longest one attempt may run (default 86400)."""


def _validate(args: LabBatchArgs) -> None:
    if not 1 <= args.get("max_vcpus", 256) <= 10000:
        raise ValueError("LabBatchArgs.max_vcpus must be 1-10000 (settings batchMaxVcpus)")
    if not args["container_image"]:
        raise ValueError("LabBatchArgs.container_image is empty; name the aligner image")
    if args.get("job_vcpus", 8) > args.get("max_vcpus", 256):
        raise ValueError("LabBatchArgs.job_vcpus exceeds max_vcpus; no job could ever start")
    if args.get("job_timeout_seconds", 86400) < 60:
        raise ValueError("LabBatchArgs.job_timeout_seconds must be at least 60 (Batch minimum)")


class LabBatch(pulumi.ComponentResource):
    """Managed compute environment, job queue and the EFS-mounting alignment job definition."""

    compute_environment_arn: pulumi.Output[str]
    """ARN of the managed compute environment."""
    job_queue_arn: pulumi.Output[str]
    """Queue pipelines submit alignment jobs to."""
    job_definition_arn: pulumi.Output[str]
    """Alignment job definition (latest revision)."""
    job_role_arn: pulumi.Output[str]
    """Role alignment containers run as."""

    def __init__(
        self, name: str, args: LabBatchArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:lab:Batch", name, None, opts)
        _validate(args)
        self._base = name
        self._args = args
        context = aws_context(self)
        environment = self._create_compute_environment(context.account_id)
        queue = aws.batch.JobQueue(
            f"{name}-queue",
            name=f"{name}-alignment",
            state="ENABLED",
            priority=1,
            compute_environment_orders=[
                aws.batch.JobQueueComputeEnvironmentOrderArgs(
                    order=1, compute_environment=environment.arn
                )
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        job_role, execution_role = self._create_job_roles(context.account_id, context.region)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-job-logs",
            name=f"/aws/batch/{name}",
            retention_in_days=args["log_retention_days"],
            kms_key_id=args.get("log_kms_key_arn", args["kms_key_arn"]),
            opts=pulumi.ResourceOptions(parent=self),
        )
        properties = pulumi.Output.all(
            job_role.arn,
            execution_role.arn,
            args["efs_file_system_id"],
            args["efs_access_point_id"],
            log_group.name,
            context.region,
        ).apply(
            lambda v: alignment_container_properties(
                image=args["container_image"],
                job_role_arn=v[0],
                execution_role_arn=v[1],
                file_system_id=v[2],
                access_point_id=v[3],
                log_group_name=v[4],
                region=v[5],
                vcpus=args.get("job_vcpus", 8),
                memory_mib=args.get("job_memory_mib", 32768),
            )
        )
        definition = aws.batch.JobDefinition(
            f"{name}-alignment",
            name=f"{name}-alignment",
            type="container",
            platform_capabilities=["EC2"],
            container_properties=properties,
            propagate_tags=True,
            parameters={"command": "align"},
            retry_strategy=aws.batch.JobDefinitionRetryStrategyArgs(
                attempts=3,
                evaluate_on_exits=[
                    # Spot reclaims surface as host termination; retry those, not job bugs.
                    aws.batch.JobDefinitionRetryStrategyEvaluateOnExitArgs(
                        on_status_reason="Host EC2*", action="RETRY"
                    ),
                    aws.batch.JobDefinitionRetryStrategyEvaluateOnExitArgs(
                        on_reason="*", action="EXIT"
                    ),
                ],
            ),
            timeout=aws.batch.JobDefinitionTimeoutArgs(
                attempt_duration_seconds=args.get("job_timeout_seconds", 86400)
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.compute_environment_arn = environment.arn
        self.job_queue_arn = queue.arn
        self.job_definition_arn = definition.arn
        self.job_role_arn = job_role.arn
        self.register_outputs(
            {
                "compute_environment_arn": self.compute_environment_arn,
                "job_queue_arn": self.job_queue_arn,
                "job_definition_arn": self.job_definition_arn,
                "job_role_arn": self.job_role_arn,
            }
        )

    def _create_compute_environment(
        self, account_id: pulumi.Output[str]
    ) -> aws.batch.ComputeEnvironment:
        args = self._args
        opts = pulumi.ResourceOptions(parent=self)
        instance_role = aws.iam.Role(
            f"{self._base}-instance-role",
            description="ECS agent on Batch instances (image pulls, logs, cluster membership).",
            assume_role_policy=service_trust_policy("ec2.amazonaws.com", account_id).render(),
            opts=opts,
        )
        aws.iam.RolePolicyAttachment(
            f"{self._base}-instance-role-ecs",
            role=instance_role.name,
            policy_arn=managed_policy_arn("service-role/AmazonEC2ContainerServiceforEC2Role"),
            opts=opts,
        )
        profile = aws.iam.InstanceProfile(
            f"{self._base}-instance-profile", role=instance_role.name, opts=opts
        )
        template = aws.ec2.LaunchTemplate(
            f"{self._base}-launch-template",
            description="Batch instances: IMDSv2 only, encrypted root volume.",
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                # Two hops so containers (one hop behind the host) can still reach IMDS.
                http_put_response_hop_limit=2,
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        encrypted="true",
                        volume_size=200,
                        volume_type="gp3",
                        delete_on_termination="true",
                    ),
                )
            ],
            update_default_version=True,
            opts=opts,
        )
        spot = args.get("use_spot", True)
        return aws.batch.ComputeEnvironment(
            f"{self._base}-compute",
            name=f"{self._base}-compute",
            type="MANAGED",
            state="ENABLED",
            compute_resources=aws.batch.ComputeEnvironmentComputeResourcesArgs(
                type="SPOT" if spot else "EC2",
                # Price-capacity-optimized Spot needs no Spot Fleet role and is reclaimed least.
                allocation_strategy=(
                    "SPOT_PRICE_CAPACITY_OPTIMIZED" if spot else "BEST_FIT_PROGRESSIVE"
                ),
                min_vcpus=0,
                max_vcpus=args.get("max_vcpus", 256),
                instance_types=list(args.get("instance_types", ("c6i", "m6i", "r6i"))),
                subnets=args["private_subnet_ids"],
                security_group_ids=[args["security_group_id"]],
                instance_role=profile.arn,
                launch_template=aws.batch.ComputeEnvironmentComputeResourcesLaunchTemplateArgs(
                    launch_template_id=template.id,
                    version=template.latest_version.apply(str),
                ),
                ec2_configurations=[
                    aws.batch.ComputeEnvironmentComputeResourcesEc2ConfigurationArgs(
                        image_type="ECS_AL2023"
                    )
                ],
            ),
            opts=opts,
        )

    def _create_job_roles(
        self, account_id: pulumi.Output[str], region: pulumi.Output[str]
    ) -> tuple[aws.iam.Role, aws.iam.Role]:
        """The job role (data access) and the execution role (image pull, logs), both ECS tasks."""
        args = self._args
        opts = pulumi.ResourceOptions(parent=self)
        trust = service_trust_policy("ecs-tasks.amazonaws.com", account_id).render()
        job_role = aws.iam.Role(
            f"{self._base}-job-role",
            description="Alignment jobs: read inputs, write aligned output, mount EFS.",
            assume_role_policy=trust,
            opts=opts,
        )
        file_system_arn = pulumi.Output.concat(
            "arn:aws:elasticfilesystem:",
            region,
            ":",
            account_id,
            ":file-system/",
            args["efs_file_system_id"],
        )
        access_point_arn = pulumi.Output.concat(
            "arn:aws:elasticfilesystem:",
            region,
            ":",
            account_id,
            ":access-point/",
            args["efs_access_point_id"],
        )
        inputs = list(args["input_bucket_arns"])
        aws.iam.RolePolicy(
            f"{self._base}-job-policy",
            role=job_role.id,
            policy=render(
                document(
                    statement("ListInputs", ["s3:ListBucket"], inputs),
                    statement(
                        "ReadInputs",
                        ["s3:GetObject", "s3:GetObjectVersion"],
                        [pulumi.Output.concat(arn, "/*") for arn in inputs],
                    ),
                    statement(
                        "WriteAlignedOutput",
                        ["s3:AbortMultipartUpload", "s3:PutObject"],
                        [pulumi.Output.concat(args["output_bucket_arn"], "/*")],
                    ),
                    statement(
                        "UseLakeKey",
                        ["kms:Decrypt", "kms:GenerateDataKey"],
                        [args["kms_key_arn"]],
                        {
                            "StringEquals": {
                                "kms:ViaService": pulumi.Output.concat(
                                    "s3.", region, ".amazonaws.com"
                                )
                            }
                        },
                    ),
                    statement(
                        "MountProjectsThroughAccessPoint",
                        ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                        [file_system_arn],
                        {"ArnEquals": {"elasticfilesystem:AccessPointArn": access_point_arn}},
                    ),
                )
            ),
            opts=opts,
        )
        execution_role = aws.iam.Role(
            f"{self._base}-execution-role",
            description="Pulls the aligner image and writes job logs.",
            assume_role_policy=trust,
            opts=opts,
        )
        aws.iam.RolePolicyAttachment(
            f"{self._base}-execution-role-ecs",
            role=execution_role.name,
            policy_arn=managed_policy_arn("service-role/AmazonECSTaskExecutionRolePolicy"),
            opts=opts,
        )
        return job_role, execution_role
