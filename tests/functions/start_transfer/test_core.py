"""Starting transfers on an in-memory DataSync: start, skip busy tasks, fail after the summary."""

from __future__ import annotations

import pytest

from functions.common.datasync_types import DataSyncError, TaskInfo
from functions.start_transfer.core import (
    StartOutcome,
    StartSummary,
    TransferStartError,
    start_transfers,
)
from functions.start_transfer.event import StartRequest
from tests.functions.common.fakes import FakeMetrics, FakePublisher

PREFIX = "arn:aws:datasync:ap-south-1:123456789012:task/task-"
RAW, PROC, REF = (f"{PREFIX}{n:017x}" for n in (1, 2, 3))


class FakeTasks:
    """Tasks with a status; starting one makes it RUNNING with a new execution ARN."""

    def __init__(self, statuses: dict[str, str], *, failing: frozenset[str] = frozenset()) -> None:
        self.statuses = dict(statuses)
        self.current: dict[str, str] = {}
        self.failing = failing
        self.started: list[str] = []

    def describe_task(self, task_arn: str) -> TaskInfo:
        name = {RAW: "raw-sequence", PROC: "processed-genome", REF: "reference"}[task_arn]
        return TaskInfo(task_arn, name, self.statuses[task_arn], self.current.get(task_arn))

    def start_execution(self, task_arn: str) -> str:
        if task_arn in self.failing:
            raise DataSyncError("LimitExceeded", code="InvalidRequestException")
        execution = f"{task_arn}/execution/exec-{len(self.started) + 1:017x}"
        self.started.append(task_arn)
        self.statuses[task_arn] = "RUNNING"
        self.current[task_arn] = execution
        return execution


def run(
    tasks: FakeTasks, publisher: FakePublisher, metrics: FakeMetrics | None = None
) -> StartSummary:
    return start_transfers(
        StartRequest((RAW, PROC, REF)),
        tasks=tasks,
        publisher=publisher,
        metrics=metrics or FakeMetrics(),
    )


def test_available_tasks_are_started_and_reported() -> None:
    """Each available task is started once, and the summary names it with its execution ARN."""
    tasks = FakeTasks({RAW: "AVAILABLE", PROC: "AVAILABLE", REF: "AVAILABLE"})
    publisher = FakePublisher()
    summary = run(tasks, publisher)
    assert tasks.started == [RAW, PROC, REF]
    [(subject, message)] = publisher.messages
    assert subject == "Transfer started: 3 started, 0 skipped, 0 failed"
    assert f"raw-sequence: started {tasks.current[RAW]}" in message
    assert [r.outcome for r in summary.results] == [StartOutcome.STARTED] * 3


def test_busy_task_is_skipped_not_failed() -> None:
    """A task with a running or queued execution is skipped and reported with that execution."""
    tasks = FakeTasks({RAW: "RUNNING", PROC: "QUEUED", REF: "AVAILABLE"})
    tasks.current[RAW] = f"{RAW}/execution/exec-00000000000000009"
    publisher = FakePublisher()
    summary = run(tasks, publisher)
    assert tasks.started == [REF]
    assert [r.outcome for r in summary.results][:2] == [StartOutcome.SKIPPED] * 2
    assert "raw-sequence: skipped, an execution is already running" in publisher.messages[0][1]
    assert tasks.current[RAW] in publisher.messages[0][1]


def test_second_run_skips_what_the_first_started() -> None:
    """A duplicate schedule firing starts nothing new."""
    tasks = FakeTasks({RAW: "AVAILABLE", PROC: "AVAILABLE", REF: "AVAILABLE"})
    run(tasks, FakePublisher())
    summary = run(tasks, FakePublisher())
    assert len(tasks.started) == 3
    assert all(r.outcome is StartOutcome.SKIPPED for r in summary.results)


def test_one_failure_does_not_stop_the_others_and_fails_after_the_summary() -> None:
    """A task that cannot start is reported; later tasks still start; then the call fails."""
    tasks = FakeTasks(
        {RAW: "AVAILABLE", PROC: "AVAILABLE", REF: "AVAILABLE"}, failing=frozenset({PROC})
    )
    publisher, metrics = FakePublisher(), FakeMetrics()
    with pytest.raises(TransferStartError, match=PROC):
        run(tasks, publisher, metrics)
    assert tasks.started == [RAW, REF]
    [(subject, message)] = publisher.messages
    assert "FAILED" in subject
    assert "processed-genome" in message
    assert "LimitExceeded" in message
    assert metrics.values == {
        "TransfersStarted": 2,
        "TransfersSkipped": 0,
        "TransferStartFailures": 1,
    }


def test_unavailable_task_is_a_failure() -> None:
    """A task DataSync marks UNAVAILABLE is not started and counts as a failure."""
    tasks = FakeTasks({RAW: "UNAVAILABLE", PROC: "AVAILABLE", REF: "AVAILABLE"})
    with pytest.raises(TransferStartError, match="UNAVAILABLE"):
        run(tasks, FakePublisher())
    assert tasks.started == [PROC, REF]


def test_describe_failure_is_a_failure_named_by_arn() -> None:
    """When the task cannot even be described, it is reported by ARN and the others go on."""

    class Broken(FakeTasks):
        def describe_task(self, task_arn: str) -> TaskInfo:
            if task_arn == RAW:
                raise DataSyncError("AccessDenied", code="AccessDeniedException")
            return super().describe_task(task_arn)

    tasks = Broken({RAW: "AVAILABLE", PROC: "AVAILABLE", REF: "AVAILABLE"})
    publisher = FakePublisher()
    with pytest.raises(TransferStartError):
        run(tasks, publisher)
    assert RAW in publisher.messages[0][1]
    assert tasks.started == [PROC, REF]
