"""Logging rules, through the real pack process (S3 access logging: test_s3_bucket_rules)."""

from __future__ import annotations

import pytest

from tests.policies.rule_cases import (
    Case,
    four_way_tests,
    hits,
    variant,
    variant_tests,
)
from tests.support.pack import FakeResource, PackClient

pytestmark = pytest.mark.policy

LOG_GROUP_ARN = "arn:aws:logs:ap-south-1:111122223333:log-group:/genomics/api"
ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
TASK = "aws:datasync/task:Task"
DATASYNC_LOGGING = "datasync-task-logging"
RETENTION = "cloudwatch-log-group-retention"
TASK_PROPS = {
    "sourceLocationArn": "arn:src",
    "destinationLocationArn": "arn:dst",
    "cloudwatchLogGroupArn": LOG_GROUP_ARN,
    "options": {"logLevel": "TRANSFER", "verifyMode": "ONLY_FILES_TRANSFERRED"},
}

_CASES = [
    Case(
        "eks-cluster-control-plane-logging",
        "aws:eks/cluster:Cluster",
        {"enabledClusterLogTypes": ALL_LOG_TYPES},
        unknown="enabledClusterLogTypes",
    ),
    Case(
        RETENTION, "aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 365}, "retentionInDays"
    ),
    Case(
        "apigateway-stage-access-logging",
        "aws:apigateway/stage:Stage",
        {"stageName": "v1", "accessLogSettings": {"destinationArn": LOG_GROUP_ARN, "format": "{}"}},
        unknown="accessLogSettings",
    ),
    Case(
        "apigateway-stage-access-logging",
        "aws:apigatewayv2/stage:Stage",
        {"name": "$default", "accessLogSettings": {"destinationArn": LOG_GROUP_ARN}},
        unknown="accessLogSettings",
    ),
    Case(
        "apigateway-stage-xray-tracing",
        "aws:apigateway/stage:Stage",
        {"stageName": "v1", "xrayTracingEnabled": True},
        unknown="xrayTracingEnabled",
    ),
    Case(DATASYNC_LOGGING, TASK, TASK_PROPS, unknown="cloudwatchLogGroupArn"),
    Case("datasync-task-verification", TASK, TASK_PROPS, unknown="options"),
    Case(
        "sfn-state-machine-logging",
        "aws:sfn/stateMachine:StateMachine",
        {"loggingConfiguration": {"level": "ALL", "logDestination": f"{LOG_GROUP_ARN}:*"}},
        unknown="loggingConfiguration",
    ),
]
CASES = {case.id: case for case in _CASES}

MUTATIONS = [
    pytest.param(
        "eks-cluster-control-plane-logging@eks/cluster",
        {"enabledClusterLogTypes": ["api", "audit"]},
        "does not log control-plane authenticator, controllerManager, scheduler",
        id="eks-partial",
    ),
    pytest.param(
        "eks-cluster-control-plane-logging@eks/cluster",
        {"enabledClusterLogTypes": None},
        "does not log control-plane api, audit",
        id="eks-none",
    ),
    pytest.param(
        f"{RETENTION}@cloudwatch/logGroup",
        {"retentionInDays": None},
        "keeps events forever",
        id="retention-unset",
    ),
    pytest.param(
        f"{RETENTION}@cloudwatch/logGroup",
        {"retentionInDays": 0},
        "keeps events forever",
        id="retention-zero",
    ),
    pytest.param(
        f"{RETENTION}@cloudwatch/logGroup",
        {"retentionInDays": 7},
        "keeps events 7 days, outside 90..3653",
        id="retention-short",
    ),
    pytest.param(
        "apigateway-stage-access-logging@apigateway/stage",
        {"accessLogSettings": None},
        "writes no access logs",
        id="rest-stage-no-logs",
    ),
    pytest.param(
        "apigateway-stage-access-logging@apigatewayv2/stage",
        {"accessLogSettings": {"format": "{}"}},
        "writes no access logs",
        id="http-stage-no-destination",
    ),
    pytest.param(
        "apigateway-stage-xray-tracing@apigateway/stage",
        {"xrayTracingEnabled": None},
        "does not trace requests with X-Ray",
        id="stage-no-xray",
    ),
    pytest.param(
        f"{DATASYNC_LOGGING}@datasync/task",
        {"cloudwatchLogGroupArn": None},
        "has no cloudwatchLogGroupArn",
        id="datasync-no-log-group",
    ),
    pytest.param(
        f"{DATASYNC_LOGGING}@datasync/task",
        {"options": {"logLevel": "BASIC"}},
        "logs at level BASIC, not TRANSFER",
        id="datasync-basic",
    ),
    pytest.param(
        f"{DATASYNC_LOGGING}@datasync/task",
        {"options": None},
        "logs at level OFF",
        id="datasync-default-off",
    ),
    pytest.param(
        "datasync-task-verification@datasync/task",
        {"options": {"logLevel": "TRANSFER", "verifyMode": "NONE"}},
        "does not verify transferred data",
        id="datasync-no-verify",
    ),
    pytest.param(
        "sfn-state-machine-logging@sfn/stateMachine",
        {"loggingConfiguration": {"level": "FATAL", "logDestination": f"{LOG_GROUP_ARN}:*"}},
        "logs at level FATAL, not ALL or ERROR",
        id="sfn-fatal",
    ),
    pytest.param(
        "sfn-state-machine-logging@sfn/stateMachine",
        {"loggingConfiguration": {"level": "ERROR"}},
        "has no loggingConfiguration.logDestination",
        id="sfn-no-destination",
    ),
]


