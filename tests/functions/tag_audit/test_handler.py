"""The audit's Lambda handler on moto: report in S3, alert on SNS, EMF metric on stdout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from functions.common.events import MalformedEventError
from tests.functions.common.lambda_env import (
    REGION,
    FakeLambdaContext,
    emf_metrics,
    import_handler,
    sns_messages,
)

pytestmark = pytest.mark.moto

HANDLER = "functions.tag_audit.handler"
RAW, REPORTS = "gen-test-raw-sequence", "gen-test-reports"
GOOD = "project=p1&data-type=raw_sequence&data-classification=restricted&environment=dev"
SCHEDULED = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-03-02T02:30:00Z",
    "region": REGION,
    "resources": [f"arn:aws:events:{REGION}:123456789012:rule/tag-audit"],
    "detail": {},
}
REPORT_KEY = "tag-audit/2026/03/02/tag-audit-20260302T023000Z.jsonl"


@pytest.fixture
def topic_arn(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """Two buckets (one tagged object, one untagged) and the alert topic, with the env set."""
    s3 = boto3.client("s3", region_name=REGION)
    for bucket in (RAW, REPORTS):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=RAW, Key="projects/p1/raw/rs_ok.fastq.gz", Body=b"x", Tagging=GOOD)
    arn = boto3.client("sns", region_name=REGION).create_topic(Name="audit-alerts")["TopicArn"]
    monkeypatch.setenv("ENVIRONMENT", "dev")
    monkeypatch.setenv("BUCKET_CATEGORIES", json.dumps({RAW: "raw_sequence"}))
    monkeypatch.setenv("REPORT_BUCKET", REPORTS)
    monkeypatch.setenv("REPORT_PREFIX", "tag-audit")
    monkeypatch.setenv("TOPIC_ARN", arn)
    monkeypatch.setenv("MAX_CONCURRENCY", "8")
    monkeypatch.setenv("ALERT_SAMPLE_SIZE", "10")
    return arn


def test_untagged_object_is_reported_and_alerted(
    topic_arn: str, lambda_context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    """An untagged object lands in the JSON-lines report, the alert links it, the metric
    counts it."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_object(Bucket=RAW, Key="projects/p1/raw/rs_bare.fastq.gz", Body=b"x")
    result = import_handler(HANDLER).lambda_handler(SCHEDULED, lambda_context)
    assert result["findings"] == 1
    body = s3.get_object(Bucket=REPORTS, Key=REPORT_KEY)["Body"].read().decode()
    [line] = body.splitlines()
    assert json.loads(line)["key"] == "projects/p1/raw/rs_bare.fastq.gz"
    [(subject, message)] = sns_messages(topic_arn)
    assert subject is not None
    assert "1 object(s)" in subject
    assert f"s3://{REPORTS}/{REPORT_KEY}" in message
    assert emf_metrics(capsys.readouterr().out)["UntaggedObjects"] == 1


def test_clean_lake_is_quiet_but_measured(
    topic_arn: str, lambda_context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    """With every object tagged nothing is published and UntaggedObjects is 0."""
    result = import_handler(HANDLER).lambda_handler(SCHEDULED, lambda_context)
    assert result["findings"] == 0
    assert sns_messages(topic_arn) == []
    assert emf_metrics(capsys.readouterr().out)["UntaggedObjects"] == 0


def test_malformed_schedule_event_names_the_field(
    topic_arn: str, lambda_context: FakeLambdaContext
) -> None:
    """A `time` that is not a date-time fails naming `time`."""
    with pytest.raises(MalformedEventError, match="'time'"):
        import_handler(HANDLER).lambda_handler({**SCHEDULED, "time": "soon"}, lambda_context)


def test_batch_event_writes_a_part_and_answers_counts(
    topic_arn: str, lambda_context: FakeLambdaContext
) -> None:
    """A Distributed Map batch is audited through the handler; findings land in one part."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_object(Bucket=RAW, Key="projects/p1/raw/rs_bare.fastq.gz", Body=b"x")
    keys = ["projects/p1/raw/rs_bare.fastq.gz", "projects/p1/raw/rs_ok.fastq.gz"]
    event = {
        "Items": [{"Key": k, "Size": 1, "LastModified": "2026-03-02T00:00:00Z"} for k in keys],
        "BatchInput": {"bucket": RAW, "mode": "audit", "environment": "dev", "run": "audit-r"},
    }
    result = import_handler(HANDLER).lambda_handler(event, lambda_context)
    assert (result["objectsChecked"], result["findings"]) == (2, 1)
    listed = s3.list_objects_v2(Bucket=REPORTS, Prefix="tag-audit/fanout/audit-r/")
    assert len(listed["Contents"]) == 1
    assert sns_messages(topic_arn) == []


def test_schedule_fans_out_a_large_bucket(
    topic_arn: str, lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a count above the threshold the schedule starts the state machine for the bucket."""
    sfn = boto3.client("stepfunctions", region_name=REGION)
    arn = sfn.create_state_machine(
        name="gen-test-transfer-fanout",
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/S3",
        MetricData=[
            {
                "MetricName": "NumberOfObjects",
                "Dimensions": [
                    {"Name": "BucketName", "Value": RAW},
                    {"Name": "StorageType", "Value": "AllStorageTypes"},
                ],
                "Timestamp": datetime.now(UTC) - timedelta(hours=1),
                "Value": 5000.0,
            }
        ],
    )
    monkeypatch.setenv("FAN_OUT_THRESHOLD", "1000")
    monkeypatch.setenv("FAN_OUT_STATE_MACHINE_ARN", arn)
    result = import_handler(HANDLER).lambda_handler(SCHEDULED, lambda_context)
    assert list(result["fannedOut"]) == [RAW]
    assert result["objectsChecked"] == 0
    [execution] = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert execution["name"].startswith("audit-20260302T023000Z-")
