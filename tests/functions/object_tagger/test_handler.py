"""The tagger's Lambda handler end to end on moto: S3, DataSync and SNS as the program wires;
DataSync state changes, lab `Dataset Prefix Associated` events and Distributed Map batches."""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from functions.common.config import ConfigError
from functions.common.events import MalformedEventError
from functions.object_tagger.core import TaggingFailedError
from tests.functions.common.lambda_env import (
    REGION,
    FakeLambdaContext,
    emf_metrics,
    import_handler,
    sns_messages,
)
from tests.functions.object_tagger.support import DERIVED_P1, lab_event, state_change_event

pytestmark = pytest.mark.moto

HANDLER = "functions.object_tagger.handler"
RAW = "gen-test-raw-sequence"
REPORTS = "gen-test-transfer-reports"
KEYS = ["projects/p1/raw/rs_a.fastq.gz", "projects/p1/raw/rs_b.fastq.gz", "scratch/tmp.txt"]
ROLE = "arn:aws:iam::123456789012:role/datasync"


@dataclass
class Lake:
    topic_arn: str
    execution_arn: str
    calls: Counter[str]
    failing_keys: set[str]

    def tags(self, key: str) -> dict[str, str]:
        response = boto3.client("s3", region_name=REGION).get_object_tagging(Bucket=RAW, Key=key)
        return {tag["Key"]: tag["Value"] for tag in response["TagSet"]}


@pytest.fixture
def lake(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> Lake:
    """Buckets, a task whose execution wrote KEYS, its task report, and the alert topic."""
    boto3.setup_default_session(region_name=REGION)
    calls: Counter[str] = Counter()
    failing: set[str] = set()
    counting = threading.Lock()

    def count(model: Any, **_: Any) -> None:
        # The tagger calls S3 from a thread pool; `+=` on a Counter is a read and a write,
        # so without the lock two threads can record one call between them.
        with counting:
            calls[model.name] += 1

    def fail(params: dict[str, Any], **_: Any) -> None:
        if params.get("Key") in failing:
            raise ClientError(
                {"Error": {"Code": "SlowDown", "Message": "slow"}}, "PutObjectTagging"
            )

    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register("before-call.s3", count)
    boto3.DEFAULT_SESSION.events.register("before-parameter-build.s3.PutObjectTagging", fail)
    s3 = boto3.client("s3")
    for bucket in (RAW, REPORTS):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    for key in KEYS:
        s3.put_object(Bucket=RAW, Key=key, Body=b"reads")
    datasync = boto3.client("datasync")
    source = datasync.create_location_s3(
        S3BucketArn="arn:aws:s3:::gen-test-staging", S3Config={"BucketAccessRoleArn": ROLE}
    )["LocationArn"]
    destination = datasync.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{RAW}", Subdirectory="/", S3Config={"BucketAccessRoleArn": ROLE}
    )["LocationArn"]
    task_arn = datasync.create_task(
        SourceLocationArn=source, DestinationLocationArn=destination, Name="efs-to-raw"
    )["TaskArn"]
    execution_arn = datasync.start_task_execution(TaskArn=task_arn)["TaskExecutionArn"]
    task_id, execution_id = task_arn.rsplit("/", 1)[-1], execution_arn.rsplit("/", 1)[-1]
    report = {
        "TaskExecutionId": execution_id,
        "Transferred": [
            {
                "RelativePath": f"/{key}",
                "SrcMetadata": {"Type": "Regular"},
                "TransferStatus": "SUCCESS",
            }
            for key in KEYS
        ]
        + [{"RelativePath": "/projects/p1/raw", "SrcMetadata": {"Type": "Directory"}}],
    }
    s3.put_object(
        Bucket=REPORTS,
        Key=f"datasync/Detailed-Reports/{task_id}/{execution_id}/"
        f"{execution_id}.files-transferred-v1-00001-0a1b2c3d4e5f6a7b8.json",
        Body=json.dumps(report).encode(),
    )
    topic_arn = boto3.client("sns").create_topic(Name="transfer-alerts")["TopicArn"]
    monkeypatch.setenv("ENVIRONMENT", "prod")
    monkeypatch.setenv("BUCKET_CATEGORIES", json.dumps({RAW: "raw_sequence"}))
    monkeypatch.setenv("TASK_REPORT_BUCKET", REPORTS)
    monkeypatch.setenv("TASK_REPORT_PREFIX", "datasync")
    monkeypatch.setenv("TOPIC_ARN", topic_arn)
    monkeypatch.setenv("TAG_UNCLASSIFIED", "false")
    monkeypatch.setenv("MAX_CONCURRENCY", "4")
    calls.clear()
    return Lake(topic_arn, execution_arn, calls, failing)


