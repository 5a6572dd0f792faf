"""The Powertools Tracer, typed, and usable where the X-Ray SDK is not installed.

Powertools' `Tracer` imports `aws_xray_sdk` as soon as it is constructed, even when tracing is
disabled, and the SDK is an optional extra (`aws-lambda-powertools[tracer]`, or the Powertools
Lambda layer). Tests and benchmarks run outside Lambda, where Powertools disables tracing anyway,
so there the decorators pass functions through unchanged. Inside Lambda a missing SDK is logged
loudly and the function keeps working untraced: tracing is observability, not correctness, and a
packaging slip should not take a data pipeline down.

The wrapper also keeps the handler's type: `Tracer.capture_lambda_handler` is annotated to
return `Callable[..., Any]`, which would erase the handler's signature under mypy strict.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Tracer

__all__ = ["HandlerTracer", "build_tracer"]

F = TypeVar("F", bound=Callable[..., Any])
_LOG = logging.getLogger(__name__)


class HandlerTracer:
    """The `Tracer` decorators the functions use; pass-through when `tracer` is None."""

    def __init__(self, tracer: Tracer | None) -> None:
        self.tracer = tracer

    def capture_lambda_handler(self, lambda_handler: F) -> F:
        """Trace the handler (Powertools wraps it without changing its signature)."""
        if self.tracer is None:
            return lambda_handler
        return cast("F", self.tracer.capture_lambda_handler(lambda_handler))

    def capture_method(self, method: F) -> F:
        """Trace a method or function as its own subsegment."""
        if self.tracer is None:
            return method
        return self.tracer.capture_method(method)


def build_tracer() -> HandlerTracer:
    """A real `Tracer` when the X-Ray SDK can be imported, else pass-through decorators."""
    if importlib.util.find_spec("aws_xray_sdk") is not None:
        return HandlerTracer(Tracer())
    if os.environ.get("LAMBDA_TASK_ROOT"):
        _LOG.error(
            "aws_xray_sdk is not installed, so this function runs without X-Ray tracing; "
            "package aws-lambda-powertools[tracer] or attach the Powertools layer"
        )
    return HandlerTracer(None)
