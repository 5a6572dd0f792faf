"""What a preview changes in its own process: only for the run, and the heap only on request.

The run skips pulumi's per-registration stack trace and, in a preview, hands the interpreter
lock to the `Analyze` threads more often; both are put back afterwards, since tests run the
program again and again in one process. Only the command line freezes the run's heap.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Any

import pulumi.runtime.resource as pulumi_resource
import pulumi_aws as aws
import pytest

from tests.support.pack import PACK_DIR
from tools.preview import run as preview_run
from tools.preview.program import ProgramRun, run_callable, run_program
from tools.preview.stack_config import load_stack_config

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bad_program"


def test_stack_traces_are_skipped_during_the_run_only() -> None:
    """Inside the program pulumi's stack-trace hook is replaced; after it, it is pulumi's."""
    original = pulumi_resource._get_stack_trace
    during: list[bool] = []

    def build() -> None:
        during.append(pulumi_resource._get_stack_trace is original)
        aws.sns.Topic("topic")

    run = run_callable(build, "genomics", "test", {"aws:region": "ap-south-1"})
    assert [r.name for r in run.resources] == ["topic"]
    assert during == [False]
    assert pulumi_resource._get_stack_trace is original


def test_only_the_command_line_freezes_the_heap() -> None:
    """A run in a long-lived process leaves its garbage collectable; `freeze_heap` does not."""
    frozen = gc.get_freeze_count()
    run_callable(lambda: None, "genomics", "test", {})
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()
    try:
        run_callable(lambda: None, "genomics", "test", {}, freeze_heap=True)
        assert gc.get_freeze_count() > frozen
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_the_switch_interval_is_short_while_the_program_runs_and_restored_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The `Analyze` threads get the lock every 0.5 ms during the program, not after it."""
    before = sys.getswitchinterval()
    seen: list[float] = []

    def spying_run_program(*args: Any, **kwargs: Any) -> ProgramRun:
        seen.append(sys.getswitchinterval())
        return run_program(*args, **kwargs)

    monkeypatch.setattr(preview_run, "run_program", spying_run_program)
    result = preview_run.preview(
        FIXTURE, "bad-fixture", "bad", load_stack_config(FIXTURE, "bad"), PACK_DIR
    )
    assert result.mandatory
    assert seen == [preview_run._SWITCH_INTERVAL_SECONDS]
    assert seen[0] < before
    assert sys.getswitchinterval() == before
