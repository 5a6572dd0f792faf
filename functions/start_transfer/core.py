"""Start one DataSync execution per task, skipping tasks already busy, and say what happened.

A task with a queued or running execution is skipped and reported, not failed: the schedule
firing while last night's transfer still runs is normal. A task that cannot be started does not
stop the others; the invocation fails only after every task was tried and the summary sent.

Pure orchestration: DataSync comes in as a Protocol, so tests pass in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from functions.common.datasync_types import DataSyncError, TaskInfo
from functions.common.ports import COUNT, MetricSink, Publisher
from functions.start_transfer.event import StartRequest

__all__ = [
    "StartOutcome",
    "StartResult",
    "StartSummary",
    "TransferStartError",
    "TransferTasks",
    "start_transfers",
]


class TransferTasks(Protocol):
    """The DataSync operations used (`functions.common.datasync_adapter.DataSyncAdapter`)."""

    def describe_task(self, task_arn: str) -> TaskInfo: ...

    def start_execution(self, task_arn: str) -> str: ...


class StartOutcome(StrEnum):
    """What happened to one task."""

    STARTED = "started"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class StartResult:
    """One task's outcome; `execution_arn` is the new one, or the one already under way."""

    task_arn: str
    name: str
    outcome: StartOutcome
    execution_arn: str | None = None
    detail: str = ""

    def line(self) -> str:
        """One summary line for people."""
        if self.outcome is StartOutcome.STARTED:
            return f"- {self.name}: started {self.execution_arn}"
        if self.outcome is StartOutcome.SKIPPED:
            return f"- {self.name}: skipped, {self.detail}"
        return f"- {self.name} ({self.task_arn}): FAILED, {self.detail}"


class TransferStartError(RuntimeError):
    """At least one task could not be started; raised after the summary was published."""


@dataclass(slots=True)
class StartSummary:
    """Every task's result, in the order tried."""

    results: list[StartResult] = field(default_factory=list)

    def of(self, outcome: StartOutcome) -> Sequence[StartResult]:
        """The results with `outcome`."""
        return [result for result in self.results if result.outcome is outcome]

    def subject(self) -> str:
        """A one-line SNS subject with the counts."""
        started, skipped = len(self.of(StartOutcome.STARTED)), len(self.of(StartOutcome.SKIPPED))
        failed = len(self.of(StartOutcome.FAILED))
        prefix = "Transfer start FAILED for some tasks" if failed else "Transfer started"
        return f"{prefix}: {started} started, {skipped} skipped, {failed} failed"

    def message(self) -> str:
        """The SNS body: one line per task with its execution ARN or the reason."""
        lines = ["DataSync transfers from EFS to the data lake", ""]
        lines += [result.line() for result in self.results]
        if self.of(StartOutcome.FAILED):
            lines += ["", "The invocation fails so the failure shows in its error metric."]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The handler's return value."""
        return {
            outcome.value: [
                {"taskArn": r.task_arn, "name": r.name, "executionArn": r.execution_arn}
                for r in self.of(outcome)
            ]
            for outcome in StartOutcome
        }


def _start_one(tasks: TransferTasks, task_arn: str) -> StartResult:
    name = task_arn.rsplit("/", 1)[-1]
    try:
        task = tasks.describe_task(task_arn)
        name = task.name
        if task.is_active:
            detail = f"an execution is already {task.status.lower()}"
            if task.current_execution_arn:
                detail += f" ({task.current_execution_arn})"
            return StartResult(
                task_arn, name, StartOutcome.SKIPPED, task.current_execution_arn, detail
            )
        if task.status != "AVAILABLE":
            detail = f"task status is {task.status}, not AVAILABLE"
            return StartResult(task_arn, name, StartOutcome.FAILED, None, detail)
        execution_arn = tasks.start_execution(task_arn)
    except DataSyncError as error:
        return StartResult(task_arn, name, StartOutcome.FAILED, None, str(error))
    return StartResult(task_arn, name, StartOutcome.STARTED, execution_arn)


def start_transfers(
    request: StartRequest,
    *,
    tasks: TransferTasks,
    publisher: Publisher,
    metrics: MetricSink,
) -> StartSummary:
    """Try every requested task, publish the summary and metrics, then raise TransferStartError
    if any task failed."""
    summary = StartSummary([_start_one(tasks, arn) for arn in request.task_arns])
    metrics.add_metric(
        name="TransfersStarted", unit=COUNT, value=len(summary.of(StartOutcome.STARTED))
    )
    metrics.add_metric(
        name="TransfersSkipped", unit=COUNT, value=len(summary.of(StartOutcome.SKIPPED))
    )
    failed = summary.of(StartOutcome.FAILED)
    metrics.add_metric(name="TransferStartFailures", unit=COUNT, value=len(failed))
    publisher.publish(summary.subject(), summary.message())
    if failed:
        raise TransferStartError(
            "could not start: " + "; ".join(f"{r.task_arn}: {r.detail}" for r in failed)
        )
    return summary
