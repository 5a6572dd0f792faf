"""The AWS calls the start-transfer function makes (evaluated by `make access`)."""

from __future__ import annotations

from typing import Final

from functions.common.access import Call

CALLS: Final = (
    Call("datasync:DescribeTask", "each:TASK_ARNS"),
    Call("datasync:StartTaskExecution", "each:TASK_ARNS"),
    Call("sns:Publish", "env:TOPIC_ARN"),
)
