"""PlatformFunction under the platform mocks: package layout, role, logs, failure queue, grants."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.blocks.function import (
    POWERTOOLS_LAYER_VERSION,
    PYTHON_RUNTIME,
    PlatformFunction,
    PlatformFunctionArgs,
    package_function,
)
from tests.support.harness import Registered, json_input, record

KEY_ARN = "arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
RULE_ARN = "arn:aws:events:ap-south-1:111122223333:rule/gen-test-nightly"
FS_ARN = "arn:aws:elasticfilesystem:ap-south-1:111122223333:file-system/fs-0123456789abcdef0"
AP_ARN = "arn:aws:elasticfilesystem:ap-south-1:111122223333:access-point/fsap-0123456789abcdef0"


def _write(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture(scope="module")
def source_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A miniature repository: one function, the shared code, the taxonomy, and caches."""
    root = tmp_path_factory.mktemp("repo")
    _write(root / "functions" / "__init__.py")
    _write(root / "functions" / "demo" / "__init__.py")
    _write(root / "functions" / "demo" / "handler.py", "def lambda_handler(e, c): ...\n")
    _write(root / "functions" / "demo" / "core.py")
    _write(root / "functions" / "demo" / "__pycache__" / "core.cpython-311.pyc")
    _write(root / "functions" / "other" / "handler.py")
    _write(root / "functions" / "common" / "notify.py")
    _write(root / "functions" / "common" / "stale.pyc")
    _write(root / "contracts" / "taxonomy" / "__init__.py")
    _write(root / "contracts" / "taxonomy" / "keys.py")
    return root


def _args(source_root: Path, **overrides: Any) -> PlatformFunctionArgs:
    args: dict[str, Any] = {
        "package": "demo",
        "function_name": "gen-test-demo",
        "description": "Demonstrates the platform function",
        "kms_key_arn": KEY_ARN,
        "log_retention_days": 90,
        "reserved_concurrency": 5,
        "destructive": False,
        "source_root": source_root,
        "environment": {"TOPIC_ARN": "arn:aws:sns:ap-south-1:111122223333:gen-test-alerts"},
        "policy_statements": [
            {
                "Sid": "ReadTags",
                "Action": ["s3:GetObjectTagging"],
                "Resource": ["arn:aws:s3:::gen-test-raw/*"],
            }
        ],
    }
    args.update(overrides)
    return args  # type: ignore[return-value]


@pytest.fixture(scope="module")
def plain(source_root: Path) -> Registered:
    """A function without network access, granted to one EventBridge rule."""

    def build() -> None:
        function = PlatformFunction("demo", _args(source_root))
        function.allow_invocation("events.amazonaws.com", RULE_ARN)

    return record(build)


@pytest.fixture(scope="module")
def networked(source_root: Path) -> Registered:
    """A destructive function in private subnets with an EFS access point mounted."""

    def build() -> None:
        PlatformFunction(
            "cleaner",
            _args(
                source_root,
                function_name="gen-test-cleaner",
                reserved_concurrency=1,
                destructive=True,
                vpc={"subnet_ids": ["subnet-0aa", "subnet-0bb"], "security_group_ids": ["sg-0cc"]},
                file_system={
                    "file_system_arn": FS_ARN,
                    "access_point_arn": AP_ARN,
                    "local_mount_path": "/mnt/projects",
                },
            ),
        )

    return record(build)


def _building(args: PlatformFunctionArgs) -> Callable[[], None]:
    def build() -> None:
        PlatformFunction("bad", args)

    return build


def _statements(registered: Registered) -> list[dict[str, Any]]:
    policy = json_input(registered.one("aws:iam/rolePolicy:RolePolicy"), "policy")
    statements: list[dict[str, Any]] = policy["Statement"]
    return statements


def _by_sid(registered: Registered, sid: str) -> dict[str, Any]:
    return next(s for s in _statements(registered) if s.get("Sid") == sid)


# ---- package ----


def test_archive_keeps_repository_layout(plain: Registered) -> None:
    """The package holds the function, common code and contracts at their repository paths."""
    assets = plain.one("aws:lambda/function:Function").inputs["code"]["assets"]
    assert set(assets) == {
        "functions/__init__.py",
        "functions/demo/__init__.py",
        "functions/demo/handler.py",
        "functions/demo/core.py",
        "functions/common/notify.py",
        "contracts/taxonomy/__init__.py",
        "contracts/taxonomy/keys.py",
    }


def test_archive_leaves_out_other_functions_and_caches(source_root: Path) -> None:
    """Neither another function's folder nor bytecode caches are shipped."""
    names = set(package_function("demo", source_root).assets)
    assert not any("other" in n or "__pycache__" in n or n.endswith(".pyc") for n in names)


