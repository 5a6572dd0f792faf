"""Transfer under mocks: DataSync safety options, start/finish wiring, least privilege, env."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.transfer.transfer import Transfer, TransferArgs, tagger_role_name
from contracts.taxonomy import CATEGORIES
from functions.object_tagger.config import load_config as load_tagger_config
from functions.start_transfer.config import load_config as load_start_config
from functions.tag_audit.config import load_config as load_audit_config
from tests.support.harness import Registered, json_input, record

ACCOUNT = "111122223333"
REGION = "ap-south-1"
BUCKETS = {c.name: {REGION: f"gen-test-{c.bucket_slug}"} for c in CATEGORIES}
ARGS: TransferArgs = {
    "name_prefix": "gen-test",
    "environment": "dev",
    "region": REGION,
    "projects": ["p1", "p10"],
    "bucket_names": BUCKETS,
    "transfer_reports_bucket": "gen-test-transfer-reports",
    "data_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/data",
    "log_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/logs",
    "log_retention_days": 90,
    "file_system_arn": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/fs-1",
    "projects_access_point_arn": (
        f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:access-point/fsap-projects"
    ),
    "subnet_id": "subnet-0abc",
    "security_group_ids": ["sg-0client"],
    "transfers_topic_arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:gen-test-transfers",
    "reports_topic_arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:gen-test-reports",
    "transfer_times": ["10:00", "22:00"],
    "time_zone": "Asia/Kolkata",
    "tag_audit_time": "06:00",
    "bandwidth_mibps": 200,
}
TASK = "aws:datasync/task:Task"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
SCHEDULE = "aws:scheduler/schedule:Schedule"
FUNCTION = "aws:lambda/function:Function"


@pytest.fixture(scope="module")
def registered() -> Registered:
    """One Transfer with the default destinations (raw and processed)."""

    def build() -> None:
        Transfer("transfer", ARGS)

    return record(build)


def _env(registered: Registered, function_name: str) -> dict[str, str]:
    function = next(r for r in registered.of_type(FUNCTION) if r.inputs["name"] == function_name)
    variables: dict[str, str] = function.inputs["environment"]["variables"]
    return variables


def _statements(registered: Registered, role_name: str) -> list[dict[str, Any]]:
    policy = registered.named(f"{role_name}-policy")
    statements: list[dict[str, Any]] = json_input(policy, "policy")["Statement"]
    return statements


def test_efs_location_uses_tls_and_projects_access_point(registered: Registered) -> None:
    """DataSync mounts EFS over TLS 1.2 through the projects access point, at its root."""
    location = registered.one("aws:datasync/efsLocation:EfsLocation").inputs
    assert location["inTransitEncryption"] == "TLS1_2"
    assert location["accessPointArn"] == ARGS["projects_access_point_arn"]
    assert location["subdirectory"] == "/"
    assert location["ec2Config"]["subnetArn"].endswith(":subnet/subnet-0abc")


def test_s3_locations_write_under_projects(registered: Registered) -> None:
    """One S3 location per destination, keys starting with projects/."""
    locations = registered.of_type("aws:datasync/s3Location:S3Location")
    assert {loc.inputs["s3BucketArn"] for loc in locations} == {
        "arn:aws:s3:::gen-test-raw-sequence",
        "arn:aws:s3:::gen-test-processed-genome",
    }
    assert {loc.inputs["subdirectory"] for loc in locations} == {"/projects"}


def test_tasks_verify_log_and_filter(registered: Registered) -> None:
    """Every task verifies, logs transfers, caps bandwidth, skips scratch, includes its area."""
    tasks = registered.of_type(TASK)
    assert len(tasks) == 2
    includes = set()
    for task in tasks:
        options = task.inputs["options"]
        assert options["verifyMode"] != "NONE"
        assert options["logLevel"] == "TRANSFER"
        assert options["bytesPerSecond"] == 200 * 1024 * 1024
        assert task.inputs["excludes"]["value"] == "*/scratch"
        assert task.inputs["cloudwatchLogGroupArn"]
        includes.add(task.inputs["includes"]["value"])
    # One pattern per project's workspace area, no wildcard (DataSync include patterns may
    # hold `*` only as their last character).
    assert includes == {
        "/p1/workspace/raw|/p10/workspace/raw",
        "/p1/workspace/processed|/p10/workspace/processed",
    }


def test_task_reports_go_to_transfer_reports_bucket(registered: Registered) -> None:
    """Task reports (successes and errors) land in the transfer-reports bucket."""
    for task in registered.of_type(TASK):
        report = task.inputs["taskReportConfig"]
        assert report["s3Destination"]["s3BucketArn"] == "arn:aws:s3:::gen-test-transfer-reports"
        assert report["s3Destination"]["bucketAccessRoleArn"]
        assert report["outputType"] == "STANDARD"
        assert report["reportLevel"] == "SUCCESSES_AND_ERRORS"


def test_bucket_access_roles_are_least_privilege(registered: Registered) -> None:
    """DataSync bucket roles name exact S3 actions and use KMS only through S3."""
    for role in ("raw-sequence-role", "processed-genome-role", "reports-role"):
        statements = _statements(registered, f"transfer-{role}")
        actions = [a for s in statements for a in s["Action"]]
        assert not [a for a in actions if "*" in a]
        kms = next(s for s in statements if s["Sid"] == "EncryptThroughS3")
        assert kms["Condition"]["StringEquals"]["kms:ViaService"] == "s3.ap-south-1.amazonaws.com"
        trust = json_input(registered.named(f"transfer-{role}"), "assumeRolePolicy")
        assert trust["Statement"][0]["Principal"] == {"Service": "datasync.amazonaws.com"}
        assert "aws:SourceAccount" in trust["Statement"][0]["Condition"]["StringEquals"]


def test_success_rule_targets_tagger(registered: Registered) -> None:
    """Only SUCCESS of our tasks invokes the tagger, and Lambda lets that rule do it."""
    rule = registered.named("transfer-succeeded")
    pattern = json_input(rule, "eventPattern")
    assert pattern["detail"] == {"State": ["SUCCESS"]}
    assert pattern["source"] == ["aws.datasync"]
    task_arns = set(json.loads(_env(registered, "gen-test-start-transfer")["TASK_ARNS"]))
    assert len(task_arns) == 2
    assert {p["prefix"] for p in pattern["resources"]} == task_arns
    target = registered.named("transfer-succeeded-tag")
    assert target.inputs["arn"].endswith(":gen-test-object-tagger")
    permission = registered.named("transfer-tagger-allow-events")
    assert permission.inputs["principal"] == "events.amazonaws.com"


def test_finished_rule_notifies_transfers_topic(registered: Registered) -> None:
    """SUCCESS and ERROR go to the transfers topic as a sentence, not raw JSON."""
    pattern = json_input(registered.named("transfer-finished"), "eventPattern")
    assert pattern["detail"] == {"State": ["SUCCESS", "ERROR"]}
    assert pattern["detail-type"] == ["DataSync Task Execution State Change"]
    target = registered.named("transfer-finished-notify")
    assert target.inputs["arn"] == ARGS["transfers_topic_arn"]
    assert "<state>" in target.inputs["inputTransformer"]["inputTemplate"]


def test_schedules_use_time_zone(registered: Registered) -> None:
    """One schedule per transfer time plus the audit, all in the configured zone."""
    schedules = {s.inputs["name"]: s.inputs for s in registered.of_type(SCHEDULE)}
    assert set(schedules) == {
        "gen-test-transfer-1000",
        "gen-test-transfer-2200",
        "gen-test-tag-audit",
    }
    assert {s["scheduleExpressionTimezone"] for s in schedules.values()} == {"Asia/Kolkata"}
    assert schedules["gen-test-transfer-2200"]["scheduleExpression"] == "cron(0 22 * * ? *)"
    assert schedules["gen-test-tag-audit"]["target"]["arn"].endswith(":gen-test-tag-audit")
    start = _statements(registered, "transfer-start-scheduler")
    assert start[0]["Action"] == ["lambda:InvokeFunction"]
    assert [r.split(":")[-1] for r in start[0]["Resource"]] == ["gen-test-start-transfer"]


def test_functions_environment_parses(registered: Registered) -> None:
    """Each function's recorded environment satisfies its own config parser."""
    tagger = load_tagger_config(_env(registered, "gen-test-object-tagger"))
    # Every category: lab datasets land in the reference and variant-call buckets too.
    assert set(tagger.bucket_categories) == {f"gen-test-{c.bucket_slug}" for c in CATEGORIES}
    assert tagger.task_report_bucket == "gen-test-transfer-reports"
    audit = load_audit_config(_env(registered, "gen-test-tag-audit"))
    assert len(audit.bucket_categories) == len(CATEGORIES)
    start = load_start_config(_env(registered, "gen-test-start-transfer"))
    assert len(start.task_arns) == len(registered.of_type(TASK))


