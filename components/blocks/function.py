"""One platform Lambda function with everything it needs to run safely, in one component.

Every function of the platform is deployed the same way: code from `functions/<package>/`
packaged with `functions/common/` and `contracts/` (the layout `docs/contributing.md` promises,
so `functions.<package>.handler.lambda_handler` and `from contracts import taxonomy` resolve),
Graviton,
Powertools from AWS's own layer, X-Ray tracing, its own log group created before the function
(so retention and the KMS key apply from the first line, and nobody needs `logs:CreateLogGroup`),
its own role whose policy names only what the function touches, a deliberate concurrency
limit, and an encrypted queue that keeps failed asynchronous events instead of dropping them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import (
    PolicyDocument,
    deny_insecure_transport,
    service_trust_policy,
)
from contracts.names import function_role_name

__all__ = [
    "METRICS_NAMESPACE_ROOT",
    "POWERTOOLS_LAYER_ACCOUNT",
    "POWERTOOLS_LAYER_VERSION",
    "PYTHON_RUNTIME",
    "EfsAccess",
    "PlatformFunction",
    "PlatformFunctionArgs",
    "PolicyStatement",
    "VpcAccess",
    "metrics_namespace",
    "metrics_service",
    "package_function",
    "powertools_layer_arn",
]

PYTHON_RUNTIME: Final = "python3.12"
"""Lambda runtime of every function.

The code targets Python 3.11 (`requires-python`) and runs unchanged on 3.12. `python3.11` is
still accepted by Lambda, but it runs on Amazon Linux 2, whose end of life (30 June 2026) leaves
it with critical patches only; `python3.12` runs on Amazon Linux 2023 with standard support until
October 2028. Move to `python3.13` together with `requires-python`.
"""

POWERTOOLS_LAYER_ACCOUNT: Final = "017000801446"
"""The AWS account that publishes the Powertools for AWS Lambda (Python) layers."""

POWERTOOLS_LAYER_VERSION: Final = 25
"""Version of `AWSLambdaPowertoolsPythonV3-python312-arm64` (the same number in every region,
ap-south-1 and ap-south-2 included). Powertools 3.x, which bundles the tracer and parser extras
(aws-xray-sdk, pydantic) the functions use. To upgrade, read the newest number from the public
SSM parameter `/aws/service/powertools/python/arm64/python3.12/latest` and change it here."""

_HANDLER: Final = "handler.lambda_handler"
_PACKAGE_NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_FUNCTION_NAME: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ENV_NAME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RESERVED_ENV: Final = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
"""Variables Lambda sets itself and refuses in a function's configuration."""
_SKIPPED_PARTS: Final = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
_SKIPPED_SUFFIXES: Final = frozenset({".pyc", ".pyo"})
_DLQ_RETENTION_SECONDS: Final = 14 * 24 * 3600
"""SQS's longest retention: two weeks to notice and replay a failed event."""
_REPOSITORY_ROOT: Final = Path(__file__).resolve().parents[2]


class PolicyStatement(TypedDict):
    """One IAM policy statement in IAM's own JSON shape; values may be Pulumi outputs."""

    Action: Sequence[str]
    """Exact actions such as `s3:GetObjectTagging`; wildcards are refused."""
    Resource: Sequence[pulumi.Input[str]]
    """ARNs the actions apply to."""
    Sid: NotRequired[str]
    """Statement id: says in a word what the statement is for."""
    Effect: NotRequired[Literal["Allow", "Deny"]]
    """`Allow` unless given."""
    Condition: NotRequired[Mapping[str, Mapping[str, Any]]]
    """IAM condition block, e.g. `{"StringEquals": {"s3:ExistingObjectTag/project": "x"}}`."""


class VpcAccess(TypedDict):
    """Where a function that must reach private endpoints (e.g. EFS) attaches its interfaces."""

    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets, one per availability zone."""
    security_group_ids: Sequence[pulumi.Input[str]]
    """Security groups of the function's network interfaces."""


class EfsAccess(TypedDict):
    """An EFS access point the function mounts (requires `vpc`)."""

    file_system_arn: pulumi.Input[str]
    """ARN of the file system; the role may mount only through `access_point_arn`."""
    access_point_arn: pulumi.Input[str]
    """ARN of the access point that fixes the POSIX identity and root directory."""
    local_mount_path: str
    """Where the function sees the file system; must start with `/mnt/`."""
    read_only: NotRequired[bool]
    """Mount without `elasticfilesystem:ClientWrite`; false unless given."""
    mount_targets: NotRequired[Sequence[pulumi.Resource]]
    """The file system's mount targets; the function is created after them."""