def test_missing_handler_is_refused(source_root: Path) -> None:
    """A package without handler.py fails at preview with the path and the fix."""
    with pytest.raises(ValueError, match=r"handler\.py does not exist"):
        package_function("absent", source_root)


def test_real_repository_package_contains_contracts() -> None:
    """Packaging a real function of this repository ships the contracts it imports."""
    names = set(package_function("log_alerts").assets)
    assert "functions/log_alerts/handler.py" in names
    assert "contracts/taxonomy/__init__.py" in names
    assert "functions/common/notify.py" in names


# ---- function configuration ----


def test_handler_runtime_and_architecture(plain: Registered) -> None:
    """The handler path matches the package layout; Graviton and the chosen runtime."""
    inputs = plain.one("aws:lambda/function:Function").inputs
    assert inputs["handler"] == "functions.demo.handler.lambda_handler"
    assert inputs["runtime"] == PYTHON_RUNTIME
    assert inputs["architectures"] == ["arm64"]


def test_powertools_layer_matches_region_runtime_and_architecture(plain: Registered) -> None:
    """The layer is AWS's Powertools v3 for this runtime, arm64, in the provider's region."""
    (layer,) = plain.one("aws:lambda/function:Function").inputs["layers"]
    assert layer == (
        "arn:aws:lambda:ap-south-1:017000801446:layer:"
        f"AWSLambdaPowertoolsPythonV3-python312-arm64:{POWERTOOLS_LAYER_VERSION}"
    )


def test_tracing_is_active(plain: Registered) -> None:
    """X-Ray tracing is on for every function."""
    assert plain.one("aws:lambda/function:Function").inputs["tracingConfig"] == {"mode": "Active"}


def test_environment_keeps_args_and_adds_service_name(plain: Registered) -> None:
    """Args' variables reach the function next to the Powertools service name."""
    variables = plain.one("aws:lambda/function:Function").inputs["environment"]["variables"]
    assert variables["TOPIC_ARN"].endswith(":gen-test-alerts")
    assert variables["POWERTOOLS_SERVICE_NAME"] == "demo"
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "GenomicsPlatform/Demo"


def test_reserved_concurrency_is_set(plain: Registered) -> None:
    """The concurrency limit from Args is applied, not left unreserved."""
    inputs = plain.one("aws:lambda/function:Function").inputs
    assert inputs["reservedConcurrentExecutions"] == 5


def test_destructive_function_must_run_alone(source_root: Path) -> None:
    """A destructive function with reserved concurrency above 1 is refused."""
    args = _args(source_root, destructive=True, reserved_concurrency=3)
    with pytest.raises(ValueError, match="destructive"):
        record(_building(args))


def test_reserved_environment_variable_is_refused(source_root: Path) -> None:
    """Lambda's own variables cannot be set, so the mistake shows at preview."""
    args = _args(source_root, environment={"AWS_REGION": "ap-south-1"})
    with pytest.raises(ValueError, match="AWS_REGION"):
        record(_building(args))


# ---- logs ----


def test_log_group_has_name_retention_and_key(plain: Registered) -> None:
    """The function's log group is created with retention and the customer-managed key."""
    inputs = plain.one("aws:cloudwatch/logGroup:LogGroup").inputs
    assert inputs["name"] == "/aws/lambda/gen-test-demo"
    assert inputs["retentionInDays"] == 90
    assert inputs["kmsKeyId"] == KEY_ARN


def test_function_logs_to_its_log_group(plain: Registered) -> None:
    """Logging config points at the created group, in JSON, so retention and KMS apply."""
    logging = plain.one("aws:lambda/function:Function").inputs["loggingConfig"]
    assert logging["logGroup"] == "/aws/lambda/gen-test-demo"
    assert logging["logFormat"] == "JSON"


# ---- role ----


def test_trust_policy_limits_lambda_to_this_account(plain: Registered) -> None:
    """Only Lambda acting for this account may assume the role."""
    (statement,) = json_input(plain.one("aws:iam/role:Role"), "assumeRolePolicy")["Statement"]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}


def test_role_policy_has_no_wildcard_action(networked: Registered) -> None:
    """No statement of the richest role grants a wildcard action."""
    actions = [a for s in _statements(networked) for a in s["Action"]]
    assert actions
    assert not [a for a in actions if "*" in a]