def test_tagger_role_name_matches_function_role(registered: Registered) -> None:
    """The role named by `tagger_role_name` is the tagger's execution role."""
    roles = {r.inputs["name"] for r in registered.of_type("aws:iam/role:Role")}
    assert tagger_role_name("gen-test") in roles


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"transfer_times": []}, "transfer_times is empty"),
        ({"transfer_times": ["25:00"]}, "HH:MM"),
        ({"destinations": {"nope": "raw"}}, "destinations"),
        ({"log_retention_days": 42}, "log_retention_days"),
        ({"security_group_ids": []}, "security_group_ids"),
        # The lake refuses these prefixes for its bucket names; the transfer must agree.
        ({"name_prefix": "gen-prod-"}, "name_prefix"),
        ({"name_prefix": "g" * 33}, "name_prefix"),
    ],
)
def test_bad_args_are_refused(change: dict[str, Any], message: str) -> None:
    """Bad Args fail before any resource, with the field's name."""
    args: Any = {**ARGS, **change}

    def build() -> None:
        Transfer("transfer", args)

    with pytest.raises(Exception, match=message):
        record(build)


def test_no_fan_out_without_threshold(registered: Registered) -> None:
    """Without fan_out_threshold there is no state machine and no fan-out variable."""
    assert registered.of_type("aws:sfn/stateMachine:StateMachine") == []
    assert "FAN_OUT_THRESHOLD" not in _env(registered, "gen-test-object-tagger")