class PlatformFunctionArgs(TypedDict):
    """What differs between the platform's functions; everything else is a fixed safe default."""

    package: str
    """Folder under `functions/` with `handler.py`, e.g. `object_tagger`."""
    function_name: str
    """Physical name, e.g. `gen-prod-object-tagger`; also names its role, log group and queue."""
    description: str
    """What the function does, for people reading the console."""
    kms_key_arn: pulumi.Input[str]
    """Customer-managed key of the log group and the failure queue. Its key policy must let
    `logs.<region>.amazonaws.com` use it (CloudWatch Logs encrypts with its own principal)."""
    log_retention_days: int
    """Retention of the function's log group; one of CloudWatch Logs' allowed values."""
    reserved_concurrency: int
    """Most concurrent executions. Chosen per function, never defaulted; 1 when destructive."""
    destructive: bool
    """Whether the function deletes or overwrites data; destructive ones run one at a time."""
    policy_statements: NotRequired[Sequence[PolicyStatement]]
    """What the function may do beyond logging, tracing and its failure queue."""
    environment: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Environment variables; Powertools' service name and metrics namespace are set by default."""
    memory_mb: NotRequired[int]
    """Memory (and so CPU) in MB, 128-10240; 256 unless given."""
    timeout_seconds: NotRequired[int]
    """Time budget per invocation, 1-900 s; 60 unless given."""
    vpc: NotRequired[VpcAccess]
    """Attach to private subnets; none unless given."""
    file_system: NotRequired[EfsAccess]
    """Mount an EFS access point; none unless given."""
    max_retry_attempts: NotRequired[int]
    """Retries of a failed asynchronous invocation before it goes to the queue, 0-2; 2."""
    max_event_age_seconds: NotRequired[int]
    """Oldest asynchronous event Lambda still delivers, 60-21600 s; 6 hours unless given."""
    log_level: NotRequired[Literal["DEBUG", "INFO", "WARN", "ERROR"]]
    """Application log level Lambda lets through; INFO unless given."""
    source_root: NotRequired[Path]
    """Folder holding `functions/` and `contracts/`; the repository root unless given."""


def powertools_layer_arn(region: str) -> str:
    """The ARN of AWS's Powertools v3 layer for this runtime and arm64 in `region`."""
    flavour = PYTHON_RUNTIME.replace(".", "")
    return (
        f"arn:aws:lambda:{region}:{POWERTOOLS_LAYER_ACCOUNT}:layer:"
        f"AWSLambdaPowertoolsPythonV3-{flavour}-arm64:{POWERTOOLS_LAYER_VERSION}"
    )


def _package_files(root: Path, relative_dir: str) -> dict[str, pulumi.Asset | pulumi.Archive]:
    directory = root / relative_dir
    entries: dict[str, pulumi.Asset | pulumi.Archive] = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or _SKIPPED_PARTS.intersection(relative.parts):
            continue
        if path.suffix in _SKIPPED_SUFFIXES:
            continue
        entries[relative.as_posix()] = pulumi.FileAsset(str(path))
    return entries


def package_function(package: str, root: Path = _REPOSITORY_ROOT) -> pulumi.AssetArchive:
    """The deployment package of `functions/<package>/`: that folder, `functions/common/`,
    `functions/__init__.py` and `contracts/`, at the same relative paths as in the
    repository (so absolute imports work in Lambda), without caches or compiled files."""
    handler = root / "functions" / package / "handler.py"
    if not handler.is_file():
        raise ValueError(
            f"PlatformFunctionArgs.package {package!r}: {handler} does not exist; "
            "create functions/<package>/handler.py with lambda_handler(event, context)"
        )
    entries: dict[str, pulumi.Asset | pulumi.Archive] = {}
    init = root / "functions" / "__init__.py"
    if init.is_file():
        entries["functions/__init__.py"] = pulumi.FileAsset(str(init))
    for relative_dir in (f"functions/{package}", "functions/common", "contracts"):
        entries.update(_package_files(root, relative_dir))
    return pulumi.AssetArchive(entries)


