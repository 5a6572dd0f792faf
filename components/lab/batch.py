"""AWS Batch for lab pipelines: a managed EC2/Spot environment and the alignment jobs.

One job definition per call of the alignment workflow (`pipelines/alignment.wdl`: QC,
BWA-MEM, Bowtie2, sort/index), each running that task's command as rendered from the WDL in
the task's pinned image, pulled through the account's ECR pull-through cache. A run is three
jobs submitted in order with `dependsOn`, sharing a scratch directory on EFS
(docs/pipelines.md).

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
from contracts.layout import S3_KEY_ROOT
from pipelines.definition import alignment_workflow
from pipelines.images import ecr_image, ecr_registry
from pipelines.outputs import BATCH_PROJECTS_MOUNT
from pipelines.runner import CallScript, scripts_by_call

__all__ = [
    "LabBatch",
    "LabBatchArgs",
    "alignment_container_properties",
    "alignment_job_definition_name",
]

_EFS_VOLUME: Final = "projects"
_EFS_MOUNT_PATH: Final = BATCH_PROJECTS_MOUNT


def alignment_job_definition_name(name: str, call: str) -> str:
    """Physical name of the job definition of workflow call `call`, e.g. `x-batch-qc-reads`."""
    return f"{name}-{call.replace('_', '-')}"


def alignment_container_properties(
    *,
    image: str,
    command: Sequence[str],
    job_role_arn: str,
    execution_role_arn: str,
    file_system_id: str,
    access_point_id: str,
    log_group_name: str,
    region: str,
    vcpus: int,
    memory_mib: int,
) -> str:
    """Container properties of one alignment call: EFS over TLS with IAM, read-only root.

    The run's inputs (`sample`, `read1`, ..., `run_dir`, `out_dir`) come as environment
    overrides at submission; `threads` follows the job's vCPUs.
    """
    properties: dict[str, Any] = {
        "image": image,
        "command": list(command),
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
        "environment": [
            {"name": "PROJECTS_ROOT", "value": _EFS_MOUNT_PATH},
            {"name": "threads", "value": str(vcpus)},
            {"name": "memory_gb", "value": str(memory_mib // 1024)},
        ],
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

    vpc_id: pulumi.Input[str]
    """VPC of the private subnets; the instances' own security group is created in it."""
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets the instances run in (no public IPs; NAT or endpoints for AWS APIs)."""
    security_group_id: pulumi.Input[str]
    """EFS client security group (NFS to the mount targets); added to the instances' own."""
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
    if args.get("job_vcpus", 8) > args.get("max_vcpus", 256):
        raise ValueError("LabBatchArgs.job_vcpus exceeds max_vcpus; no job could ever start")
    if args.get("job_timeout_seconds", 86400) < 60:
        raise ValueError("LabBatchArgs.job_timeout_seconds must be at least 60 (Batch minimum)")


