"""The schedule event that runs the scheduler, as a typed model.

Each EventBridge schedule passes a constant JSON input: `{"action": "stop"}` in the evening,
`{"action": "start"}` in the morning. The event's action wins over the ACTION setting, so one
function serves both schedules. `{"dryRun": true}` forces a report-only run; an event cannot
turn dry run off. `{"force": true}` lets a `stop` through inside testing hours (the function
refuses it otherwise, and reports and logs that it was forced); it must be the JSON boolean.
Other members (EventBridge's envelope) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.common.events import MalformedEventError, require_mapping
from functions.ec2_scheduler.config import Action

__all__ = ["ScheduleRequest", "parse_event"]


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    """The action of this run and whether it must only report."""

    action: Action
    force_dry_run: bool = False
    force: bool = False
    """Stop even inside testing hours (a deliberate, logged override)."""


def parse_event(event: object, *, default_action: Action | None) -> ScheduleRequest:
    """The typed request; MalformedEventError names `action` or `dryRun` when they are wrong."""
    body = require_mapping(event, "event")
    raw = body.get("action")
    if raw is None:
        if default_action is None:
            raise MalformedEventError(
                "action", "'stop' or 'start' (the function has no ACTION setting to fall back on)"
            )
        action = default_action
    else:
        if not isinstance(raw, str) or raw.strip().lower() not in {a.value for a in Action}:
            raise MalformedEventError("action", "'stop' or 'start'", raw)
        action = Action(raw.strip().lower())
    if "dryRun" in body and body["dryRun"] is not True:
        raise MalformedEventError(
            "dryRun", "true (an event can force a dry run but never turn it off)", body["dryRun"]
        )
    force = body.get("force", False)
    if not isinstance(force, bool):
        raise MalformedEventError("force", "true or false (a JSON boolean)", force)
    return ScheduleRequest(action=action, force_dry_run=body.get("dryRun") is True, force=force)
