"""Fixtures that let handler tests import a handler the way Lambda would, against moto."""

from __future__ import annotations

import importlib
import json
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Final

import pytest
from moto import mock_aws
from moto.sns.models import sns_backends

__all__ = [
    "REGION",
    "FakeLambdaContext",
    "aws_env",
    "emf_metrics",
    "import_handler",
    "lambda_context",
    "mocked_aws",
    "sns_messages",
]

REGION: Final = "ap-south-1"
MOTO_ACCOUNT_ID: Final = "123456789012"
"""The account moto answers as by default."""


@dataclass(frozen=True)
class FakeLambdaContext:
    """The attributes Powertools' Logger reads from Lambda's context object."""

    function_name: str = "test-function"
    function_version: str = "$LATEST"
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:test-function"
    memory_limit_in_mb: int = 256
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "2026/01/01/[$LATEST]0"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Region, fake credentials and Powertools settings, as Lambda's environment would hold."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "GenomicsPlatformTest")
    # A fresh service name per test gives a fresh Powertools logger, whose handler binds to the
    # stdout of this test (pytest's capture streams close between tests).
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"test-function-{uuid.uuid4().hex[:8]}")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)


@pytest.fixture
def mocked_aws(aws_env: None) -> Iterator[None]:
    """Every AWS call in the test goes to moto."""
    with mock_aws():
        yield


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


def import_handler(module_name: str) -> ModuleType:
    """Import the handler fresh, so its cold-start code reads the test's environment."""
    sys.modules.pop(module_name, None)
    return importlib.import_module(module_name)


def sns_messages(topic_arn: str) -> list[tuple[str | None, str]]:
    """(subject, message) of everything moto's SNS received on `topic_arn`."""
    topic = sns_backends[MOTO_ACCOUNT_ID][REGION].topics[topic_arn]
    return [(subject, message) for _, message, subject, _, _ in topic.sent_notifications]


def emf_metrics(stdout: str) -> dict[str, float]:
    """Metric values from the EMF documents Powertools printed."""
    values: dict[str, float] = {}
    for line in stdout.splitlines():
        if '"_aws"' not in line:
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                raw = document[metric["Name"]]
                values[metric["Name"]] = sum(raw) if isinstance(raw, list) else raw
    return values
