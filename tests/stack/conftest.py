"""The whole program rendered once per stack under the preview's mocks, shared by the
whole-stack tests (wiring, order, reachability, the life of one file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.harness import Registered
from tests.support.stack import rendered

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("prod", "dev")


def rendered_stack(stack: str) -> Registered:
    """The registrations of `stack`, rendered once per test session (tests.support.stack)."""
    return rendered(stack)


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> Registered:
    """Every registration of the prod, then the dev stack."""
    return rendered_stack(str(request.param))
