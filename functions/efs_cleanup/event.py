"""The phase events the clean-up's EventBridge schedules send, as a typed model.

- `{"phase": "announce"}`, an hour before: SNS "starting" with roots, retention and mode.
- `{"phase": "clean"}`, at the scheduled time: clean, resuming an unfinished cycle first.
- `{"phase": "resume"}`, optional and frequent (e.g. hourly): continue an unfinished cycle,
  and do nothing at all (no SNS) when there is none. It lets a tree too big for one
  invocation finish within hours instead of over several weeks.

`"dryRun": true` forces a report-only run; an event cannot turn dry run off.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from functions.common.events import MalformedEventError, require_mapping

__all__ = ["CleanupRequest", "Phase", "parse_event"]


class Phase(StrEnum):
    """Which part of the weekly clean-up an invocation is."""

    ANNOUNCE = "announce"
    CLEAN = "clean"
    RESUME = "resume"


@dataclass(frozen=True, slots=True)
class CleanupRequest:
    """The phase of this invocation and whether it must only report."""

    phase: Phase
    force_dry_run: bool = False


def parse_event(event: object) -> CleanupRequest:
    """The typed request; MalformedEventError names `phase` or `dryRun` when they are wrong."""
    body = require_mapping(event, "event")
    raw = body.get("phase")
    phases = ", ".join(repr(p.value) for p in Phase)
    if not isinstance(raw, str) or raw not in {p.value for p in Phase}:
        raise MalformedEventError("phase", f"one of {phases}", raw)
    if "dryRun" in body and body["dryRun"] is not True:
        raise MalformedEventError(
            "dryRun", "true (an event can force a dry run but never turn it off)", body["dryRun"]
        )
    return CleanupRequest(phase=Phase(raw), force_dry_run=body.get("dryRun") is True)
