"""The starter's Lambda handler on moto DataSync and SNS."""

from __future__ import annotations

import json

import boto3
import pytest

from functions.common.events import MalformedEventError
from functions.start_transfer.core import TransferStartError
from tests.functions.common.lambda_env import (
    REGION,
    FakeLambdaContext,
    emf_metrics,
    import_handler,
    sns_messages,
)

pytestmark = pytest.mark.moto

HANDLER = "functions.start_transfer.handler"
ROLE = "arn:aws:iam::123456789012:role/datasync"
SCHEDULER_EVENT: dict[str, object] = {}


@pytest.fixture
def setup(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    """Two DataSync tasks and the topic, with the environment the program would set."""
    datasync = boto3.client("datasync", region_name=REGION)
    tasks = []
    for name in ("raw-sequence", "processed-genome"):
        source = datasync.create_location_s3(
            S3BucketArn="arn:aws:s3:::gen-test-staging", S3Config={"BucketAccessRoleArn": ROLE}
        )["LocationArn"]
        destination = datasync.create_location_s3(
            S3BucketArn=f"arn:aws:s3:::gen-test-{name}", S3Config={"BucketAccessRoleArn": ROLE}
        )["LocationArn"]
        tasks.append(
            datasync.create_task(
                SourceLocationArn=source, DestinationLocationArn=destination, Name=name
            )["TaskArn"]
        )
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="transfers")["TopicArn"]
    monkeypatch.setenv("TASK_ARNS", json.dumps(tasks))
    monkeypatch.setenv("TOPIC_ARN", topic)
    return tasks, topic


def test_tasks_are_started_and_announced(
    setup: tuple[list[str], str],
    lambda_context: FakeLambdaContext,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every task gets an execution; SNS hears 'transfer started' with names and ARNs."""
    tasks, topic = setup
    result = import_handler(HANDLER).lambda_handler(SCHEDULER_EVENT, lambda_context)
    started = result["started"]
    assert isinstance(started, list)
    assert [s["taskArn"] for s in started] == tasks
    [(subject, message)] = sns_messages(topic)
    assert subject == "Transfer started: 2 started, 0 skipped, 0 failed"
    assert "raw-sequence: started arn:aws:datasync:" in message
    assert emf_metrics(capsys.readouterr().out)["TransfersStarted"] == 2


def test_running_task_is_skipped_on_the_next_run(
    setup: tuple[list[str], str], lambda_context: FakeLambdaContext
) -> None:
    """The second firing finds both executions still running and skips them without failing."""
    _, topic = setup
    handler = import_handler(HANDLER)
    handler.lambda_handler(SCHEDULER_EVENT, lambda_context)
    result = handler.lambda_handler(SCHEDULER_EVENT, lambda_context)
    assert result["started"] == []
    skipped = result["skipped"]
    assert isinstance(skipped, list)
    assert len(skipped) == 2
    assert sns_messages(topic)[1][0] == "Transfer started: 0 started, 2 skipped, 0 failed"


def test_missing_task_fails_after_the_others_started(
    setup: tuple[list[str], str], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A configured task DataSync does not know fails the run after the other one started."""
    tasks, topic = setup
    ghost = tasks[0][:-3] + "fff"
    monkeypatch.setenv("TASK_ARNS", json.dumps([ghost, tasks[1]]))
    with pytest.raises(TransferStartError, match=ghost):
        import_handler(HANDLER).lambda_handler(SCHEDULER_EVENT, lambda_context)
    [(subject, _)] = sns_messages(topic)
    assert subject == "Transfer start FAILED for some tasks: 1 started, 0 skipped, 1 failed"


def test_malformed_event_names_the_field(
    setup: tuple[list[str], str], lambda_context: FakeLambdaContext
) -> None:
    """A selection that is not a list of configured tasks fails naming `taskArns`."""
    with pytest.raises(MalformedEventError, match="taskArns"):
        import_handler(HANDLER).lambda_handler({"taskArns": "all"}, lambda_context)
