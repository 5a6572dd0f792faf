"""The whole program recorded once per stack, for tests that cross component boundaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.harness import Registered
from tools.preview.program import run_program
from tools.preview.stack_config import load_stack_config

ROOT = Path(__file__).resolve().parents[2]


def _record(stack: str) -> Registered:
    run = run_program(ROOT, "genomics", stack, load_stack_config(ROOT, stack))
    return Registered(run.resources)


@pytest.fixture(scope="session")
def prod_stack() -> Registered:
    """Every registration of the prod program."""
    return _record("prod")


@pytest.fixture(scope="session")
def dev_stack() -> Registered:
    """Every registration of the dev program."""
    return _record("dev")