def test_success_event_tags_objects_and_publishes(
    lake: Lake, lambda_context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    """The objects of the report are tagged, the summary is published, EMF metrics printed."""
    handler = import_handler(HANDLER)
    result = handler.lambda_handler(
        state_change_event(execution_arn=lake.execution_arn), lambda_context
    )
    assert result["tagged"] == 2
    assert result["unclassified"] == 1
    assert lake.tags(KEYS[0]) == DERIVED_P1
    assert lake.tags(KEYS[2]) == {}
    [(subject, message)] = sns_messages(lake.topic_arn)
    assert subject is not None
    assert "2 tagged, 1 unclassified, 0 failed" in subject
    assert "scratch/tmp.txt" in message
    metrics = emf_metrics(capsys.readouterr().out)
    assert metrics["ObjectsTagged"] == 2
    assert metrics["ObjectsUnclassified"] == 1


def test_duplicate_event_writes_no_tags(lake: Lake, lambda_context: FakeLambdaContext) -> None:
    """A second delivery of the same event reads each object's tags once and writes none."""
    handler = import_handler(HANDLER)
    event = state_change_event(execution_arn=lake.execution_arn)
    handler.lambda_handler(event, lambda_context)
    assert lake.calls["PutObjectTagging"] == 2
    lake.calls.clear()
    handler.lambda_handler(event, lambda_context)
    assert lake.calls["PutObjectTagging"] == 0
    assert lake.calls["GetObjectTagging"] == 2


def test_failed_object_fails_the_invocation_after_the_summary(
    lake: Lake, lambda_context: FakeLambdaContext
) -> None:
    """An S3 failure on one object raises (so EventBridge retries) after SNS got the summary."""
    lake.failing_keys.add(KEYS[1])
    handler = import_handler(HANDLER)
    with pytest.raises(TaggingFailedError):
        handler.lambda_handler(state_change_event(execution_arn=lake.execution_arn), lambda_context)
    [(subject, message)] = sns_messages(lake.topic_arn)
    assert subject is not None
    assert "FAILED" in subject
    assert KEYS[1] in message
    assert lake.tags(KEYS[0]) == DERIVED_P1


def test_malformed_event_is_refused_naming_the_field(
    lake: Lake, lambda_context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    """An event without the execution ARN fails with MalformedEventError naming `resources`."""
    handler = import_handler(HANDLER)
    event = {**state_change_event(execution_arn=lake.execution_arn), "resources": []}
    with pytest.raises(MalformedEventError, match="resources"):
        handler.lambda_handler(event, lambda_context)
    assert sns_messages(lake.topic_arn) == []
    assert emf_metrics(capsys.readouterr().out)["MalformedEvents"] == 1


def test_unsuccessful_execution_is_ignored(lake: Lake, lambda_context: FakeLambdaContext) -> None:
    """An ERROR state event tags nothing and publishes nothing."""
    handler = import_handler(HANDLER)
    event = state_change_event("ERROR", execution_arn=lake.execution_arn)
    result = handler.lambda_handler(event, lambda_context)
    assert result["ignored"] == "state ERROR"
    assert lake.calls["PutObjectTagging"] == 0
    assert sns_messages(lake.topic_arn) == []


def test_bad_environment_fails_the_cold_start(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed variable stops the import with an error naming it."""
    monkeypatch.setenv("MAX_CONCURRENCY", "zero")
    with pytest.raises(ConfigError, match="MAX_CONCURRENCY"):
        import_handler(HANDLER)


def test_batch_event_is_tagged_and_answers_counts(
    lake: Lake, lambda_context: FakeLambdaContext
) -> None:
    """A Distributed Map batch is tagged through the handler; nothing goes to SNS."""
    handler = import_handler(HANDLER)
    event = {
        "Items": [{"Key": k, "Size": 5, "LastModified": 1772395200} for k in KEYS[:2]],
        "BatchInput": {"bucket": RAW, "mode": "tag", "environment": "prod", "run": "tag-x"},
    }
    result = handler.lambda_handler(event, lambda_context)
    assert result["tagged"] == 2
    assert lake.tags(KEYS[0]) == DERIVED_P1
    assert sns_messages(lake.topic_arn) == []


def test_malformed_batch_event_is_refused(lake: Lake, lambda_context: FakeLambdaContext) -> None:
    """A batch for another mode fails naming BatchInput.mode."""
    handler = import_handler(HANDLER)
    event = {"Items": [], "BatchInput": {"bucket": RAW, "mode": "audit"}}
    with pytest.raises(MalformedEventError, match=r"BatchInput\.mode"):
        handler.lambda_handler(event, lambda_context)


def test_lab_dataset_event_tags_every_object_under_the_prefix(
    lake: Lake, lambda_context: FakeLambdaContext
) -> None:
    """The lab's event tags the objects under the dataset's prefix (not the rest of the bucket)
    with the taxonomy's tags only, and publishes a summary naming the dataset."""
    handler = import_handler(HANDLER)
    result = handler.lambda_handler(lab_event(uri=f"s3://{RAW}/projects/p1/raw/"), lambda_context)
    assert result["tagged"] == 2
    assert result["trigger"] == "lab dataset ds-42"
    assert lake.tags(KEYS[0]) == DERIVED_P1
    assert lake.tags(KEYS[1]) == DERIVED_P1
    assert lake.tags(KEYS[2]) == {}
    [(subject, message)] = sns_messages(lake.topic_arn)
    assert subject is not None
    assert "lab dataset ds-42" in subject
    assert "tag(s) were not written" in message


def test_duplicate_lab_event_writes_no_tags(lake: Lake, lambda_context: FakeLambdaContext) -> None:
    """A second delivery of the lab event lists and reads each object's tags once, writes none."""
    handler = import_handler(HANDLER)
    event = lab_event(uri=f"s3://{RAW}/projects/p1/raw/")
    handler.lambda_handler(event, lambda_context)
    assert lake.calls["PutObjectTagging"] == 2
    lake.calls.clear()
    result = handler.lambda_handler(event, lambda_context)
    assert result["unchanged"] == 2
    assert lake.calls["PutObjectTagging"] == 0
    assert lake.calls["GetObjectTagging"] == 2


def test_lab_event_for_another_bucket_is_refused(
    lake: Lake, lambda_context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dataset outside the tagger's buckets fails naming detail.s3Uri; nothing is tagged."""
    handler = import_handler(HANDLER)
    with pytest.raises(MalformedEventError, match=r"detail\.s3Uri"):
        handler.lambda_handler(lab_event(uri="s3://gen-test-lab/run-1/"), lambda_context)
    assert lake.calls["PutObjectTagging"] == 0
    assert sns_messages(lake.topic_arn) == []
    assert emf_metrics(capsys.readouterr().out)["MalformedEvents"] == 1
