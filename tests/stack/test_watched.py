"""The whole rendered stack: nothing that can fail goes unwatched, and alarms can fire.

These run the real program (as `make preview` does) and join resources by what they reference,
so a function, queue or vault added anywhere in the program is covered without the test or the
composition layer listing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from tests.support.stack import rendered_run
from tools.preview.program import ProgramRun, RecordedResource, run_program
from tools.preview.stack_config import load_stack_config

ROOT = Path(__file__).resolve().parents[2]
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
FUNCTION = "aws:lambda/function:Function"
QUEUE = "aws:sqs/queue:Queue"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
VAULT = "aws:backup/vault:Vault"
PRIMARY = "ap-south-1"


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    """The prod program, run once per session as the preview runs it."""
    return rendered_run("prod")


def _of_type(run: ProgramRun, type_: str) -> list[RecordedResource]:
    return [r for r in run.resources if r.type == type_]


def _alarms(run: ProgramRun) -> list[dict[str, Any]]:
    return [r.inputs for r in _of_type(run, ALARM)]


def _watched(run: ProgramRun, namespace: str, metric: str, dimension: str) -> set[str]:
    return {
        a["dimensions"][dimension]
        for a in _alarms(run)
        if a.get("namespace") == namespace
        and a.get("metricName") == metric
        and dimension in a.get("dimensions", {})
    }


def test_every_function_has_errors_and_throttles_alarms(prod: ProgramRun) -> None:
    """Each aws:lambda Function of the stack is named by an Errors and a Throttles alarm."""
    functions = {r.inputs["name"] for r in _of_type(prod, FUNCTION)}
    assert {"gen-prod-ebs-reaper", "gen-prod-ec2-scheduler", "gen-prod-scratch-cleanup"} <= (
        functions
    )
    for metric in ("Errors", "Throttles"):
        missing = functions - _watched(prod, "AWS/Lambda", metric, "FunctionName")
        assert not missing, f"functions without a {metric} alarm: {sorted(missing)}"


def test_every_dead_letter_queue_has_a_depth_alarm(prod: ProgramRun) -> None:
    """Each queue a function's failure destination points at has a visible-messages alarm."""
    queues_by_urn = {r.urn: r.inputs["name"] for r in _of_type(prod, QUEUE)}
    dead_letter = {
        queues_by_urn[urn]
        for config in _of_type(prod, INVOKE_CONFIG)
        for urn in config.property_dependencies.get("destinationConfig", [])
        if urn in queues_by_urn
    }
    assert len(dead_letter) == len(_of_type(prod, FUNCTION))
    missing = dead_letter - _watched(
        prod, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName"
    )
    assert not missing, f"dead-letter queues without a depth alarm: {sorted(missing)}"


def _region_of_arn(arn: str) -> str:
    return arn.split(":")[3]


def test_vault_alarms_live_in_the_vaults_region_and_notify_a_topic_there(
    prod: ProgramRun,
) -> None:
    """An alarm on a vault's metrics sits in the vault's region; its actions are SNS topics of
    that same region (CloudWatch alarms and their metrics are regional)."""
    vaults = {r.inputs["name"]: r.inputs.get("region", PRIMARY) for r in _of_type(prod, VAULT)}
    assert "ap-south-2" in vaults.values()
    checked = 0
    for alarm in _alarms(prod):
        queried = " ".join(q.get("expression", "") for q in alarm.get("metricQueries", []))
        for vault, region in vaults.items():
            if f"BackupVaultName = '{vault}'" in queried:
                checked += 1
                assert alarm.get("region", PRIMARY) == region, alarm["name"]
                actions = alarm["alarmActions"] + alarm["okActions"]
                assert {_region_of_arn(a) for a in actions} == {region}, alarm["name"]
    assert checked == 2 * len(vaults)


def test_every_alarm_notifies_a_topic_of_its_own_region(prod: ProgramRun) -> None:
    """No alarm anywhere in the stack points at a topic in another region."""
    for alarm in _alarms(prod):
        region = alarm.get("region", PRIMARY)
        for action in alarm["alarmActions"] + alarm["okActions"]:
            assert _region_of_arn(action) == region, alarm["name"]


def test_a_quota_below_the_reservations_fails_the_program(prod: ProgramRun) -> None:
    """With lambdaConcurrencyQuota below what the functions reserve plus Lambda's unreserved
    minimum of 100, the program stops with the key, the value and the fix."""
    reserved = int(
        sum(r.inputs.get("reservedConcurrentExecutions", 0) for r in _of_type(prod, FUNCTION))
    )
    needed = reserved + 100
    config = {
        **load_stack_config(ROOT, "prod"),
        "genomics:lambdaConcurrencyQuota": str(needed - 1),
    }
    with pytest.raises(pulumi.RunError) as raised:
        run_program(ROOT, "genomics", "prod", config)
    message = str(raised.value)
    assert f"genomics:lambdaConcurrencyQuota = {needed - 1}: expected at least {needed}" in message
    assert "Service Quotas" in message
    assert "pulumi config set genomics:lambdaConcurrencyQuota" in message