def _validate(args: PlatformFunctionArgs) -> None:
    """Refuse settings AWS would reject later, or that would break a platform invariant."""
    package = args["package"]
    if not _PACKAGE_NAME.fullmatch(package):
        raise ValueError(
            f"PlatformFunctionArgs.package {package!r} must be a Python package name "
            "(lowercase letters, digits, underscores) such as object_tagger"
        )
    name = args["function_name"]
    if not _FUNCTION_NAME.fullmatch(name):
        raise ValueError(
            f"PlatformFunctionArgs.function_name {name!r} must be 1-64 letters, digits, "
            "hyphens or underscores, e.g. gen-prod-object-tagger"
        )
    concurrency = args["reserved_concurrency"]
    if concurrency < 1:
        raise ValueError(
            f"PlatformFunctionArgs.reserved_concurrency is {concurrency}; use at least 1 "
            "(0 would throttle every invocation)"
        )
    if args["destructive"] and concurrency != 1:
        raise ValueError(
            f"PlatformFunctionArgs.reserved_concurrency is {concurrency} for a destructive "
            "function; destructive functions run one at a time, use 1"
        )
    checks = (
        ("memory_mb", args.get("memory_mb", 256), 128, 10240),
        ("timeout_seconds", args.get("timeout_seconds", 60), 1, 900),
        ("max_retry_attempts", args.get("max_retry_attempts", 2), 0, 2),
        ("max_event_age_seconds", args.get("max_event_age_seconds", 21600), 60, 21600),
    )
    for field, value, low, high in checks:
        if not low <= value <= high:
            raise ValueError(f"PlatformFunctionArgs.{field} is {value}; use {low}-{high}")
    for key in args.get("environment", {}):
        if not _ENV_NAME.fullmatch(key) or key in _RESERVED_ENV:
            raise ValueError(
                f"PlatformFunctionArgs.environment key {key!r} is not allowed: use letters, "
                "digits and underscores, not a variable Lambda reserves (AWS_REGION, ...)"
            )
    for index, statement in enumerate(args.get("policy_statements", ())):
        wildcards = [action for action in statement["Action"] if "*" in action]
        if wildcards:
            raise ValueError(
                f"PlatformFunctionArgs.policy_statements[{index}] has wildcard actions "
                f"{wildcards}; list the exact actions the function calls"
            )
        if not statement["Resource"]:
            raise ValueError(
                f"PlatformFunctionArgs.policy_statements[{index}] names no Resource; "
                "list the ARNs the actions apply to"
            )
    file_system = args.get("file_system")
    if file_system is not None:
        if "vpc" not in args:
            raise ValueError(
                "PlatformFunctionArgs.file_system needs vpc: EFS is reached through mount "
                "targets in the VPC; pass the private subnets and a security group"
            )
        if not file_system["local_mount_path"].startswith("/mnt/"):
            raise ValueError(
                f"PlatformFunctionArgs.file_system.local_mount_path "
                f"{file_system['local_mount_path']!r} must start with /mnt/"
            )


def _statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    condition: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": list(resources),
    }
    if condition:
        statement["Condition"] = dict(condition)
    return statement


def metrics_service(package: str) -> str:
    """The `service` dimension Powertools puts on a function's metrics (its service name)."""
    return package.replace("_", "-")


METRICS_NAMESPACE_ROOT: Final = "GenomicsPlatform"


def metrics_namespace(package: str) -> str:
    """The CloudWatch namespace a function's EMF metrics land in, e.g. `GenomicsPlatform/TagAudit`.

    Powertools refuses to flush metrics without a namespace, so every function gets one; alarms
    on a function's metrics name it through this same function.
    """
    return f"{METRICS_NAMESPACE_ROOT}/" + "".join(part.title() for part in package.split("_"))


