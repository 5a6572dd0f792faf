"""The whole program rendered once per stack under the preview's mocks, shared by the
whole-stack tests (wiring, order, reachability, the life of one file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.harness import Registered
from tools.preview.program import ProgramRun, run_program
from tools.preview.stack_config import load_stack_config

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("prod", "dev")

_RUNS: dict[str, ProgramRun] = {}


def rendered_run(stack: str) -> ProgramRun:
    """One run of the program for `stack`, once per test session."""
    if stack not in _RUNS:
        _RUNS[stack] = run_program(ROOT, "genomics", stack, load_stack_config(ROOT, stack))
    return _RUNS[stack]


def rendered_stack(stack: str) -> Registered:
    """The registrations of `stack`, rendered once per test session."""
    return Registered(rendered_run(stack).resources)


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> Registered:
    """Every registration of the prod, then the dev stack."""
    return rendered_stack(str(request.param))
