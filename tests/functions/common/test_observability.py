"""The tracer helper works where the X-Ray SDK is missing, and keeps handlers unchanged."""

from __future__ import annotations

import importlib.util

import pytest

from functions.common.observability import HandlerTracer, build_tracer


def handler(event: dict[str, str], context: object) -> str:
    return event["name"]


@pytest.mark.skipif(
    importlib.util.find_spec("aws_xray_sdk") is not None, reason="the X-Ray SDK is installed"
)
def test_without_sdk_decorators_pass_functions_through() -> None:
    """Without aws_xray_sdk the decorators return the very function they were given."""
    tracer = build_tracer()
    assert tracer.tracer is None
    assert tracer.capture_lambda_handler(handler) is handler
    assert tracer.capture_method(handler) is handler


def test_pass_through_tracer_runs_the_handler() -> None:
    """A decorated handler still runs and returns its value."""
    traced = HandlerTracer(None).capture_lambda_handler(handler)
    assert traced({"name": "x"}, None) == "x"
