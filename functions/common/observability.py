"""Build the Powertools Tracer even where the X-Ray SDK is not installed.

Powertools' `Tracer` imports `aws_xray_sdk` as soon as it is constructed, even when tracing is
disabled, and the SDK is an optional extra (`aws-lambda-powertools[tracer]`, or the Powertools
Lambda layer). Tests and benchmarks run outside Lambda, where Powertools disables tracing anyway,
so there a no-op tracer with the same decorators stands in. Inside Lambda a missing SDK is
logged loudly and the function keeps working untraced: tracing is observability, not
correctness, and a packaging slip should not take a data pipeline down.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Tracer

__all__ = ["NoOpTracer", "build_tracer"]

F = TypeVar("F", bound=Callable[..., Any])
_LOG = logging.getLogger(__name__)


class NoOpTracer:
    """The decorators of `Tracer` that the functions use, doing nothing."""

    def capture_lambda_handler(self, lambda_handler: F) -> F:
        """Return the handler unchanged."""
        return lambda_handler

    def capture_method(self, method: F) -> F:
        """Return the method unchanged."""
        return method


def build_tracer() -> Tracer | NoOpTracer:
    """A real `Tracer` when the X-Ray SDK can be imported, else a `NoOpTracer`."""
    if importlib.util.find_spec("aws_xray_sdk") is not None:
        return Tracer()
    if os.environ.get("LAMBDA_TASK_ROOT"):
        _LOG.error(
            "aws_xray_sdk is not installed, so this function runs without X-Ray tracing; "
            "package aws-lambda-powertools[tracer] or attach the Powertools layer"
        )
    return NoOpTracer()
