"""Sync workflow and metadata store under mocks: logging, tracing, least privilege, PITR, KMS."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from components.lab.metadata_store import LabMetadataStore
from components.lab.sync_workflow import LabSyncWorkflow, LabSyncWorkflowArgs
from tests.support.harness import Registered, json_input, record

KEY = "arn:aws:kms:ap-south-1:111122223333:key/abc"
ARGS: LabSyncWorkflowArgs = {
    "table_name": "lab-metadata",
    "table_arn": "arn:aws:dynamodb:ap-south-1:111122223333:table/lab-metadata",
    "kms_key_arn": KEY,
    "alerts_topic_arn": "arn:aws:sns:ap-south-1:111122223333:alerts",
    "log_retention_days": 90,
    "eln_endpoint": "https://eln.example.org/hooks",
    "eln_api_key_secret_arn": "arn:aws:secretsmanager:ap-south-1:111122223333:secret:eln-Ab1",
}
MACHINE = "aws:sfn/stateMachine:StateMachine"
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
"""How the Pulumi wire protocol marks a secret value."""


def _run(factory: Callable[[], object]) -> Registered:
    """Record what `factory` registers (record() wants a builder that returns None)."""

    def build() -> None:
        factory()

    return record(build)


@pytest.fixture(scope="module")
def registered() -> Registered:
    """The workflow with an ELN and the metadata store it writes."""

    def build() -> None:
        LabSyncWorkflow("lab-sync", ARGS)
        LabMetadataStore("lab-metadata", {"kms_key_arn": KEY})

    return record(build)


def _statements(registered: Registered) -> dict[str, dict[str, Any]]:
    policy = json_input(registered.one("aws:iam/rolePolicy:RolePolicy"), "policy")
    return {statement["Sid"]: statement for statement in policy["Statement"]}


def test_state_machine_is_standard(registered: Registered) -> None:
    """STANDARD type: exactly-once steps and a 90-day execution history."""
    assert registered.one(MACHINE).inputs["type"] == "STANDARD"


def test_logging_is_all_without_execution_data(registered: Registered) -> None:
    """Every event is logged but payloads (lab metadata) are not."""
    logging = registered.one(MACHINE).inputs["loggingConfiguration"]
    assert logging["level"] == "ALL"
    assert logging["includeExecutionData"] is False
    assert logging["logDestination"].endswith(":*")


def test_tracing_is_on(registered: Registered) -> None:
    """X-Ray tracing is enabled."""
    assert registered.one(MACHINE).inputs["tracingConfiguration"]["enabled"] is True


def test_log_group_has_retention_and_kms(registered: Registered) -> None:
    """The execution log group keeps 90 days and is encrypted with the platform key."""
    group = registered.one("aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["retentionInDays"] == 90
    assert group.inputs["kmsKeyId"] == KEY


def test_rendered_definition_uses_the_resolved_resources(registered: Registered) -> None:
    """The deployed definition names the table, the bus and the ELN connection."""
    states = json_input(registered.one(MACHINE), "definition")["States"]
    assert states["RegisterDataset"]["Parameters"]["TableName"] == "lab-metadata"
    bus = states["PublishMetadataEvent"]["Parameters"]["Entries"][0]["EventBusName"]
    assert bus.startswith("arn:aws:events:ap-south-1:")
    connection = states["NotifyEln"]["Parameters"]["Authentication"]["ConnectionArn"]
    assert connection.startswith("arn:aws:events:ap-south-1:111122223333:connection/")


def test_role_writes_only_the_table_bus_and_topic(registered: Registered) -> None:
    """Data actions name exact resources; no wildcard actions anywhere."""
    statements = _statements(registered)
    assert statements["WriteMetadataStore"]["Resource"] == [ARGS["table_arn"]]
    assert statements["PublishAlerts"]["Resource"] == [ARGS["alerts_topic_arn"]]
    assert all("*" not in action for s in statements.values() for action in s["Action"])


def test_eln_calls_are_limited_to_post_on_the_endpoint(registered: Registered) -> None:
    """InvokeHTTPEndpoint is conditioned on POST and the configured ELN URL."""
    condition = _statements(registered)["CallElnOnly"]["Condition"]
    assert condition["StringEquals"] == {"states:HTTPMethod": "POST"}
    assert condition["StringLike"] == {"states:HTTPEndpoint": ARGS["eln_endpoint"]}


def test_eln_connection_uses_api_key_from_the_secret(registered: Registered) -> None:
    """The connection is API_KEY auth, encrypted with the platform key, value a secret."""
    connection = registered.one("aws:cloudwatch/eventConnection:EventConnection")
    assert connection.inputs["authorizationType"] == "API_KEY"
    assert connection.inputs["kmsKeyIdentifier"] == KEY
    api_key = connection.inputs["authParameters"]["apiKey"]["value"]
    assert SECRET_SIGNATURE in json.dumps(api_key)


def test_trust_is_pinned_to_the_account_and_machine(registered: Registered) -> None:
    """Only states.amazonaws.com for this account and this state machine may assume the role."""
    trust = json_input(registered.one("aws:iam/role:Role"), "assumeRolePolicy")
    condition = trust["Statement"][0]["Condition"]
    assert condition["StringEquals"] == {"aws:SourceAccount": "111122223333"}
    assert condition["ArnLike"]["aws:SourceArn"].endswith(":stateMachine:lab-sync")


def test_eln_endpoint_without_secret_is_refused() -> None:
    """An ELN URL alone names the missing secret input."""
    args: LabSyncWorkflowArgs = {**ARGS, "eln_api_key_secret_arn": ""}
    with pytest.raises(ValueError, match="eln_api_key_secret_arn is required"):
        _run(lambda: LabSyncWorkflow("lab-sync", args))


def test_table_is_on_demand_with_pitr_and_kms(registered: Registered) -> None:
    """PAY_PER_REQUEST, point-in-time recovery and SSE with the customer-managed key."""
    table = registered.one("aws:dynamodb/table:Table").inputs
    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert table["pointInTimeRecovery"]["enabled"] is True
    assert table["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": KEY}
    assert table["deletionProtectionEnabled"] is True


def test_table_keys_serve_the_api_queries(registered: Registered) -> None:
    """pk/sk single table with a by-project index on (project, createdAt)."""
    table = registered.one("aws:dynamodb/table:Table").inputs
    assert (table["hashKey"], table["rangeKey"]) == ("pk", "sk")
    (index,) = table["globalSecondaryIndexes"]
    keys = {k["attributeName"]: k["keyType"] for k in index["keySchemas"]}
    assert keys == {"project": "HASH", "createdAt": "RANGE"}
