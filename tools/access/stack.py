"""Every access document of a rendered stack, read from the preview recording.

The recording holds each resource's inputs as the engine saw them; ARNs and physical names that
AWS assigns are outputs, so the recording is replayed through the same mocks the preview ran
under to recover them. From there this module collects, per IAM role, its trust policy and its
identity policies (inline, `RolePolicy`, attached AWS-managed or customer-managed), and, per
resource, its resource policy (bucket, key, topic, queue, file system, log resource policy,
Lambda permissions), plus the encryption key each encrypted resource uses.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from tools.preview.mocks import MOCK_ACCOUNT_ID, PlatformMocks
from tools.preview.program import ProgramRun

__all__ = ["Resource", "Role", "StackDocuments", "collect"]


@dataclass(frozen=True)
class Resource:
    """One registered resource: its inputs and the outputs the mocks gave it."""

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]

    def document(self, key: str) -> Any:
        """An input that holds a JSON document, decoded."""
        value = self.inputs.get(key)
        return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Role:
    """An IAM role of the stack with the policies a session of it carries."""

    logical: str
    name: str
    arn: str
    trust: Mapping[str, Any]
    policies: tuple[str, ...]
    """Ids into `StackDocuments.policies`."""


@dataclass
class StackDocuments:
    """The stack's access documents, keyed the way the evaluation looks them up."""

    stack: str
    config: Mapping[str, str]
    account: str
    resources: list[Resource]
    policies: dict[str, Any] = field(default_factory=dict)
    """Policy id -> document, or `{"managed": arn}` for an AWS managed policy."""
    roles: dict[str, Role] = field(default_factory=dict)
    """Role ARN -> role."""
    resource_policies: dict[str, str] = field(default_factory=dict)
    """Resource ARN (bucket, key, topic, queue, file system, function, `logs:<region>`) -> id."""
    encryption_keys: dict[str, str] = field(default_factory=dict)
    """Encrypted resource ARN (bucket, topic, queue, log group, bus) -> KMS key ARN."""

    def of_type(self, type_token: str) -> list[Resource]:
        """Every resource of `type_token`, in registration order."""
        return [r for r in self.resources if r.type == type_token]

    def role_named(self, name: str) -> Role:
        """The role whose physical name is `name`."""
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"no role named {name!r} in the stack")

    def resource_policy_for(self, arn: str) -> str | None:
        """The id of the resource policy that governs `arn`, if any."""
        parts = arn.split(":")
        service = parts[2]
        if service == "s3":
            return self.resource_policies.get("arn:aws:s3:::" + parts[5].split("/", 1)[0])
        if service == "logs":
            return self.resource_policies.get(f"logs:{parts[3]}")
        if service == "lambda":
            return self.resource_policies.get(":".join(parts[:7]))
        return self.resource_policies.get(arn)


def _replay_outputs(run: ProgramRun, default_region: str) -> list[Resource]:
    """Each resource with the outputs the preview's mocks answered for it."""
    mocks = PlatformMocks(default_region)
    resources: list[Resource] = []
    for recorded in run.resources:
        inputs = recorded.inputs
        if not recorded.custom:
            resources.append(Resource(recorded.urn, recorded.type, recorded.name, inputs, {}))
            continue
        args = pulumi.runtime.MockResourceArgs(
            recorded.type, recorded.name, dict(inputs), recorded.provider or None
        )
        resource_id, outputs = mocks.new_resource(args)
        outputs = {**outputs, "id": resource_id}
        resources.append(Resource(recorded.urn, recorded.type, recorded.name, inputs, outputs))
    return resources


def _add_resource_policy(stack: StackDocuments, arn: str, policy_id: str, doc: Any) -> None:
    """Register `doc` for `arn`; two documents for one ARN are merged (log resource policies)."""
    existing = stack.resource_policies.get(arn)
    if existing is None:
        stack.policies[policy_id] = doc
        stack.resource_policies[arn] = policy_id
        return
    merged = stack.policies[existing]
    merged["Statement"] = list(_statements(merged)) + list(_statements(doc))


def _statements(doc: Mapping[str, Any]) -> Iterable[Any]:
    statement = doc.get("Statement", [])
    return statement if isinstance(statement, list) else [statement]


def _lambda_permission_statement(resource: Resource, function_arn: str) -> dict[str, Any]:
    """The statement Lambda adds to a function's resource policy for an `aws.lambda.Permission`."""
    inputs = resource.inputs
    principal = str(inputs["principal"])
    condition: dict[str, Any] = {}
    if "sourceAccount" in inputs:
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = inputs["sourceAccount"]
    if "sourceArn" in inputs:
        condition.setdefault("ArnLike", {})["AWS:SourceArn"] = inputs["sourceArn"]
    key = "Service" if principal.endswith(".amazonaws.com") else "AWS"
    statement: dict[str, Any] = {
        "Sid": resource.name,
        "Effect": "Allow",
        "Principal": {key: principal},
        "Action": inputs["action"],
        "Resource": function_arn,
    }
    if condition:
        statement["Condition"] = condition
    return statement


