"""The one place the transfer functions talk to DataSync.

`start_transfer` describes and starts tasks; `object_tagger` describes the execution that just
finished and the S3 location its task writes to. Failures become `DataSyncError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from functions.common.datasync_types import (
    DataSyncError,
    ExecutionInfo,
    S3Destination,
    TaskInfo,
    task_arn_of_execution,
)

if TYPE_CHECKING:
    from mypy_boto3_datasync import DataSyncClient

__all__ = ["DataSyncAdapter", "parse_s3_location_uri"]


def _domain_error(error: ClientError | BotoCoreError, action: str) -> DataSyncError:
    if isinstance(error, BotoCoreError):
        return DataSyncError(f"{action} failed: {error}", code=type(error).__name__)
    code = str(error.response.get("Error", {}).get("Code", ""))
    return DataSyncError(f"{action} failed: {code or 'error'}: {error}", code=code)


def parse_s3_location_uri(uri: str) -> S3Destination:
    """The bucket and prefix of a DataSync S3 location URI (`s3://bucket/prefix/`)."""
    if not uri.startswith("s3://"):
        raise DataSyncError(f"location URI {uri!r} is not an S3 location")
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    if not bucket:
        raise DataSyncError(f"location URI {uri!r} names no bucket")
    return S3Destination(bucket=bucket, prefix=prefix.strip("/"))


class DataSyncAdapter:
    """Task and execution look-ups and task starts over one DataSync client."""

    def __init__(self, client: DataSyncClient) -> None:
        self._client = client

    def describe_task(self, task_arn: str) -> TaskInfo:
        """The task's name, status and current execution (one DescribeTask request)."""
        try:
            response = self._client.describe_task(TaskArn=task_arn)
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"DescribeTask {task_arn}") from error
        return TaskInfo(
            task_arn=task_arn,
            name=response.get("Name") or task_arn.rsplit("/", 1)[-1],
            status=response.get("Status", "UNKNOWN"),
            current_execution_arn=response.get("CurrentTaskExecutionArn") or None,
        )

    def start_execution(self, task_arn: str) -> str:
        """Start an execution with the task's own settings; returns its ARN."""
        try:
            response = self._client.start_task_execution(TaskArn=task_arn)
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"StartTaskExecution {task_arn}") from error
        return response["TaskExecutionArn"]

    def describe_execution(self, execution_arn: str) -> ExecutionInfo:
        """The execution's start time and its task's S3 destination.

        Three requests (DescribeTaskExecution, DescribeTask, DescribeLocationS3): the execution
        does not name its destination, the task names it by location ARN, and only the location
        says which bucket and prefix that is.
        """
        task_arn = task_arn_of_execution(execution_arn)
        try:
            execution = self._client.describe_task_execution(TaskExecutionArn=execution_arn)
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"DescribeTaskExecution {execution_arn}") from error
        try:
            task = self._client.describe_task(TaskArn=task_arn)
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"DescribeTask {task_arn}") from error
        location_arn = task.get("DestinationLocationArn")
        if not location_arn:
            raise DataSyncError(f"task {task_arn} reports no destination location")
        try:
            location = self._client.describe_location_s3(LocationArn=location_arn)
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"DescribeLocationS3 {location_arn}") from error
        return ExecutionInfo(
            execution_arn=execution_arn,
            task_arn=task_arn,
            status=execution.get("Status", "UNKNOWN"),
            started_at=execution.get("StartTime"),
            destination=parse_s3_location_uri(location.get("LocationUri", "")),
            files_transferred=execution.get("FilesTransferred"),
        )
