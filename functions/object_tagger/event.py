"""The EventBridge event that starts the tagger, as a typed model.

EventBridge delivers DataSync's "DataSync Task Execution State Change" events with the new state
in `detail.State` and the execution ARN in `resources`:

    {"source": "aws.datasync", "detail-type": "DataSync Task Execution State Change",
     "resources": ["arn:aws:datasync:ap-south-1:111122223333:task/task-…/execution/exec-…"],
     "detail": {"State": "SUCCESS"}, "id": "…", "time": "…", ...}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from functions.common.datasync_types import EXECUTION_ARN_PATTERN
from functions.common.events import MalformedEventError, require_mapping, require_string

__all__ = ["DETAIL_TYPE", "SOURCE", "ExecutionStateChange", "parse_event"]

SOURCE: Final = "aws.datasync"
DETAIL_TYPE: Final = "DataSync Task Execution State Change"


@dataclass(frozen=True, slots=True)
class ExecutionStateChange:
    """One execution changed state; the tagger acts only on SUCCESS."""

    event_id: str
    execution_arn: str
    task_arn: str
    task_id: str
    execution_id: str
    state: str

    @property
    def succeeded(self) -> bool:
        """Whether the execution finished successfully, so its objects are in S3 to tag."""
        return self.state == "SUCCESS"


def parse_event(event: object) -> ExecutionStateChange:
    """The typed event; MalformedEventError names the first field that is missing or wrong."""
    body = require_mapping(event, "event")
    source = body.get("source")
    if source != SOURCE:
        raise MalformedEventError("source", repr(SOURCE), source)
    detail_type = body.get("detail-type")
    if detail_type != DETAIL_TYPE:
        raise MalformedEventError("detail-type", repr(DETAIL_TYPE), detail_type)
    detail = require_mapping(body.get("detail"), "detail")
    state = require_string(detail, "State", path="detail")
    resources = body.get("resources")
    if not isinstance(resources, list):
        raise MalformedEventError("resources", "a list holding the task execution ARN", resources)
    for resource in resources:
        match = EXECUTION_ARN_PATTERN.fullmatch(resource) if isinstance(resource, str) else None
        if match is not None:
            return ExecutionStateChange(
                event_id=str(body.get("id", "")),
                execution_arn=match.group(0),
                task_arn=match.group(0).split("/execution/", 1)[0],
                task_id=match.group("task_id"),
                execution_id=match.group("execution_id"),
                state=state,
            )
    raise MalformedEventError(
        "resources",
        "a list holding a DataSync task execution ARN "
        "(arn:aws:datasync:<region>:<account>:task/task-…/execution/exec-…)",
        resources,
    )