def collect(run: ProgramRun, config: Mapping[str, str]) -> StackDocuments:
    """The access documents of one recorded run."""
    region = config.get("aws:region", "ap-south-1")
    resources = _replay_outputs(run, region)
    stack = StackDocuments(run.stack, dict(config), MOCK_ACCOUNT_ID, resources)
    by_urn = {r.urn: r for r in resources}
    role_policies: dict[str, list[str]] = defaultdict(list)
    customer_managed = {
        str(r.outputs["arn"]): r.document("policy") for r in stack.of_type("aws:iam/policy:Policy")
    }
    for resource in resources:
        match resource.type:
            case "aws:iam/rolePolicy:RolePolicy":
                stack.policies[resource.name] = resource.document("policy")
                role_policies[str(resource.inputs["role"])].append(resource.name)
            case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
                arn = str(resource.inputs["policyArn"])
                doc = customer_managed.get(arn, {"managed": arn})
                stack.policies.setdefault(arn, doc)
                role_policies[str(resource.inputs["role"])].append(arn)
            case "aws:s3/bucketPolicy:BucketPolicy":
                bucket = str(resource.inputs["bucket"])
                _add_resource_policy(
                    stack, f"arn:aws:s3:::{bucket}", resource.name, resource.document("policy")
                )
            case "aws:kms/key:Key" if "policy" in resource.inputs:
                _add_resource_policy(
                    stack, str(resource.outputs["arn"]), resource.name, resource.document("policy")
                )
            case "aws:sns/topicPolicy:TopicPolicy":
                _add_resource_policy(
                    stack, str(resource.inputs["arn"]), resource.name, resource.document("policy")
                )
            case "aws:sqs/queuePolicy:QueuePolicy":
                url = str(resource.inputs["queueUrl"]).removeprefix("https://").split("/")
                queue_region = url[0].split(".")[1]
                arn = f"arn:aws:sqs:{queue_region}:{url[1]}:{url[2]}"
                _add_resource_policy(stack, arn, resource.name, resource.document("policy"))
            case "aws:efs/fileSystemPolicy:FileSystemPolicy":
                file_system = next(
                    r
                    for r in resources
                    if r.type == "aws:efs/fileSystem:FileSystem"
                    and r.outputs.get("id") == resource.inputs["fileSystemId"]
                )
                _add_resource_policy(
                    stack,
                    str(file_system.outputs["arn"]),
                    resource.name,
                    resource.document("policy"),
                )
            case "aws:cloudwatch/logResourcePolicy:LogResourcePolicy":
                log_region = str(resource.outputs.get("region") or region)
                _add_resource_policy(
                    stack,
                    f"logs:{log_region}",
                    f"logs-resource-policies-{log_region}",
                    resource.document("policyDocument"),
                )
            case "aws:lambda/permission:Permission":
                function = next(
                    r
                    for r in stack.of_type("aws:lambda/function:Function")
                    if r.outputs.get("name") == resource.inputs["function"]
                )
                function_arn = str(function.outputs["arn"])
                policy_id = f"{function.outputs['name']}-resource-policy"
                _add_resource_policy(
                    stack,
                    function_arn,
                    policy_id,
                    {
                        "Version": "2012-10-17",
                        "Statement": [_lambda_permission_statement(resource, function_arn)],
                    },
                )
            case "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":  # noqa: E501
                for rule in resource.inputs.get("rules", []):
                    default = rule.get("applyServerSideEncryptionByDefault", {})
                    if default.get("kmsMasterKeyId"):
                        bucket_arn = f"arn:aws:s3:::{resource.inputs['bucket']}"
                        stack.encryption_keys[bucket_arn] = str(default["kmsMasterKeyId"])
            case "aws:sns/topic:Topic" | "aws:sqs/queue:Queue" if resource.inputs.get(
                "kmsMasterKeyId"
            ):
                stack.encryption_keys[str(resource.outputs["arn"])] = str(
                    resource.inputs["kmsMasterKeyId"]
                )
            case "aws:cloudwatch/logGroup:LogGroup" if resource.inputs.get("kmsKeyId"):
                stack.encryption_keys[str(resource.outputs["arn"])] = str(
                    resource.inputs["kmsKeyId"]
                )
            case "aws:cloudwatch/eventBus:EventBus" if resource.inputs.get("kmsKeyIdentifier"):
                stack.encryption_keys[str(resource.outputs["arn"])] = str(
                    resource.inputs["kmsKeyIdentifier"]
                )
            case _:
                pass
    for resource in stack.of_type("aws:iam/role:Role"):
        name = str(resource.outputs["name"])
        ids = list(role_policies.get(name, []))
        for index, inline in enumerate(resource.inputs.get("inlinePolicies", []) or []):
            policy_id = f"{resource.name}-inline-{inline.get('name') or index}"
            stack.policies[policy_id] = json.loads(inline["policy"])
            ids.append(policy_id)
        for arn in resource.inputs.get("managedPolicyArns", []) or []:
            stack.policies.setdefault(arn, customer_managed.get(arn, {"managed": arn}))
            ids.append(arn)
        arn = str(resource.outputs["arn"])
        trust_id = f"{resource.name}-trust"
        stack.policies[trust_id] = resource.document("assumeRolePolicy")
        stack.resource_policies[arn] = trust_id
        stack.roles[arn] = Role(
            resource.name, name, arn, resource.document("assumeRolePolicy"), tuple(ids)
        )
    del by_urn
    return stack
