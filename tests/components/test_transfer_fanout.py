"""The fan-out state machine: a validated Distributed Map over S3 listings, least privilege."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.blocks.state_machine import DefinitionError, problems
from components.transfer.fanout import (
    FANOUT_RESULT_PREFIX,
    MAX_ITEMS_PER_BATCH,
    FanOutRefs,
    fanout_definition,
)
from components.transfer.transfer import Transfer
from tests.components.test_transfer import ARGS, _env
from tests.support.harness import Registered, json_input, record

REFS = FanOutRefs(
    environment="dev",
    tagger_function_arn="arn:aws:lambda:ap-south-1:111122223333:function:gen-test-object-tagger",
    audit_function_arn="arn:aws:lambda:ap-south-1:111122223333:function:gen-test-tag-audit",
    reports_bucket="gen-test-transfer-reports",
    transfers_topic_arn="arn:aws:sns:ap-south-1:111122223333:gen-test-transfers",
    reports_topic_arn="arn:aws:sns:ap-south-1:111122223333:gen-test-reports",
    max_concurrency=7,
)
MACHINE = "aws:sfn/stateMachine:StateMachine"


@pytest.fixture(scope="module")
def registered() -> Registered:
    """A Transfer with the fan-out switched on."""

    def build() -> None:
        Transfer("transfer", {**ARGS, "fan_out_threshold": 5000, "fan_out_max_concurrency": 7})

    return record(build)


def _map(mode: str) -> dict[str, Any]:
    states: dict[str, Any] = fanout_definition(REFS).render()["States"]
    return dict(states[f"{mode.capitalize()}Objects"])


def test_definition_validates() -> None:
    """The definition has no structural problem (nested child workflow included)."""
    assert problems(fanout_definition(REFS)) == []


def test_map_reads_the_s3_listing_from_the_input() -> None:
    """ItemReader is listObjectsV2 over the input's bucket and prefix."""
    reader = _map("tag")["ItemReader"]
    assert reader["Resource"] == "arn:aws:states:::s3:listObjectsV2"
    assert reader["Parameters"] == {"Bucket.$": "$.bucket", "Prefix.$": "$.prefix"}


def test_map_is_distributed_express_and_batched() -> None:
    """Batches of 1000 carry bucket, mode and environment to EXPRESS child workflows."""
    state = _map("tag")
    assert state["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "EXPRESS",
    }
    batcher = state["ItemBatcher"]
    assert batcher["MaxItemsPerBatch"] == MAX_ITEMS_PER_BATCH
    assert batcher["BatchInput"]["mode"] == "tag"
    assert batcher["BatchInput"]["environment"] == "dev"
    assert batcher["BatchInput"]["bucket.$"] == "$.bucket"
    assert state["MaxConcurrency"] == 7


def test_tagging_tolerates_no_failure_and_writes_results() -> None:
    """Tagging fails the run on any failed batch; results go to the reports bucket."""
    state = _map("tag")
    assert state["ToleratedFailurePercentage"] == 0
    assert state["ResultWriter"]["Resource"] == "arn:aws:states:::s3:putObject"
    assert state["ResultWriter"]["Parameters"] == {
        "Bucket": REFS.reports_bucket,
        "Prefix": f"{FANOUT_RESULT_PREFIX}/tag",
    }


def test_batch_task_invokes_lambda_with_retry_and_catch() -> None:
    """The child Task invokes the function with the batch, retries throttling, catches the rest."""
    processor = _map("audit")["ItemProcessor"]
    task = processor["States"][processor["StartAt"]]
    assert task["Resource"] == "arn:aws:states:::lambda:invoke"
    assert task["Parameters"]["FunctionName"] == REFS.audit_function_arn
    assert "Lambda.TooManyRequestsException" in task["Retry"][0]["ErrorEquals"]
    assert task["Catch"][0]["ErrorEquals"] == ["States.ALL"]
    assert task["TimeoutSeconds"] < 300


def test_run_ends_with_one_sns_summary() -> None:
    """After the Map, one optimized sns:publish names the result location."""
    states = fanout_definition(REFS).render()["States"]
    assert states["TagObjects"]["Next"] == "NotifyTagDone"
    notify = states["NotifyTagDone"]
    assert notify["Resource"] == "arn:aws:states:::sns:publish"
    assert notify["Parameters"]["TopicArn"] == REFS.transfers_topic_arn
    assert "ResultWriterDetails" in notify["Parameters"]["Message.$"]


