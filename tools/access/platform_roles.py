"""Cells for the platform's service roles, from the wiring the stack renders.

Each source of intent is a resource that tells AWS to act with a role: a replication rule, a
DataSync location or task report, a schedule target, an API Gateway integration, a state
machine's task states. The permissions each needs are the ones AWS documents:
- S3 replication: s3:GetReplicationConfiguration and s3:ListBucket on the source,
  s3:GetObjectVersionForReplication/Acl/Tagging on source objects, s3:ReplicateObject/Delete/Tags
  on the destination, kms:Decrypt of the source key and kms:Encrypt of the replica key through
  S3 ("Setting up permissions for live replication", "Replicating encrypted objects", Amazon S3
  User Guide).
- DataSync to S3: s3:GetBucketLocation, s3:ListBucket, s3:ListBucketMultipartUploads on the
  bucket; s3:AbortMultipartUpload, s3:DeleteObject, s3:GetObject, s3:ListMultipartUploadParts,
  s3:PutObject, s3:GetObjectTagging, s3:PutObjectTagging on objects ("Providing DataSync access
  to S3 buckets", AWS DataSync User Guide), plus the bucket key through S3.
- Step Functions with a customer managed key: the execution role needs kms:GenerateDataKey and
  kms:Decrypt with the state machine's ARN as encryption context ("Data at rest encryption",
  AWS Step Functions Developer Guide).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Final

from contracts.layout import project_prefix
from contracts.names import bucket_name, resource_prefix
from contracts.taxonomy.categories import CATEGORIES
from pipelines.outputs import omics_output_uri
from settings.model import StackSettings
from tools.access.matrix import Cell, short_arn, tls
from tools.access.requests import Caller, Check, kms_checks_for, role_session, s3_get, s3_put
from tools.access.stack import Role, StackDocuments

__all__ = ["platform_role_cells"]


def _role(stack: StackDocuments, arn: str) -> Role:
    try:
        return stack.roles[arn]
    except KeyError:
        raise KeyError(f"{arn} is named by the stack but is not a role the stack creates") from None


def _replication(stack: StackDocuments) -> Iterator[Cell]:
    for config in stack.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig"):
        role = _role(stack, str(config.inputs["role"]))
        caller = role_session(stack, role, role.name)
        source = str(config.inputs["bucket"])
        source_key = stack.encryption_keys.get(f"arn:aws:s3:::{source}")
        source_region = str(config.outputs["region"])
        for rule in config.inputs.get("rules", []):
            destination = rule["destination"]
            target = str(destination["bucket"]).removeprefix("arn:aws:s3:::")
            replica_key = destination.get("encryptionConfiguration", {}).get("replicaKmsKeyId")
            target_region = target.rsplit("-", 3)[-3:]
            checks = [
                Check("s3:GetReplicationConfiguration", f"arn:aws:s3:::{source}", tls()),
                Check("s3:ListBucket", f"arn:aws:s3:::{source}", tls()),
                Check("s3:GetObjectVersionForReplication", f"arn:aws:s3:::{source}/k", tls()),
                Check("s3:GetObjectVersionTagging", f"arn:aws:s3:::{source}/k", tls()),
                Check("s3:ReplicateObject", f"arn:aws:s3:::{target}/k", tls()),
                Check("s3:ReplicateDelete", f"arn:aws:s3:::{target}/k", tls()),
                Check("s3:ReplicateTags", f"arn:aws:s3:::{target}/k", tls()),
            ]
            if source_key:
                checks.append(
                    Check(
                        "kms:Decrypt",
                        source_key,
                        {
                            "kms:ViaService": f"s3.{source_region}.amazonaws.com",
                            "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{source}",
                        },
                    )
                )
            if replica_key:
                checks.append(
                    Check(
                        "kms:Encrypt",
                        str(replica_key),
                        {
                            "kms:ViaService": f"s3.{'-'.join(target_region)}.amazonaws.com",
                            "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{target}",
                        },
                    )
                )
            yield Cell(
                "platform role",
                caller,
                "replicate",
                f"{source} -> {target}",
                tuple(checks),
                True,
                "the bucket's replication rule",
            )


def _datasync(stack: StackDocuments) -> Iterator[Cell]:
    destinations: list[tuple[str, str, str]] = []
    for location in stack.of_type("aws:datasync/s3Location:S3Location"):
        bucket = str(location.inputs["s3BucketArn"]).removeprefix("arn:aws:s3:::")
        prefix = str(location.inputs.get("subdirectory", "")).strip("/")
        role_arn = str(location.inputs["s3Config"]["bucketAccessRoleArn"])
        destinations.append((role_arn, bucket, f"{prefix}/" if prefix else ""))
    for task in stack.of_type("aws:datasync/task:Task"):
        report = task.inputs.get("taskReportConfig", {}).get("s3Destination")
        if report:
            bucket = str(report["s3BucketArn"]).removeprefix("arn:aws:s3:::")
            prefix = str(report.get("subdirectory", "")).strip("/")
            destinations.append((str(report["bucketAccessRoleArn"]), bucket, f"{prefix}/"))
    for role_arn, bucket, prefix in dict.fromkeys(destinations):
        role = _role(stack, role_arn)
        caller = role_session(stack, role, role.name)
        key = f"{prefix}access-check/sample"
        bucket_arn = f"arn:aws:s3:::{bucket}"
        yield Cell(
            "platform role",
            caller,
            "list destination",
            bucket,
            tuple(
                Check(action, bucket_arn, tls())
                for action in (
                    "s3:GetBucketLocation",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                )
            ),
            True,
            "DataSync S3 location",
        )
        for multipart in (False, True):
            yield Cell(
                "platform role",
                caller,
                f"write object ({'multipart' if multipart else 'single'})",
                f"{bucket}/{prefix}",
                tuple(s3_put(stack, bucket, key, multipart=multipart)),
                True,
                "DataSync S3 location (default bucket encryption)",
            )
        yield Cell(
            "platform role",
            caller,
            "verify object",
            f"{bucket}/{prefix}",
            tuple(s3_get(stack, bucket, key, {})),
            True,
            "DataSync verifies what it wrote",
        )
    for location in stack.of_type("aws:datasync/efsLocation:EfsLocation"):
        role = _role(stack, str(location.inputs["fileSystemAccessRoleArn"]))
        caller = role_session(stack, role, role.name)
        context = {
            "aws:SecureTransport": "true",
            "elasticfilesystem:AccessPointArn": str(location.inputs["accessPointArn"]),
        }
        file_system = str(location.inputs["efsFileSystemArn"])
        yield Cell(
            "platform role",
            caller,
            "mount source (read)",
            short_arn(stack, file_system),
            (Check("elasticfilesystem:ClientMount", file_system, context),),
            True,
            "DataSync EFS location",
        )


def _schedules(stack: StackDocuments) -> Iterator[Cell]:
    for schedule in stack.of_type("aws:scheduler/schedule:Schedule"):
        target = schedule.inputs["target"]
        role = _role(stack, str(target["roleArn"]))
        caller = role_session(stack, role, role.name)
        arn = str(target["arn"])
        action = "lambda:InvokeFunction" if ":lambda:" in arn else "states:StartExecution"
        yield Cell(
            "platform role",
            caller,
            "invoke target",
            short_arn(stack, arn),
            (Check(action, arn, {}),),
            True,
            f"schedule {schedule.outputs['name']}",
        )
        dead_letters = (target.get("deadLetterConfig") or {}).get("arn")
        if dead_letters:
            yield Cell(
                "platform role",
                caller,
                "send undelivered events",
                short_arn(stack, str(dead_letters)),
                (Check("sqs:SendMessage", str(dead_letters), {}),),
                True,
                f"schedule {schedule.outputs['name']}: its dead-letter queue",
            )


def _creation_templates(stack: StackDocuments) -> Iterator[Cell]:
    """ECR assumes a template's custom role to create cache repositories under the key."""
    template_type = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"
    for template in stack.of_type(template_type):
        role_arn = template.inputs.get("customRoleArn")
        key = (template.inputs.get("encryptionConfigurations") or [{}])[0].get("kmsKey")
        if not role_arn or not key:
            continue
        role = _role(stack, str(role_arn))
        yield Cell(
            "platform role",
            role_session(stack, role, role.name),
            "grant the key to new repositories",
            short_arn(stack, str(key)),
            (Check("kms:CreateGrant", str(key), {}),),
            True,
            "repository creation template: repositories encrypted under the platform key",
        )


