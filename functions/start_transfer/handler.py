"""Lambda entry point of the transfer starter, run by EventBridge Scheduler.

Raising after the summary marks the invocation failed, so a task that could not start shows in
the function's error metric and alarm while the others still ran.
"""

from __future__ import annotations

import os
from functools import partial
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.common.aws import client_config
from functions.common.datasync_adapter import DataSyncAdapter
from functions.common.events import parse_or_count
from functions.common.notify import Notifier
from functions.common.observability import build_tracer
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
    request = parse_or_count(
        partial(parse_event, configured=CONFIG.task_arns),
        event,
        metrics,
        logger,
        "schedule event is malformed",
    )
    summary = start_transfers(request, tasks=_datasync, publisher=_notifier, metrics=metrics)
    logger.info("transfers started", extra=summary.as_dict())
    return summary.as_dict()
