"""The EventBridge Scheduler event that starts transfers, as a typed model.

The schedule's input is a JSON object. It may restrict the run to some of the configured tasks
with `{"taskArns": ["arn:aws:datasync:…:task/task-…"]}` (for example a second, more frequent
schedule for one project); without `taskArns` every configured task is started. Other members
(EventBridge's own envelope fields) are ignored.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from functions.common.events import MalformedEventError, require_mapping

__all__ = ["StartRequest", "parse_event"]


@dataclass(frozen=True, slots=True)
class StartRequest:
    """Which tasks this run starts, in configuration order."""

    task_arns: tuple[str, ...]


def parse_event(event: object, *, configured: Collection[str]) -> StartRequest:
    """The typed request; MalformedEventError names `taskArns` when it is not a non-empty list
    of configured task ARNs (a schedule may narrow the run, never widen it)."""
    body = require_mapping(event, "event")
    if "taskArns" not in body:
        return StartRequest(task_arns=tuple(configured))
    selected = body["taskArns"]
    if not isinstance(selected, list) or not selected:
        raise MalformedEventError("taskArns", "a non-empty list of DataSync task ARNs", selected)
    for arn in selected:
        if arn not in configured:
            raise MalformedEventError(
                "taskArns", "task ARNs listed in the function's TASK_ARNS setting", arn
            )
    return StartRequest(task_arns=tuple(arn for arn in configured if arn in selected))
