"""The schedule event that runs the reaper, as a typed model.

EventBridge invokes the reaper with the schedule's constant input, a JSON object. It may hold
`{"dryRun": true}` to force a report-only run (for example a manual invocation before the first
real run); it cannot turn dry run off, because whether the reaper deletes is the stack's
decision (DRY_RUN), not the caller's. Other members (EventBridge's envelope) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.common.events import MalformedEventError, require_mapping

__all__ = ["ReapRequest", "parse_event"]


@dataclass(frozen=True, slots=True)
class ReapRequest:
    """What this run was asked for beyond the configuration."""

    force_dry_run: bool = False


def parse_event(event: object) -> ReapRequest:
    """The typed request; MalformedEventError names `dryRun` when it is anything but `true`."""
    body = require_mapping(event, "event")
    if "dryRun" not in body:
        return ReapRequest()
    if body["dryRun"] is not True:
        raise MalformedEventError(
            "dryRun", "true (an event can force a dry run but never turn it off)", body["dryRun"]
        )
    return ReapRequest(force_dry_run=True)
