"""Lambda entry point of the transfer starter, run by EventBridge Scheduler.

Raising after the summary marks the invocation failed, so a task that could not start shows in
the function's error metric and alarm while the others still ran.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.common.aws import client_config
from functions.common.datasync_adapter import DataSyncAdapter
from functions.common.events import MalformedEventError
from functions.common.notify import Notifier
from functions.common.observability import build_tracer
from functions.common.ports import COUNT
from functions.start_transfer.config import load_config
from functions.start_transfer.core import start_transfers
from functions.start_transfer.event import parse_event

__all__ = ["lambda_handler"]

CONFIG = load_config(os.environ)
logger = Logger()
metrics = Metrics()
tracer = build_tracer()

_datasync = DataSyncAdapter(boto3.client("datasync", config=client_config()))
_notifier = Notifier(boto3.client("sns", config=client_config()), CONFIG.topic_arn)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """Start the configured (or requested) DataSync tasks; see the module docstring on errors."""
    try:
        request = parse_event(event, configured=CONFIG.task_arns)
    except MalformedEventError:
        metrics.add_metric(name="MalformedEvents", unit=COUNT, value=1)
        logger.exception("schedule event is malformed", extra={"event": event})
        raise
    summary = start_transfers(request, tasks=_datasync, publisher=_notifier, metrics=metrics)
    logger.info("transfers started", extra=summary.as_dict())
    return summary.as_dict()
