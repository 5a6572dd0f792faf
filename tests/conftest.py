"""Shared fixtures: one real policy pack process per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pack import PACK_DIR, PackClient
from tests.support.stack_access import StackAccess, access_documents
from tools.preview.analyzer import PolicyPackProcess


@pytest.fixture(scope="session")
def pack_process() -> Iterator[PolicyPackProcess]:
    """The pack, started once the way the engine starts it."""
    with PolicyPackProcess(
        PACK_DIR, project="genomics", stack="test", config={"aws:region": "ap-south-1"}
    ) as process:
        yield process


@pytest.fixture
def pack(pack_process: PolicyPackProcess) -> PackClient:
    """The pack configured with its defaults (each test starts from the default config)."""
    client = PackClient(pack_process)
    client.configure()
    pack_process.configure_stack()
    return client


@pytest.fixture(params=("prod", "dev"))
def stack_access(request: pytest.FixtureRequest) -> StackAccess:
    """The `make access` IAM engine over the prod, then the dev stack's rendered documents."""
    return StackAccess(access_documents(str(request.param)))
