"""The schedule event that runs the reaper, as a typed model.

EventBridge invokes the reaper with the schedule's constant input, a JSON object:

- `{"mode": "observe"}` (daily): mark newly unattached volumes, refresh the last-seen tag of
  those still unattached, unmark those attached again. Never snapshots or deletes.
- `{"mode": "reap"}` (monthly): the same observation, then snapshot and delete the volumes
  continuously unattached for the grace period.

A missing `mode` means `observe`, the mode that cannot delete: a hand-made test event never
deletes by accident. `{"dryRun": true}` forces a report-only run; it cannot turn dry run off,
because whether the reaper deletes is the stack's decision (DRY_RUN), not the caller's. Other
members (EventBridge's envelope) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from functions.common.events import MalformedEventError, require_mapping

__all__ = ["Mode", "ReapRequest", "parse_event"]


class Mode(StrEnum):
    """What a run may do."""

    OBSERVE = "observe"
    """Mark, refresh and unmark only."""
    REAP = "reap"
    """Observe, then snapshot and delete what is due."""


@dataclass(frozen=True, slots=True)
class ReapRequest:
    """What this run was asked for beyond the configuration."""

    mode: Mode = Mode.OBSERVE
    force_dry_run: bool = False


def parse_event(event: object) -> ReapRequest:
    """The typed request; MalformedEventError names `mode` or `dryRun` when they are wrong."""
    body = require_mapping(event, "event")
    raw_mode = body.get("mode", Mode.OBSERVE.value)
    modes = {m.value for m in Mode}
    if not isinstance(raw_mode, str) or raw_mode not in modes:
        raise MalformedEventError("mode", "'observe' or 'reap'", raw_mode)
    if "dryRun" in body and body["dryRun"] is not True:
        raise MalformedEventError(
            "dryRun", "true (an event can force a dry run but never turn it off)", body["dryRun"]
        )
    return ReapRequest(mode=Mode(raw_mode), force_dry_run=body.get("dryRun") is True)
