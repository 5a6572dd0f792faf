"""Protocols the cores use for reporting, so they need neither SNS nor Powertools to run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Protocol

__all__ = ["COUNT", "ErrorLog", "MetricSink", "Publisher"]

COUNT: Final = "Count"
"""The CloudWatch unit of every count metric the functions emit."""


class Publisher(Protocol):
    """Sends one human-readable summary; `functions.common.notify.Notifier` is the real one."""

    def publish(self, subject: str, message: str) -> str: ...


class MetricSink(Protocol):
    """Records one metric value; Powertools `Metrics` is the real one (it writes EMF)."""

    def add_metric(self, name: str, unit: str, value: float) -> None: ...


class ErrorLog(Protocol):
    """Logs an exception with context; Powertools `Logger` is the real one."""

    def exception(
        self, msg: object, *args: object, extra: Mapping[str, object] | None = ...
    ) -> None: ...