(
    test_compliant_baseline_passes,
    test_mutation_is_reported,
    test_unknown_input_is_never_mandatory,
    test_unrelated_type_is_ignored,
) = four_way_tests(CASES, MUTATIONS)


EKS_LOGS, GROUP = (
    "eks-cluster-control-plane-logging@eks/cluster",
    f"{RETENTION}@cloudwatch/logGroup",
)
REST_STAGE, HTTP_STAGE, XRAY = (
    "apigateway-stage-access-logging@apigateway/stage",
    "apigateway-stage-access-logging@apigatewayv2/stage",
    "apigateway-stage-xray-tracing@apigateway/stage",
)
TASK_LOGS, VERIFY, SFN = (
    f"{DATASYNC_LOGGING}@datasync/task",
    "datasync-task-verification@datasync/task",
    "sfn-state-machine-logging@sfn/stateMachine",
)

VARIANTS = [
    variant(EKS_LOGS, "string-vs-list", {"enabledClusterLogTypes": "audit"}, "does not log"),
    variant(
        EKS_LOGS,
        "string-vs-list",
        {"enabledClusterLogTypes": [*ALL_LOG_TYPES, "audit"]},
        None,
    ),
    variant(GROUP, "case-and-type", {"retentionInDays": "7"}, "keeps events 7 days"),
    variant(GROUP, "case-and-type", {"retentionInDays": "365"}, None),
    variant(GROUP, "case-and-type", {"retentionInDays": "0"}, "keeps events forever"),
    variant(
        REST_STAGE,
        "equivalent-value",
        {"accessLogSettings": {"destinationArn": "", "format": "{}"}},
        "writes no access logs",
    ),
    variant(
        HTTP_STAGE,
        "json-vs-object",
        {"accessLogSettings": '{"format": "{}"}'},
        "writes no access logs",
    ),
    variant(XRAY, "case-and-type", {"xrayTracingEnabled": "false"}, "does not trace"),
    variant(XRAY, "case-and-type", {"xrayTracingEnabled": "true"}, None),
    variant(
        TASK_LOGS,
        "equivalent-value",
        {"options": {"logLevel": "OFF", "verifyMode": "POINT_IN_TIME_CONSISTENT"}},
        "logs at level OFF",
    ),
    variant(
        TASK_LOGS,
        "json-vs-object",
        {"options": '{"logLevel": "BASIC"}'},
        "logs at level BASIC",
    ),
    variant(
        VERIFY, "equivalent-value", {"options": {"verifyMode": "POINT_IN_TIME_CONSISTENT"}}, None
    ),
    variant(
        SFN,
        "equivalent-value",
        {"loggingConfiguration": {"level": "OFF", "logDestination": f"{LOG_GROUP_ARN}:*"}},
        "logs at level OFF",
    ),
    variant(
        SFN,
        "json-vs-object",
        {"loggingConfiguration": '{"level": "FATAL", "logDestination": "arn:lg:*"}'},
        "logs at level FATAL",
    ),
]

test_adversarial_variant = variant_tests(CASES, VARIANTS)


def test_missing_logging_configuration_reports_both_gaps(pack: PackClient) -> None:
    """A state machine without logging has neither a level nor a destination."""
    machine = FakeResource("aws:sfn/stateMachine:StateMachine", "m", {"definition": "{}"})
    found = hits(pack.analyze(machine), "sfn-state-machine-logging")
    assert len(found) == 2


def test_basic_log_level_can_be_allowed(pack: PackClient) -> None:
    """allowedLogLevels can accept BASIC for tasks whose file lists are not needed."""
    pack.configure({DATASYNC_LOGGING: {"allowedLogLevels": ["BASIC", "TRANSFER"]}})
    task = FakeResource(TASK, "t", {**TASK_PROPS, "options": {"logLevel": "BASIC"}})
    assert hits(pack.analyze(task), DATASYNC_LOGGING) == []


def test_retention_range_is_configurable(pack: PackClient) -> None:
    """minRetentionDays and maxRetentionDays bound the accepted retention."""
    pack.configure({RETENTION: {"minRetentionDays": 1, "maxRetentionDays": 30}})
    group = FakeResource("aws:cloudwatch/logGroup:LogGroup", "g", {"retentionInDays": 365})
    assert ["outside 1..30" in m for _, _, m in hits(pack.analyze(group), RETENTION)] == [True]