def test_map_without_bucket_is_refused() -> None:
    """A listObjectsV2 reader without Bucket is a DefinitionError."""
    from dataclasses import replace

    from components.blocks.state_machine import DistributedMap, ItemReader, validate

    definition = fanout_definition(REFS)
    state = definition.states["TagObjects"]
    assert isinstance(state, DistributedMap)
    broken = replace(state, item_reader=ItemReader({"Prefix": "x"}))
    with pytest.raises(DefinitionError, match="Bucket"):
        validate(replace(definition, states={**definition.states, "TagObjects": broken}))


def test_state_machine_logs_all_without_data_and_traces(registered: Registered) -> None:
    """STANDARD, logging ALL without execution data to an encrypted log group, X-Ray on."""
    machine = registered.one(MACHINE).inputs
    assert machine["type"] == "STANDARD"
    assert machine["name"] == "gen-test-transfer-fanout"
    assert machine["loggingConfiguration"]["level"] == "ALL"
    assert machine["loggingConfiguration"]["includeExecutionData"] is False
    assert machine["tracingConfiguration"]["enabled"] is True
    group = registered.named("transfer-fanout-logs").inputs
    assert group["retentionInDays"] == 90
    assert group["kmsKeyId"] == ARGS["log_key_arn"]
    assert json.loads(machine["definition"])["States"]["TagObjects"]["Type"] == "Map"


def test_role_is_least_privilege(registered: Registered) -> None:
    """No wildcard action; data buckets only listed; child executions of itself only."""
    statements = json_input(registered.named("transfer-fanout-role-policy"), "policy")["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    assert all("*" not in action for s in statements for action in s["Action"])
    assert by_sid["ListDataBuckets"]["Action"] == ["s3:ListBucket"]
    assert all(not r.endswith("/*") for r in by_sid["ListDataBuckets"]["Resource"])
    assert by_sid["StartChildWorkflows"]["Resource"] == [
        "arn:aws:states:ap-south-1:111122223333:stateMachine:gen-test-transfer-fanout"
    ]
    assert by_sid["ManageChildWorkflows"]["Resource"] == [
        "arn:aws:states:ap-south-1:111122223333:execution:gen-test-transfer-fanout/*"
    ]
    assert by_sid["WriteMapRunResults"]["Resource"] == [
        "arn:aws:s3:::gen-test-transfer-reports/fanout/*"
    ]
    assert sorted(by_sid["InvokeBatchFunctions"]["Resource"])[0].endswith("object-tagger")
    wildcard_resources = {s["Sid"] for s in statements if "*" in s["Resource"]}
    assert wildcard_resources == {"DeliverLogs", "WriteTraces"}


def test_functions_get_the_switch(registered: Registered) -> None:
    """Tagger and audit get the threshold and ARN, may start it, and have room for batches."""
    for function in ("gen-test-object-tagger", "gen-test-tag-audit"):
        env = _env(registered, function)
        assert env["FAN_OUT_THRESHOLD"] == "5000"
        assert env["FAN_OUT_STATE_MACHINE_ARN"].endswith(":stateMachine:gen-test-transfer-fanout")
    tagger = next(
        r
        for r in registered.of_type("aws:lambda/function:Function")
        if r.inputs["name"] == "gen-test-object-tagger"
    )
    assert tagger.inputs["reservedConcurrentExecutions"] == 8
    for policy in ("transfer-tagger-policy", "transfer-audit-policy"):
        role = json_input(registered.named(policy), "policy")
        start = next(s for s in role["Statement"] if s.get("Sid") == "StartFanOut")
        assert start["Action"] == ["states:StartExecution"]
        assert start["Resource"][0].endswith(":stateMachine:gen-test-transfer-fanout")
    audit = json_input(registered.named("transfer-audit-policy"), "policy")["Statement"]
    counts = next(s for s in audit if s.get("Sid") == "ReadBucketObjectCounts")
    assert counts["Action"] == ["cloudwatch:GetMetricStatistics"]


def test_bad_concurrency_is_refused() -> None:
    """A Map concurrency outside 1-1000 is refused at construction."""

    def build() -> None:
        Transfer("t", {**ARGS, "fan_out_threshold": 10, "fan_out_max_concurrency": 0})

    with pytest.raises(ValueError, match="fan_out_max_concurrency"):
        record(build)
