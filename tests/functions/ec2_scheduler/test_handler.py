"""The scheduler's Lambda handler end to end on moto EC2 and SNS."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from tests.functions.common.lambda_env import (
    REGION,
    FakeLambdaContext,
    emf_metrics,
    import_handler,
    sns_messages,
)

pytestmark = pytest.mark.moto

HANDLER = "functions.ec2_scheduler.handler"
MOTO_AMI = "ami-12c6146b"
OPT_IN = "schedule:test-hours"
AFTER_HOURS = datetime(2026, 3, 4, 13, 35, tzinfo=UTC)
"""Wednesday 19:05 in Kolkata, five minutes after testing hours ended."""
DURING_HOURS = datetime(2026, 3, 4, 8, 30, tzinfo=UTC)
"""Wednesday 14:00 in Kolkata, inside testing hours."""


def _handler(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> Any:
    """The handler imported fresh, its clock reading `moment`. (`raising=False`: a handler
    without its own clock ignores the setting and acts whatever the time.)"""
    handler = import_handler(HANDLER)
    monkeypatch.setattr(handler, "now", lambda: moment, raising=False)
    return handler


def _launch(ec2: Any, tags: dict[str, str]) -> str:
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    response = ec2.run_instances(ImageId=MOTO_AMI, MinCount=1, MaxCount=1, TagSpecifications=spec)
    return str(response["Instances"][0]["InstanceId"])


@pytest.fixture
def fleet(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Instances covering the matrix, a topic, and the function's environment."""
    ec2 = boto3.client("ec2", region_name=REGION)
    ids = {
        "test": _launch(ec2, {OPT_IN: "true", "Name": "bwa-test"}),
        "asg": _launch(ec2, {OPT_IN: "true", "aws:autoscaling:groupName": "workers"}),
        "eks": _launch(ec2, {OPT_IN: "true", "eks:nodegroup-name": "alignment"}),
        "cluster": _launch(ec2, {OPT_IN: "true", "kubernetes.io/cluster/genomics": "owned"}),
        "keep": _launch(ec2, {OPT_IN: "true", "schedule:keep-running": "true"}),
        "off": _launch(ec2, {OPT_IN: "false"}),
        "other": _launch(ec2, {"Name": "prod-db"}),
    }
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="ops")["TopicArn"]
    monkeypatch.setenv("TOPIC_ARN", topic)
    monkeypatch.setenv("DRY_RUN", "false")
    monkeypatch.setenv("ACTION", "stop")
    monkeypatch.setenv("TIME_ZONE", "Asia/Kolkata")
    monkeypatch.setenv("TESTING_HOURS_START", "09:00")
    monkeypatch.setenv("TESTING_HOURS_END", "19:00")
    return {"ec2": ec2, "ids": ids, "topic": topic}


def _states(ec2: Any) -> dict[str, str]:
    reservations = ec2.describe_instances()["Reservations"]
    return {i["InstanceId"]: i["State"]["Name"] for r in reservations for i in r["Instances"]}


def test_only_the_plain_opted_in_instance_is_stopped(
    fleet: dict[str, Any],
    lambda_context: FakeLambdaContext,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ASG, EKS node group, cluster, keep-running, opted-out and untagged instances keep
    running; the plain test instance stops; SNS lists the skips with reasons."""
    ec2, ids = fleet["ec2"], fleet["ids"]
    result = _handler(monkeypatch, AFTER_HOURS).lambda_handler({"action": "stop"}, lambda_context)
    states = _states(ec2)
    assert states[ids["test"]] == "stopped"
    assert all(
        states[ids[k]] == "running" for k in ("asg", "eks", "cluster", "keep", "off", "other")
    )
    assert result["stopped"] == [ids["test"]]
    [(subject, message)] = sns_messages(fleet["topic"])
    assert subject == "EC2 test hours stop: 1 stopped, 5 skipped"
    assert "Auto Scaling group" in message
    assert "EKS node group" in message
    assert emf_metrics(capsys.readouterr().out)["InstancesActedOn"] == 1


def test_dry_run_stops_nothing(
    fleet: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DRY_RUN=true leaves every instance running and reports the would-be stop."""
    monkeypatch.setenv("DRY_RUN", "true")
    result = _handler(monkeypatch, AFTER_HOURS).lambda_handler({}, lambda_context)
    assert set(_states(fleet["ec2"]).values()) == {"running"}
    assert result["wouldBeStopped"] == [fleet["ids"]["test"]]


def test_morning_event_starts_what_the_evening_stopped(
    fleet: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event's `start` wins over ACTION=stop and starts the stopped test instance only."""
    ec2, ids = fleet["ec2"], fleet["ids"]
    ec2.stop_instances(InstanceIds=[ids["test"], ids["asg"]])
    result = _handler(monkeypatch, DURING_HOURS).lambda_handler({"action": "start"}, lambda_context)
    states = _states(ec2)
    assert states[ids["test"]] == "running"
    assert states[ids["asg"]] == "stopped"
    assert result["started"] == [ids["test"]]


def test_late_or_manual_stop_inside_testing_hours_is_refused(
    fleet: dict[str, Any],
    lambda_context: FakeLambdaContext,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A `stop` event arriving at 14:00 on a Wednesday (sent by hand, or late) stops nothing:
    the function checks the clock itself, says REFUSED on SNS and counts StopsRefused."""
    result = _handler(monkeypatch, DURING_HOURS).lambda_handler({"action": "stop"}, lambda_context)
    assert set(_states(fleet["ec2"]).values()) == {"running"}
    assert result["stopped"] == []
    assert result["refused"] == "Wed 14:00 Asia/Kolkata; testing hours are Mon-Fri 09:00-19:00"
    [(subject, message)] = sns_messages(fleet["topic"])
    assert subject == "EC2 test hours stop REFUSED: inside testing hours"
    assert '"force": true' in message
    assert emf_metrics(capsys.readouterr().out)["StopsRefused"] == 1


def test_forced_stop_inside_testing_hours_stops_and_is_logged(
    fleet: dict[str, Any],
    lambda_context: FakeLambdaContext,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`{"action": "stop", "force": true}` stops inside testing hours; the log carries a
    warning and SNS says FORCED."""
    handler = _handler(monkeypatch, DURING_HOURS)
    result = handler.lambda_handler({"action": "stop", "force": True}, lambda_context)
    assert result["stopped"] == [fleet["ids"]["test"]]
    assert _states(fleet["ec2"])[fleet["ids"]["test"]] == "stopped"
    out = capsys.readouterr().out
    assert '"level":"WARNING"' in out
    assert "stop FORCED inside testing hours" in out
    assert "FORCED" in (sns_messages(fleet["topic"])[0][0] or "")
