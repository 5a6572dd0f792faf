"""The whole program recorded once per stack, for tests that cross component boundaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.harness import Registered
from tests.support.stack import rendered
from tools.census import HEALTHOMICS_ELSEWHERE

ROOT = Path(__file__).resolve().parents[2]


def _record(stack: str) -> Registered:
    return rendered(stack)


@pytest.fixture(scope="session")
def prod_stack() -> Registered:
    """Every registration of the prod program."""
    return _record("prod")


@pytest.fixture(scope="session")
def omics_stack() -> Registered:
    """Every registration of prod's program with HealthOmics enabled where it is offered."""
    return rendered("prod", HEALTHOMICS_ELSEWHERE)


@pytest.fixture(scope="session")
def dev_stack() -> Registered:
    """Every registration of the dev program."""
    return _record("dev")
