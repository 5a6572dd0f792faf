"""The forwarder's handler end to end on moto SNS, with real-shaped deliveries."""

from __future__ import annotations

import boto3
import pytest

from functions.common.config import ConfigError
from functions.common.events import MalformedEventError
from tests.functions.common.lambda_env import (
    REGION,
    FakeLambdaContext,
    emf_metrics,
    import_handler,
    sns_messages,
)
from tests.functions.log_alerts.support import container_line, delivery

pytestmark = pytest.mark.moto

HANDLER = "functions.log_alerts.handler"


@pytest.fixture
def topic_arn(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """The alerts topic on moto and the forwarder's environment."""
    arn = boto3.client("sns", region_name=REGION).create_topic(Name="gen-test-alerts")["TopicArn"]
    monkeypatch.setenv("TOPIC_ARN", arn)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("DEDUPE_WINDOW_SECONDS", "900")
    monkeypatch.setenv("MAX_LINES_PER_POD", "5")
    return arn


def test_delivery_is_published_once(
    topic_arn: str, lambda_context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    """A delivery becomes one SNS message; its duplicate in the same environment does not."""
    handler = import_handler(HANDLER)
    event = delivery([container_line("OOMKilled"), container_line("CrashLoopBackOff")])
    handler.lambda_handler(event, lambda_context)
    handler.lambda_handler(event, lambda_context)
    [(subject, message)] = sns_messages(topic_arn)
    assert subject is not None
    assert "bwa-7f9c6d-x2k4p" in subject
    assert "CrashLoopBackOff" in message
    metrics = emf_metrics(capsys.readouterr().out)
    assert metrics["LogLinesSuppressed"] == 2


def test_malformed_delivery_raises(topic_arn: str, lambda_context: FakeLambdaContext) -> None:
    """A payload that is not base64 gzip JSON fails the invocation, so it is retried and kept."""
    handler = import_handler(HANDLER)
    with pytest.raises(MalformedEventError):
        handler.lambda_handler({"awslogs": {"data": "%%%"}}, lambda_context)
    assert sns_messages(topic_arn) == []


def test_missing_setting_stops_cold_start(topic_arn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without DEDUPE_WINDOW_SECONDS the function refuses to start, naming the variable."""
    monkeypatch.delenv("DEDUPE_WINDOW_SECONDS")
    with pytest.raises(ConfigError, match="DEDUPE_WINDOW_SECONDS"):
        import_handler(HANDLER)
