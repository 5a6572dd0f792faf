"""DataSyncAdapter against moto, and the pure location-URI parsing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
import pytest

from functions.common.datasync_adapter import DataSyncAdapter, parse_s3_location_uri
from functions.common.datasync_types import DataSyncError, S3Destination, task_arn_of_execution
from tests.functions.common.lambda_env import REGION

if TYPE_CHECKING:
    from mypy_boto3_datasync import DataSyncClient

ROLE = "arn:aws:iam::123456789012:role/datasync"


def _task(client: DataSyncClient, *, subdirectory: str = "/landing/") -> str:
    source = client.create_location_s3(
        S3BucketArn="arn:aws:s3:::gen-src", S3Config={"BucketAccessRoleArn": ROLE}
    )["LocationArn"]
    destination = client.create_location_s3(
        S3BucketArn="arn:aws:s3:::gen-test-raw-sequence",
        Subdirectory=subdirectory,
        S3Config={"BucketAccessRoleArn": ROLE},
    )["LocationArn"]
    return client.create_task(
        SourceLocationArn=source, DestinationLocationArn=destination, Name="raw-to-lake"
    )["TaskArn"]


@pytest.fixture
def client(mocked_aws: None) -> DataSyncClient:
    return boto3.client("datasync", region_name=REGION)


@pytest.mark.moto
def test_describe_task_reads_name_and_status(client: DataSyncClient) -> None:
    """A new task is AVAILABLE, not active, and carries its name."""
    task = DataSyncAdapter(client).describe_task(_task(client))
    assert (task.name, task.status, task.is_active) == ("raw-to-lake", "AVAILABLE", False)
    assert task.current_execution_arn is None


@pytest.mark.moto
def test_started_task_is_active_with_its_execution(client: DataSyncClient) -> None:
    """After a start the task reports the execution, so the starter can skip it."""
    adapter = DataSyncAdapter(client)
    task_arn = _task(client)
    execution_arn = adapter.start_execution(task_arn)
    task = adapter.describe_task(task_arn)
    assert task.is_active
    assert task.current_execution_arn == execution_arn
    assert task_arn_of_execution(execution_arn) == task_arn


@pytest.mark.moto
def test_start_failure_is_a_domain_error(client: DataSyncClient) -> None:
    """Starting a task that is already running fails as DataSyncError with the API's code."""
    adapter = DataSyncAdapter(client)
    task_arn = _task(client)
    adapter.start_execution(task_arn)
    with pytest.raises(DataSyncError) as caught:
        adapter.start_execution(task_arn)
    assert caught.value.code == "InvalidRequestException"


@pytest.mark.moto
def test_describe_execution_resolves_the_destination(client: DataSyncClient) -> None:
    """The execution's task and S3 location give the bucket and prefix objects land under."""
    adapter = DataSyncAdapter(client)
    execution_arn = adapter.start_execution(_task(client))
    info = adapter.describe_execution(execution_arn)
    assert info.destination == S3Destination("gen-test-raw-sequence", "landing")
    assert info.task_arn == task_arn_of_execution(execution_arn)


@pytest.mark.moto
def test_describe_unknown_execution_is_a_domain_error(client: DataSyncClient) -> None:
    """An execution DataSync does not know fails as DataSyncError."""
    task = f"arn:aws:datasync:{REGION}:123456789012:task/task-0123456789abcdef0"
    arn = f"{task}/execution/exec-0123456789abcdef0"
    with pytest.raises(DataSyncError):
        DataSyncAdapter(client).describe_execution(arn)


def test_location_uri_parsing() -> None:
    """s3://bucket/prefix/ splits into bucket and a slash-free prefix."""
    assert parse_s3_location_uri("s3://b/a/b/") == S3Destination("b", "a/b")
    assert parse_s3_location_uri("s3://b/") == S3Destination("b", "")
    with pytest.raises(DataSyncError, match="not an S3 location"):
        parse_s3_location_uri("efs://fs-1/projects")


def test_destination_key_joins_prefix_and_relative_path() -> None:
    """Report paths are relative to the source; the key is the destination prefix plus them."""
    assert S3Destination("b", "landing").key_for("/projects/p/raw/a") == "landing/projects/p/raw/a"
    assert S3Destination("b", "").key_for("/projects/p/raw/a") == "projects/p/raw/a"


def test_execution_arn_required() -> None:
    """A task ARN is not an execution ARN."""
    with pytest.raises(DataSyncError, match="not a DataSync task execution ARN"):
        task_arn_of_execution(f"arn:aws:datasync:{REGION}:123456789012:task/task-0123456789abcdef0")