def test_logging_is_scoped_to_own_log_group(plain: Registered) -> None:
    """Log writes name the function's own log streams, not every log group."""
    statement = _by_sid(plain, "WriteOwnLogs")
    assert statement["Resource"] == [
        "arn:aws:logs:ap-south-1:111122223333:log-group:/aws/lambda/gen-test-demo:log-stream:*"
    ]


def test_args_statements_are_included(plain: Registered) -> None:
    """The statements from Args are part of the role's policy."""
    statement = _by_sid(plain, "ReadTags")
    assert statement["Action"] == ["s3:GetObjectTagging"]
    assert statement["Effect"] == "Allow"


def test_wildcard_action_in_args_is_refused(source_root: Path) -> None:
    """A wildcard action from Args fails at preview and names the statement."""
    statements = [{"Action": ["s3:*"], "Resource": ["arn:aws:s3:::b/*"]}]
    args = _args(source_root, policy_statements=statements)
    with pytest.raises(ValueError, match=r"policy_statements\[0\]"):
        record(_building(args))


def test_network_interfaces_only_in_given_subnets(networked: Registered) -> None:
    """ENI creation is limited to the function's subnets and security groups."""
    resources = _by_sid(networked, "CreateInterfacesInOwnSubnets")["Resource"]
    prefix = "arn:aws:ec2:ap-south-1:111122223333:"
    assert sorted(resources) == sorted(
        [
            f"{prefix}network-interface/*",
            f"{prefix}subnet/subnet-0aa",
            f"{prefix}subnet/subnet-0bb",
            f"{prefix}security-group/sg-0cc",
        ]
    )


def test_efs_mount_goes_through_the_access_point(networked: Registered) -> None:
    """The function mounts the access point, and its role may mount through it only."""
    config = networked.one("aws:lambda/function:Function").inputs["fileSystemConfig"]
    assert config == {"arn": AP_ARN, "localMountPath": "/mnt/projects"}
    statement = _by_sid(networked, "MountThroughAccessPoint")
    assert statement["Resource"] == [FS_ARN]
    assert statement["Condition"] == {"ArnEquals": {"elasticfilesystem:AccessPointArn": AP_ARN}}


def test_file_system_without_vpc_is_refused(source_root: Path) -> None:
    """EFS needs the VPC; the error says so instead of failing at deploy."""
    file_system = {
        "file_system_arn": FS_ARN,
        "access_point_arn": AP_ARN,
        "local_mount_path": "/mnt/x",
    }
    args = _args(source_root, file_system=file_system)
    with pytest.raises(ValueError, match="needs vpc"):
        record(_building(args))


def test_function_waits_for_its_policy(plain: Registered) -> None:
    """The function is created after its role policy, so the first invocation can log."""
    policy = plain.one("aws:iam/rolePolicy:RolePolicy")
    assert policy.urn in plain.one("aws:lambda/function:Function").dependencies


# ---- failed asynchronous events ----


def test_failure_queue_is_encrypted(plain: Registered) -> None:
    """The failure queue uses the customer-managed key."""
    assert plain.one("aws:sqs/queue:Queue").inputs["kmsMasterKeyId"] == KEY_ARN


def test_failure_queue_refuses_insecure_transport(plain: Registered) -> None:
    """The queue policy denies every request without TLS."""
    (statement,) = json_input(plain.one("aws:sqs/queuePolicy:QueuePolicy"), "policy")["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_failed_async_events_go_to_the_queue(plain: Registered) -> None:
    """Asynchronous invocations retry, then land in the function's queue."""
    config = plain.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").inputs
    queue_arn = "arn:aws:sqs:ap-south-1:111122223333:gen-test-demo-dlq"
    assert config["destinationConfig"]["onFailure"]["destination"] == queue_arn
    assert config["maximumRetryAttempts"] == 2
    assert _by_sid(plain, "SendFailedEvents")["Resource"] == [queue_arn]


# ---- grants ----


def test_invocation_grant_names_source_arn_and_account(plain: Registered) -> None:
    """The invoke permission is bound to one source ARN in this account."""
    inputs = plain.one("aws:lambda/permission:Permission").inputs
    assert inputs["principal"] == "events.amazonaws.com"
    assert inputs["sourceArn"] == RULE_ARN
    assert inputs["sourceAccount"] == "111122223333"
    assert inputs["action"] == "lambda:InvokeFunction"


def test_every_function_gets_a_metrics_namespace() -> None:
    """Powertools cannot flush metrics without a namespace, so one is always set."""
    from components.blocks.function import metrics_namespace

    assert metrics_namespace("tag_audit") == "GenomicsPlatform/TagAudit"
    assert metrics_namespace("log_alerts") == "GenomicsPlatform/LogAlerts"
