"""DataSync tasks log every transferred file and verify what they copied."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text, dig

__all__ = ["RULES"]

TASK: Final = "aws:datasync/task:Task"


def _logging(resource: ResourceView) -> Iterator[str]:
    if not as_text(resource.props.get("cloudwatchLogGroupArn")):
        yield f"task {resource.name} has no cloudwatchLogGroupArn"
    level = as_text(dig(resource.props.get("options"), "logLevel")) or "OFF"
    allowed = [str(value) for value in resource.config["allowedLogLevels"]]
    if level not in allowed:
        yield f"task {resource.name} logs at level {level}, not {' or '.join(allowed)}"


def _verification(resource: ResourceView) -> Iterator[str]:
    mode = as_text(dig(resource.props.get("options"), "verifyMode"))
    if mode == "NONE":
        yield f"task {resource.name} does not verify transferred data (verifyMode NONE)"


RULES = (
    ResourceRule(
        name="datasync-task-logging",
        guards=(
            "aws:datasync/task:Task.cloudwatchLogGroupArn",
            "aws:datasync/task:Task.options.logLevel",
        ),
        description="DataSync tasks log to CloudWatch at a file-level log level.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            'Set cloudwatch_log_group_arn=<log group ARN> and options={"log_level": "TRANSFER"} '
            "on the aws.datasync.Task."
        ),
        concern="logging",
        controls=("FSBP DataSync.1",),
        resource_types=(TASK,),
        check=_logging,
        config_properties={
            "allowedLogLevels": {
                "type": "array",
                "items": {"type": "string", "enum": ["OFF", "BASIC", "TRANSFER"]},
                "default": ["TRANSFER"],
                "description": "Log levels a task may use (add BASIC to accept summaries only).",
            }
        },
    ),
    ResourceRule(
        name="datasync-task-verification",
        guards=("aws:datasync/task:Task.options.verifyMode",),
        description="DataSync tasks verify transferred data (verifyMode is not NONE).",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            'Set options={"verify_mode": "ONLY_FILES_TRANSFERRED"} (or POINT_IN_TIME_CONSISTENT) '
            "on the aws.datasync.Task."
        ),
        concern="logging",
        resource_types=(TASK,),
        check=_verification,
    ),
)