@pytest.fixture(scope="module")
def with_lab_bus() -> Registered:
    """A Transfer subscribed to a lab event bus."""

    def build() -> None:
        Transfer("transfer", {**ARGS, "lab_event_bus_name": "gen-test-lab-events"})

    return record(build)


def test_lab_dataset_rule_on_the_lab_bus_targets_tagger(with_lab_bus: Registered) -> None:
    """`Dataset Prefix Associated` from genomics.lab on the lab bus invokes the tagger, and
    Lambda lets only that rule do it."""
    rule = with_lab_bus.named("transfer-lab-dataset")
    assert rule.inputs["eventBusName"] == "gen-test-lab-events"
    assert json_input(rule, "eventPattern") == {
        "source": ["genomics.lab"],
        "detail-type": ["Dataset Prefix Associated"],
    }
    target = with_lab_bus.named("transfer-lab-dataset-tag")
    assert target.inputs["eventBusName"] == "gen-test-lab-events"
    assert target.inputs["arn"].endswith(":gen-test-object-tagger")
    permission = with_lab_bus.named("transfer-tagger-allow-lab-events")
    assert permission.inputs["principal"] == "events.amazonaws.com"
    assert permission.inputs["sourceArn"].endswith("gen-test-lab-dataset-prefix")
    assert permission.urn in target.dependencies


def test_no_lab_rule_without_a_lab_bus(registered: Registered) -> None:
    """Without lab_event_bus_name there is no lab rule and no second invoke permission."""
    assert [r.name for r in registered.of_type(RULE) if "lab" in r.name] == []
    assert [r for r in registered.resources if r.name == "transfer-tagger-allow-lab-events"] == []