class LabBatch(pulumi.ComponentResource):
    """Managed compute environment, job queue and the EFS-mounting alignment job definitions."""

    compute_environment_arn: pulumi.Output[str]
    """ARN of the managed compute environment."""
    job_queue_arn: pulumi.Output[str]
    """Queue pipelines submit alignment jobs to."""
    job_definition_arns: pulumi.Output[dict[str, str]]
    """Workflow call (`qc_reads`, `align_bwa`, ...) -> its job definition (latest revision)."""
    job_role_arn: pulumi.Output[str]
    """Role alignment containers run as."""
    execution_role_arn: pulumi.Output[str]
    """Role that pulls the images (and so imports them into the pull-through cache)."""

    def __init__(
        self, name: str, args: LabBatchArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:lab:Batch", name, None, opts)
        _validate(args)
        self._base = name
        self._args = args
        context = aws_context(self)
        self._account_id = context.account_id
        environment = self._create_compute_environment()
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
        definitions = {
            call: self._create_job_definition(
                script, job_role.arn, execution_role.arn, log_group.name, context.region
            )
            for call, script in scripts_by_call().items()
        }
        self.compute_environment_arn = environment.arn
        self.job_queue_arn = queue.arn
        self.job_definition_arns = pulumi.Output.all(
            **{call: d.arn for call, d in definitions.items()}
        ).apply(dict)
        self.job_role_arn = job_role.arn
        self.execution_role_arn = execution_role.arn
        self.register_outputs(
            {
                "compute_environment_arn": self.compute_environment_arn,
                "job_queue_arn": self.job_queue_arn,
                "job_definition_arns": self.job_definition_arns,
                "job_role_arn": self.job_role_arn,
                "execution_role_arn": self.execution_role_arn,
            }
        )

    def _create_job_definition(
        self,
        script: CallScript,
        job_role_arn: pulumi.Output[str],
        execution_role_arn: pulumi.Output[str],
        log_group_name: pulumi.Output[str],
        region: pulumi.Output[str],
    ) -> aws.batch.JobDefinition:
        """The job definition of one workflow call: its rendered script in its pinned image."""
        args = self._args
        # The account's own registry: its pull-through cache serves the pinned digests.
        image = pulumi.Output.all(self._account_id, region).apply(
            lambda v: ecr_image(
                alignment_workflow().images()[script.image_input], ecr_registry(v[0], v[1])
            )
        )
        properties = pulumi.Output.all(
            image,
            job_role_arn,
            execution_role_arn,
            args["efs_file_system_id"],
            args["efs_access_point_id"],
            log_group_name,
            region,
        ).apply(
            lambda v: alignment_container_properties(
                image=v[0],
                command=script.command,
                job_role_arn=v[1],
                execution_role_arn=v[2],
                file_system_id=v[3],
                access_point_id=v[4],
                log_group_name=v[5],
                region=v[6],
                vcpus=args.get("job_vcpus", 8),
                memory_mib=args.get("job_memory_mib", 32768),
            )
        )
        name = alignment_job_definition_name(self._base, script.call)
        # The BWA call is what the single `-alignment` definition ran before; same resource.
        aliases = (
            [pulumi.Alias(name=f"{self._base}-alignment")] if script.call == "align_bwa" else []
        )
        return aws.batch.JobDefinition(
            name,
            name=name,
            type="container",
            platform_capabilities=["EC2"],
            container_properties=properties,
            propagate_tags=True,
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
            opts=pulumi.ResourceOptions(parent=self, aliases=aliases),
        )

    def _create_compute_environment(self) -> aws.batch.ComputeEnvironment:
        args = self._args
        opts = pulumi.ResourceOptions(parent=self)
        # No aws:SourceAccount guard, as for the EKS node role: EC2 assumes an instance
        # profile's role when it hands the instance its credentials, a call AWS makes for no
        # resource of a caller, so the key is absent (IAM: it is present "only when the call to
        # your resource is made directly by an AWS service principal") and a StringEquals on it
        # would leave the ECS agent without credentials. Attaching the profile needs
        # iam:PassRole in this account, which is the confused-deputy guard here.
        instance_role = aws.iam.Role(
            f"{self._base}-instance-role",
            description="ECS agent on Batch instances (image pulls, logs, cluster membership).",
            assume_role_policy=service_trust_policy("ec2.amazonaws.com", None).render(),
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
        instance_group = self._create_instance_security_group()
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
                # The EFS client group alone allows only NFS out; the ECS agent, image pulls
                # and the awslogs driver need HTTPS, or instances never join and jobs stay
                # RUNNABLE.
                security_group_ids=[instance_group.id, args["security_group_id"]],
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

    def _create_instance_security_group(self) -> aws.ec2.SecurityGroup:
        """HTTPS out to the AWS APIs Batch instances call; nothing may connect in.

        "Amazon ECS container instances need external network access to communicate with the
        Amazon ECS service endpoint" (AWS Batch User Guide, managed compute environments):
        through NAT in the private subnets (ECS has no endpoint here), ECR and CloudWatch Logs
        through the VPC's interface endpoints, S3 layers through its gateway endpoint. DNS and
        instance metadata are not filtered by security groups.
        """
        group = aws.ec2.SecurityGroup(
            f"{self._base}-instance-sg",
            vpc_id=self._args["vpc_id"],
            description="Batch instances: HTTPS to ECS, ECR, CloudWatch Logs and S3 only",
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{self._base}-instance-https-out",
            security_group_id=group.id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="ECS agent, image pulls, job logs and S3 (NAT, VPC endpoints)",
            opts=pulumi.ResourceOptions(parent=self),
        )
        return group

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
                        # Lake data lives under the layout's project root only.
                        [pulumi.Output.concat(arn, f"/{S3_KEY_ROOT}/*") for arn in inputs],
                    ),
                    statement(
                        "WriteAlignedOutput",
                        ["s3:AbortMultipartUpload", "s3:PutObject"],
                        [pulumi.Output.concat(args["output_bucket_arn"], f"/{S3_KEY_ROOT}/*")],
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
                    # Workspace directories are created by the EFS CSI driver as mode 700,
                    # each owned by its own volume's uid from the GID range, so no single POSIX
                    # user an access point could enforce may write more than one of them. Root
                    # may, but with IAM authorization EFS squashes root unless the client has
                    # ClientRootAccess ("Using IAM to control access to file systems": an
                    # allow in either the identity or the file system policy suffices). The
                    # grant is confined to the projects access point (root /projects), through
                    # mount targets and TLS by the file system policy.
                    statement(
                        "MountProjectsThroughAccessPoint",
                        [
                            "elasticfilesystem:ClientMount",
                            "elasticfilesystem:ClientRootAccess",
                            "elasticfilesystem:ClientWrite",
                        ],
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