def _table_arn(stack: StackDocuments, name: str) -> str:
    for table in stack.of_type("aws:dynamodb/table:Table"):
        if table.outputs.get("name") == name:
            return str(table.outputs["arn"])
    raise KeyError(f"table {name!r} is not in the stack")


def _integration_cells(stack: StackDocuments) -> Iterator[Cell]:
    for integration in stack.of_type("aws:apigateway/integration:Integration"):
        credentials = integration.inputs.get("credentials")
        uri = str(integration.inputs.get("uri", ""))
        match = re.match(r"arn:aws:apigateway:[^:]+:([a-z0-9-]+):action/(\w+)$", uri)
        if not credentials or not match:
            continue
        service_name, action = match.groups()
        template = json.dumps(integration.inputs.get("requestTemplates", {}))
        if service_name == "dynamodb":
            table = re.search(r'TableName\\+": \\+"([^"\\]+)', template)
            arn = _table_arn(stack, table.group(1)) if table else "*"
        else:
            found = re.search(r"arn:aws:[a-z0-9-]+:[^\"\\\s]+", template)
            arn = found.group(0) if found else "*"
        role = _role(stack, str(credentials))
        caller = role_session(stack, role, role.name)
        yield Cell(
            "platform role",
            caller,
            f"{service_name}:{action}",
            short_arn(stack, arn),
            (Check(f"{service_name}:{action}", arn, {"aws:SecureTransport": "true"}),),
            True,
            "API Gateway integration",
        )


