"""Lambda entry point of the log forwarder, invoked by CloudWatch Logs subscription filters.

A malformed delivery is logged and re-raised: CloudWatch Logs invokes asynchronously, so the
event is retried and then kept in the function's failure queue instead of vanishing.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.common.aws import client_config
from functions.common.events import parse_or_count
from functions.common.notify import Notifier
from functions.common.observability import build_tracer
from functions.common.ports import COUNT
from functions.log_alerts.config import load_config
from functions.log_alerts.core import DedupeCache, ReportSettings, report_batch
from functions.log_alerts.event import parse_event

__all__ = ["lambda_handler"]

CONFIG = load_config(os.environ)
logger = Logger()
metrics = Metrics()
tracer = build_tracer()

_notifier = Notifier(boto3.client("sns", config=client_config()), CONFIG.topic_arn)
_cache = DedupeCache(CONFIG.dedupe_window_seconds)
"""Lives as long as this execution environment; see functions.log_alerts.core on its limits."""
_settings = ReportSettings(region=CONFIG.region, max_lines_per_pod=CONFIG.max_lines_per_pod)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """Publish one alert for the delivered log lines; see the module docstring on errors."""
    batch = parse_or_count(
        parse_event, event, metrics, logger, "log subscription event is malformed", log_event=False
    )
    summary = report_batch(batch, cache=_cache, publisher=_notifier, settings=_settings)
    metrics.add_metric(name="LogLinesReported", unit=COUNT, value=summary.lines)
    metrics.add_metric(name="LogLinesSuppressed", unit=COUNT, value=summary.suppressed)
    metrics.add_metric(name="LogAlertsPublished", unit=COUNT, value=int(summary.published))
    logger.info("log alert handled", extra={"log_group": batch.log_group, **summary.as_dict()})
    return summary.as_dict()
