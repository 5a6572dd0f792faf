"""What the functions know about DataSync tasks and executions, without importing boto3."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

__all__ = [
    "ACTIVE_TASK_STATUSES",
    "EXECUTION_ARN_PATTERN",
    "TASK_ARN_PATTERN",
    "DataSyncError",
    "ExecutionInfo",
    "S3Destination",
    "TaskInfo",
    "task_arn_of_execution",
]

TASK_ARN_PATTERN: Final = re.compile(
    r"^arn:aws[a-z-]*:datasync:[a-z0-9-]+:\d{12}:task/(?P<task_id>task-[0-9a-f]{17})$"
)
"""A DataSync task ARN, as DataSync's API documents it."""

EXECUTION_ARN_PATTERN: Final = re.compile(
    r"^arn:aws[a-z-]*:datasync:[a-z0-9-]+:\d{12}:task/(?P<task_id>task-[0-9a-f]{17})"
    r"/execution/(?P<execution_id>exec-[0-9a-f]{17})$"
)
"""A DataSync task execution ARN: the task ARN followed by `/execution/exec-…`."""

ACTIVE_TASK_STATUSES: Final = frozenset({"QUEUED", "RUNNING"})
"""DescribeTask statuses meaning an execution is already queued or under way."""


class DataSyncError(RuntimeError):
    """A DataSync request failed or answered something the functions cannot use."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class S3Destination:
    """Where a task writes: objects land at `prefix` + the file's path relative to the source."""

    bucket: str
    prefix: str
    """Key prefix without leading or trailing slash; empty for the bucket root."""

    def key_for(self, relative_path: str) -> str:
        """The object key of a file at `relative_path` (as task reports spell it) in the source."""
        relative = relative_path.lstrip("/")
        return f"{self.prefix}/{relative}" if self.prefix else relative


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    """One task execution: when it started and where its task writes."""

    execution_arn: str
    task_arn: str
    status: str
    started_at: datetime | None
    """None when DataSync does not report a start time."""
    destination: S3Destination
    files_transferred: int | None
    """DataSync's count of transferred files; None when not reported."""


@dataclass(frozen=True, slots=True)
class TaskInfo:
    """One task: its name for people, its status and the execution under way, if any."""

    task_arn: str
    name: str
    status: str
    current_execution_arn: str | None

    @property
    def is_active(self) -> bool:
        """Whether an execution is queued or running, so starting another would pile up."""
        return self.status in ACTIVE_TASK_STATUSES


def task_arn_of_execution(execution_arn: str) -> str:
    """The task ARN an execution ARN belongs to; DataSyncError for anything else."""
    match = EXECUTION_ARN_PATTERN.fullmatch(execution_arn)
    if match is None:
        raise DataSyncError(f"{execution_arn!r} is not a DataSync task execution ARN")
    return execution_arn.split("/execution/", 1)[0]