def _task_states(states: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in states.values():
        if state.get("Type") == "Task":
            yield state
        if "ItemProcessor" in state:
            yield from _task_states(state["ItemProcessor"]["States"])
            if "ItemReader" in state:
                yield {"Resource": state["ItemReader"]["Resource"], "ItemReader": True}
        for branch in state.get("Branches", []):
            yield from _task_states(branch["States"])


def _fan_out_buckets(stack: StackDocuments, machine_arn: str) -> list[str]:
    """The buckets functions hand to this state machine (their BUCKET_CATEGORIES)."""
    buckets: set[str] = set()
    for function in stack.of_type("aws:lambda/function:Function"):
        env = function.inputs.get("environment", {}).get("variables", {})
        if env.get("FAN_OUT_STATE_MACHINE_ARN") == machine_arn:
            buckets |= set(json.loads(env.get("BUCKET_CATEGORIES", "{}")))
    return sorted(buckets)


def _state_machine_cells(stack: StackDocuments) -> Iterator[Cell]:
    for machine in stack.of_type("aws:sfn/stateMachine:StateMachine"):
        role = _role(stack, str(machine.inputs["roleArn"]))
        caller = role_session(stack, role, role.name)
        machine_arn = str(machine.outputs["arn"])
        definition = json.loads(str(machine.inputs["definition"]))
        seen: set[tuple[str, str]] = set()
        for state in _task_states(definition["States"]):
            resource = str(state["Resource"])
            parameters = state.get("Parameters") or state.get("Arguments") or {}
            targets: list[tuple[str, str, list[Check]]] = []
            if resource.startswith("arn:aws:states:::lambda:invoke"):
                arn = str(parameters["FunctionName"])
                targets.append(
                    ("lambda:InvokeFunction", arn, [Check("lambda:InvokeFunction", arn, {})])
                )
            elif resource.startswith("arn:aws:states:::sns:publish"):
                arn = str(parameters["TopicArn"])
                targets.append(
                    (
                        "sns:Publish",
                        arn,
                        [
                            Check("sns:Publish", arn, {"aws:SecureTransport": "true"}),
                            *kms_checks_for(stack, arn),
                        ],
                    )
                )
            elif resource.startswith("arn:aws:states:::dynamodb:"):
                operation = resource.rsplit(":", 1)[1]
                action = f"dynamodb:{operation[0].upper()}{operation[1:]}"
                arn = _table_arn(stack, str(parameters["TableName"]))
                targets.append((action, arn, [Check(action, arn, {})]))
            elif resource.startswith("arn:aws:states:::events:putEvents"):
                for entry in parameters["Entries"]:
                    arn = str(entry["EventBusName"])
                    targets.append(("events:PutEvents", arn, [Check("events:PutEvents", arn, {})]))
            elif resource.startswith("arn:aws:states:::s3:listObjectsV2"):
                for bucket in _fan_out_buckets(stack, machine_arn):
                    arn = f"arn:aws:s3:::{bucket}"
                    targets.append(("s3:ListBucket", arn, [Check("s3:ListBucket", arn, tls())]))
            for action, arn, checks in targets:
                if (action, arn) in seen:
                    continue
                seen.add((action, arn))
                yield Cell(
                    "platform role",
                    caller,
                    action,
                    short_arn(stack, arn),
                    tuple(checks),
                    True,
                    f"state machine {machine.outputs['name']}",
                )
        key = machine.inputs.get("encryptionConfiguration", {}).get("kmsKeyId")
        if key:
            region = machine_arn.split(":")[3]
            context = {
                "kms:ViaService": f"states.{region}.amazonaws.com",
                "kms:EncryptionContext:aws:states:stateMachineArn": machine_arn,
            }
            yield Cell(
                "platform role",
                caller,
                "use state machine key",
                short_arn(stack, str(key)),
                tuple(Check(a, str(key), context) for a in ("kms:GenerateDataKey", "kms:Decrypt")),
                True,
                "the state machine is encrypted with this key",
            )


def _backup(stack: StackDocuments) -> Iterator[Cell]:
    for selection in stack.of_type("aws:backup/selection:Selection"):
        role = _role(stack, str(selection.inputs["iamRoleArn"]))
        caller = role_session(stack, role, role.name)
        region = str(selection.outputs["region"])
        volume = f"arn:aws:ec2:{region}:{stack.account}:volume/vol-0123456789abcdef0"
        snapshot = f"arn:aws:ec2:{region}::snapshot/snap-0123456789abcdef0"
        yield Cell(
            "platform role",
            caller,
            "back up volume",
            "ec2 volume",
            (
                Check("ec2:CreateSnapshot", volume, {}),
                Check("ec2:CreateSnapshot", snapshot, {}),
                Check("ec2:DescribeSnapshots", "*", {}),
            ),
            True,
            f"backup selection {selection.inputs['name']}",
        )
        for plan in stack.of_type("aws:backup/plan:Plan"):
            expiring = {
                str(plan.outputs["region"]) if "lifecycle" in rule else None
                for rule in plan.inputs["rules"]
            } | {
                str(copy["destinationVaultArn"]).split(":")[3]
                for rule in plan.inputs["rules"]
                for copy in rule.get("copyActions", [])
                if "lifecycle" in copy
            }
            for expiry_region in sorted(r for r in expiring if r):
                yield Cell(
                    "platform role",
                    caller,
                    "expire recovery points",
                    f"ec2 snapshot in {expiry_region}",
                    (
                        Check(
                            "ec2:DeleteSnapshot",
                            f"arn:aws:ec2:{expiry_region}::snapshot/snap-0123456789abcdef0",
                            {},
                        ),
                    ),
                    True,
                    f"backup plan {plan.inputs['name']}: recovery points and copies expire",
                )
        # Recovery points are encrypted with the vault's key, copies with the DR vault's.
        for vault in stack.of_type("aws:backup/vault:Vault"):
            key = vault.inputs.get("kmsKeyArn")
            if key:
                yield Cell(
                    "platform role",
                    caller,
                    "encrypt recovery points",
                    short_arn(stack, str(key)),
                    tuple(
                        Check(action, str(key), {})
                        for action in ("kms:GenerateDataKey", "kms:Decrypt")
                    ),
                    True,
                    f"backup vault {vault.inputs['name']} names this key",
                )


def _cluster_secrets(stack: StackDocuments) -> Iterator[Cell]:
    """EKS envelope-encrypts Kubernetes secrets with the cluster role's own KMS calls ("Encrypt
    Kubernetes secrets with KMS on existing clusters", Amazon EKS User Guide)."""
    for cluster in stack.of_type("aws:eks/cluster:Cluster"):
        key = cluster.inputs.get("encryptionConfig", {}).get("provider", {}).get("keyArn")
        if not key:
            continue
        role = _role(stack, str(cluster.inputs["roleArn"]))
        yield Cell(
            "platform role",
            role_session(stack, role, role.name),
            "envelope-encrypt secrets",
            short_arn(stack, str(key)),
            tuple(Check(action, str(key), {}) for action in ("kms:Encrypt", "kms:Decrypt")),
            True,
            f"cluster {cluster.inputs['name']} encryption config",
        )


_ALIGNMENT_READS: Final = ("raw_sequence", "reference_genome")
_ALIGNMENT_WRITES: Final = "processed_genome"
"""What an alignment (Batch job or HealthOmics run) reads and writes, as the taxonomy says:
reference genomes are what "the aligners read", processed genomes are the "aligned reads
produced by BWA and Bowtie" from raw sequence."""


def _omics_output_prefix(project: str) -> str:
    """Where HealthOmics runs of `project` write in the processed-genome bucket (the run's
    `outputUri`, the same function the docs and the run role's grant use)."""
    return omics_output_uri("bucket", project).split("/", 3)[3]


def _category_bucket(stack: StackDocuments, settings: StackSettings, category: str) -> str:
    slug = next(c.bucket_slug for c in CATEGORIES if c.name == category)
    return bucket_name(
        resource_prefix(settings.org, settings.environment), slug, settings.primary_region
    )


def _alignment_cells(
    stack: StackDocuments,
    settings: StackSettings,
    caller: Caller,
    why: str,
    output_prefix: Callable[[str], str] | None,
) -> Iterator[Cell]:
    # The pipelines serve every project of the stack with one role each (not one per project).
    why = f"{why}, for every project of the stack (one role, not one per project)"
    for project in settings.projects:
        for category in _ALIGNMENT_READS:
            bucket = _category_bucket(stack, settings, category)
            key = f"{project_prefix(project)}access-check/sample"
            yield Cell(
                "platform role",
                caller,
                "read input",
                f"{bucket} {project}",
                (
                    Check("s3:ListBucket", f"arn:aws:s3:::{bucket}", tls()),
                    *s3_get(stack, bucket, key, {}),
                ),
                True,
                why,
            )
        bucket = _category_bucket(stack, settings, _ALIGNMENT_WRITES)
        prefix = output_prefix(project) if output_prefix else project_prefix(project)
        for multipart in (False, True):
            yield Cell(
                "platform role",
                caller,
                f"write output ({'multipart' if multipart else 'single'})",
                f"{bucket}/{prefix}",
                tuple(s3_put(stack, bucket, f"{prefix}access-check/sample", multipart=multipart)),
                True,
                f"{why} (default bucket encryption)",
            )


def _lab_jobs(stack: StackDocuments, settings: StackSettings) -> Iterator[Cell]:
    for definition in stack.of_type("aws:batch/jobDefinition:JobDefinition"):
        container = json.loads(str(definition.inputs["containerProperties"]))
        region = str(definition.outputs["region"])
        job = _role(stack, str(container["jobRoleArn"]))
        caller = role_session(stack, job, job.name)
        yield from _alignment_cells(stack, settings, caller, "Batch alignment job", None)
        for volume in container.get("volumes", []):
            efs = volume.get("efsVolumeConfiguration")
            if not efs:
                continue
            file_system = (
                f"arn:aws:elasticfilesystem:{region}:{stack.account}:file-system/"
                f"{efs['fileSystemId']}"
            )
            context: dict[str, str | list[str]] = {"aws:SecureTransport": "true"}
            access_point = efs.get("authorizationConfig", {}).get("accessPointId")
            if access_point:
                context["elasticfilesystem:AccessPointArn"] = (
                    f"arn:aws:elasticfilesystem:{region}:{stack.account}:access-point/{access_point}"
                )
            yield Cell(
                "platform role",
                caller,
                "mount EFS read-write",
                short_arn(stack, file_system),
                (
                    Check("elasticfilesystem:ClientMount", file_system, context),
                    Check("elasticfilesystem:ClientWrite", file_system, context),
                ),
                True,
                f"job definition volume {volume['name']}",
            )
        execution = _role(stack, str(container["executionRoleArn"]))
        caller = role_session(stack, execution, execution.name)
        options = container.get("logConfiguration", {}).get("options", {})
        group = options.get("awslogs-group")
        if group:
            stream = f"arn:aws:logs:{region}:{stack.account}:log-group:{group}:log-stream:job"
            yield Cell(
                "platform role",
                caller,
                "write job logs",
                short_arn(stack, stream),
                (Check("logs:CreateLogStream", stream, {}), Check("logs:PutLogEvents", stream, {})),
                True,
                "job definition logConfiguration",
            )
        image = str(container["image"])
        repository = image.split("/", 1)[1].split(":", 1)[0]
        repository_arn = f"arn:aws:ecr:{region}:{image.split('.', 1)[0]}:repository/{repository}"
        yield Cell(
            "platform role",
            caller,
            "pull image",
            short_arn(stack, repository_arn),
            (
                Check("ecr:GetAuthorizationToken", "*", {}),
                Check("ecr:BatchGetImage", repository_arn, {}),
                Check("ecr:GetDownloadUrlForLayer", repository_arn, {}),
            ),
            True,
            "job definition image",
        )
    for role in stack.roles.values():
        if role.logical.endswith("-omics-run-role") and stack.of_type("aws-native:omics:RunGroup"):
            caller = role_session(stack, role, role.name)
            yield from _alignment_cells(
                stack,
                settings,
                caller,
                "HealthOmics run",
                _omics_output_prefix,
            )


def platform_role_cells(stack: StackDocuments, settings: StackSettings) -> Iterator[Cell]:
    """Cells for every service role the stack wires to a resource."""
    yield from _creation_templates(stack)
    yield from _replication(stack)
    yield from _datasync(stack)
    yield from _schedules(stack)
    yield from _integration_cells(stack)
    yield from _state_machine_cells(stack)
    yield from _backup(stack)
    yield from _cluster_secrets(stack)
    yield from _lab_jobs(stack, settings)
