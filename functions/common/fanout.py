"""Fan-out to the Distributed Map state machine: the parts the tagger and the audit share.

Above `FAN_OUT_THRESHOLD` objects one Lambda (15 minutes) may not finish, so work is handed to
the fan-out state machine (components/transfer/fanout.py). See docs/transfer.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

__all__ = ["FanOutError", "FanOutStarter", "should_fan_out"]


class FanOutError(RuntimeError):
    """The fan-out state machine could not be started; the message says why."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class FanOutStarter(Protocol):
    """Starts one fan-out execution (`functions.common.states_adapter.StatesAdapter`)."""

    def start(self, name: str, payload: Mapping[str, str]) -> str: ...


def should_fan_out(object_count: int | None, threshold: int | None) -> bool:
    """Fan out only when both are known and the count is strictly above the threshold."""
    return object_count is not None and threshold is not None and object_count > threshold