class PlatformFunction(pulumi.ComponentResource):
    """A platform Lambda: code, role, log group, failure queue, and an invoker grant helper."""

    function_name: pulumi.Output[str]
    """Physical name of the function."""
    function_arn: pulumi.Output[str]
    """ARN of the function (unqualified)."""
    role_name: pulumi.Output[str]
    """Name of the function's execution role."""
    role_arn: pulumi.Output[str]
    """ARN of the function's execution role."""
    log_group_name: pulumi.Output[str]
    """`/aws/lambda/<function-name>`, where the function logs."""
    dlq_arn: pulumi.Output[str]
    """ARN of the queue that receives asynchronous events that failed every retry."""

    def __init__(
        self,
        name: str,
        args: PlatformFunctionArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("genomics:functions:PlatformFunction", name, None, opts)
        _validate(args)
        self._name = name
        self._function_name_value = args["function_name"]
        root = args.get("source_root", _REPOSITORY_ROOT)
        archive = package_function(args["package"], root)

        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        self._account_id: pulumi.Output[str] = aws.get_caller_identity_output(
            opts=invoke_opts
        ).account_id
        self._region: pulumi.Output[str] = aws.get_region_output(opts=invoke_opts).region

        self.log_group = self._create_log_group(args)
        self.dlq = self._create_dlq(args)
        self.role = self._create_role(args)
        role_policy = self._create_role_policy(args)
        self.function = self._create_function(args, archive, role_policy)
        self._create_invoke_config(args)

        self.function_name = self.function.name
        self.function_arn = self.function.arn
        self.role_name = self.role.name
        self.role_arn = self.role.arn
        self.log_group_name = self.log_group.name
        self.dlq_arn = self.dlq.arn
        self.register_outputs(
            {
                "function_name": self.function_name,
                "function_arn": self.function_arn,
                "role_name": self.role_name,
                "role_arn": self.role_arn,
                "log_group_name": self.log_group_name,
                "dlq_arn": self.dlq_arn,
            }
        )

    # ---- children ----

    def _create_log_group(self, args: PlatformFunctionArgs) -> aws.cloudwatch.LogGroup:
        return aws.cloudwatch.LogGroup(
            f"{self._name}-logs",
            name=f"/aws/lambda/{args['function_name']}",
            retention_in_days=args["log_retention_days"],
            kms_key_id=args["kms_key_arn"],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_dlq(self, args: PlatformFunctionArgs) -> aws.sqs.Queue:
        queue = aws.sqs.Queue(
            f"{self._name}-dlq",
            name=f"{args['function_name']}-dlq",
            kms_master_key_id=args["kms_key_arn"],
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=_DLQ_RETENTION_SECONDS,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.sqs.QueuePolicy(
            f"{self._name}-dlq-policy",
            queue_url=queue.url,
            policy=PolicyDocument(
                deny_insecure_transport("DenyInsecureTransport", ("sqs:*",), (queue.arn,))
            ).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return queue

    def _create_role(self, args: PlatformFunctionArgs) -> aws.iam.Role:
        trust = service_trust_policy(
            "lambda.amazonaws.com", self._account_id, sid="LambdaOfThisAccount"
        ).render()
        return aws.iam.Role(
            f"{self._name}-role",
            name=function_role_name(args["function_name"]),
            description=f"Execution role of the {args['function_name']} Lambda function",
            assume_role_policy=trust,
            max_session_duration=3600,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_role_policy(self, args: PlatformFunctionArgs) -> aws.iam.RolePolicy:
        statements: list[Any] = [
            _statement(
                "WriteOwnLogs",
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [self.log_group.arn.apply(lambda arn: f"{arn}:log-stream:*")],
            ),
            # X-Ray has no resource-level permissions: these two actions only accept "*".
            _statement("WriteTraces", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]),
            _statement("SendFailedEvents", ["sqs:SendMessage"], [self.dlq.arn]),
            _statement(
                "EncryptFailedEvents",
                ["kms:GenerateDataKey", "kms:Decrypt"],
                [args["kms_key_arn"]],
                {
                    "StringEquals": {
                        "kms:ViaService": self._region.apply(
                            lambda region: f"sqs.{region}.amazonaws.com"
                        )
                    }
                },
            ),
        ]
        vpc = args.get("vpc")
        if vpc is not None:
            statements.extend(self._vpc_statements(vpc))
        file_system = args.get("file_system")
        if file_system is not None:
            actions = ["elasticfilesystem:ClientMount"]
            if not file_system.get("read_only", False):
                actions.append("elasticfilesystem:ClientWrite")
            statements.append(
                _statement(
                    "MountThroughAccessPoint",
                    actions,
                    [file_system["file_system_arn"]],
                    {
                        "ArnEquals": {
                            "elasticfilesystem:AccessPointArn": file_system["access_point_arn"]
                        }
                    },
                )
            )
        for statement in args.get("policy_statements", ()):
            rendered: dict[str, Any] = {
                "Effect": statement.get("Effect", "Allow"),
                "Action": list(statement["Action"]),
                "Resource": list(statement["Resource"]),
            }
            if "Sid" in statement:
                rendered["Sid"] = statement["Sid"]
            if "Condition" in statement:
                rendered["Condition"] = statement["Condition"]
            statements.append(rendered)
        return aws.iam.RolePolicy(
            f"{self._name}-policy",
            role=self.role.name,
            name="least-privilege",
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _vpc_statements(self, vpc: VpcAccess) -> list[dict[str, Any]]:
        """What AWSLambdaVPCAccessExecutionRole grants, narrowed to this account, region,
        subnets and security groups wherever EC2 supports resource-level permissions."""

        def ec2_arn(kind: str, ident: pulumi.Input[str]) -> pulumi.Output[str]:
            return pulumi.Output.concat(
                "arn:aws:ec2:", self._region, ":", self._account_id, ":", kind, "/", ident
            )

        interfaces = ec2_arn("network-interface", "*")
        create_resources: list[pulumi.Input[str]] = [interfaces]
        create_resources += [ec2_arn("subnet", subnet) for subnet in vpc["subnet_ids"]]
        create_resources += [
            ec2_arn("security-group", group) for group in vpc["security_group_ids"]
        ]
        return [
            _statement(
                "CreateInterfacesInOwnSubnets", ["ec2:CreateNetworkInterface"], create_resources
            ),
            _statement(
                "ManageOwnInterfaces",
                [
                    "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                [interfaces],
            ),
            # EC2 Describe* calls have no resource-level permissions and only accept "*".
            _statement(
                "DescribeNetwork",
                [
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                ],
                ["*"],
            ),
        ]

    def _create_function(
        self,
        args: PlatformFunctionArgs,
        archive: pulumi.AssetArchive,
        role_policy: aws.iam.RolePolicy,
    ) -> aws.lambda_.Function:
        package = args["package"]
        variables: dict[str, pulumi.Input[str]] = {
            "POWERTOOLS_SERVICE_NAME": metrics_service(package),
            "POWERTOOLS_METRICS_NAMESPACE": metrics_namespace(package),
        }
        variables.update(args.get("environment", {}))
        vpc = args.get("vpc")
        file_system = args.get("file_system")
        return aws.lambda_.Function(
            f"{self._name}-function",
            name=args["function_name"],
            description=args["description"],
            role=self.role.arn,
            code=archive,
            handler=f"functions.{package}.{_HANDLER}",
            runtime=PYTHON_RUNTIME,
            architectures=["arm64"],
            layers=[self._region.apply(powertools_layer_arn)],
            memory_size=args.get("memory_mb", 256),
            timeout=args.get("timeout_seconds", 60),
            reserved_concurrent_executions=args["reserved_concurrency"],
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON",
                log_group=self.log_group.name,
                application_log_level=args.get("log_level", "INFO"),
                system_log_level="WARN",
            ),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=variables),
            vpc_config=(
                aws.lambda_.FunctionVpcConfigArgs(
                    subnet_ids=list(vpc["subnet_ids"]),
                    security_group_ids=list(vpc["security_group_ids"]),
                )
                if vpc is not None
                else None
            ),
            file_system_config=(
                aws.lambda_.FunctionFileSystemConfigArgs(
                    arn=file_system["access_point_arn"],
                    local_mount_path=file_system["local_mount_path"],
                )
                if file_system is not None
                else None
            ),
            # Lambda checks the role's VPC permissions when the function is created, and the
            # first invocation must be able to log: the policy has to exist before the function.
            # With EFS, the mount targets too: "If your function depends on a mount target ...
            # add a DependsOn attribute to ensure that the mount target is created or updated
            # before the function" (CloudFormation, AWS::Lambda::Function FileSystemConfig).
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[
                    role_policy,
                    *(file_system.get("mount_targets", ()) if file_system is not None else ()),
                ],
            ),
        )

    def _create_invoke_config(self, args: PlatformFunctionArgs) -> None:
        aws.lambda_.FunctionEventInvokeConfig(
            f"{self._name}-async",
            function_name=self.function.name,
            maximum_retry_attempts=args.get("max_retry_attempts", 2),
            maximum_event_age_in_seconds=args.get("max_event_age_seconds", 21600),
            destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
                    destination=self.dlq.arn
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    # ---- grants ----

    def allow_invocation(
        self,
        principal: str,
        source_arn: pulumi.Input[str],
        *,
        label: str | None = None,
    ) -> aws.lambda_.Permission:
        """Let the AWS service `principal` (e.g. `events.amazonaws.com`) invoke the function,
        only on behalf of `source_arn` in this account (no confused deputy).

        `label` tells grants for the same service apart (e.g. two schedules); it defaults to
        the service name and becomes part of the child's logical name, so keep it stable.
        """
        if not principal.endswith(".amazonaws.com"):
            raise ValueError(
                f"allow_invocation principal {principal!r} must be an AWS service principal "
                "such as events.amazonaws.com"
            )
        suffix = label or principal.split(".", 1)[0]
        return aws.lambda_.Permission(
            f"{self._name}-allow-{suffix}",
            action="lambda:InvokeFunction",
            function=self.function.name,
            principal=principal,
            source_arn=source_arn,
            source_account=self._account_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
