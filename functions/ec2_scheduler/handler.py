"""Lambda entry point of the EC2 test-hours scheduler, run by two EventBridge schedules.

The evening schedule sends `{"action": "stop"}`, the morning one `{"action": "start"}`. The
function reads the clock itself: a stop inside testing hours is refused (reported, counted as
`StopsRefused`) unless the event says `"force": true`, which is logged as a warning. Per-
instance failures are in the report, the SNS summary and the `SchedulerErrors` metric; they do
not fail the invocation, so an asynchronous retry does not repeat the whole run. A malformed
event raises.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import partial
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.common.aws import client_config
from functions.common.events import parse_or_count
from functions.common.notify import Notifier, publish_summary
from functions.common.observability import build_tracer
from functions.ec2_scheduler.config import load_config
from functions.ec2_scheduler.core import record_metrics, run_schedule
from functions.ec2_scheduler.ec2_adapter import Ec2Adapter
from functions.ec2_scheduler.event import parse_event

__all__ = ["lambda_handler"]

CONFIG = load_config(os.environ)
logger = Logger()
metrics = Metrics()
tracer = build_tracer()

_ec2 = Ec2Adapter(boto3.client("ec2", config=client_config()))


def now() -> datetime:
    """The wall clock the testing-hours check reads (module scope, so tests can set it)."""
    return datetime.now(UTC)


_notifier = Notifier(boto3.client("sns", config=client_config()), CONFIG.topic_arn)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """Stop or start the opted-in instances; see the module docstring on failures."""
    request = parse_or_count(
        partial(parse_event, default_action=CONFIG.action),
        event,
        metrics,
        logger,
        "schedule event is malformed",
    )
    report = run_schedule(request, config=CONFIG, ec2=_ec2, now=now())
    if report.refused:
        logger.warning("stop refused inside testing hours", extra={"refused": report.refused})
    if report.forced:
        logger.warning("stop FORCED inside testing hours", extra={"forced": report.forced})
    record_metrics(report, metrics)
    result = report.as_dict()
    logger.info("scheduler run finished", extra={"report": result})
    result["notified"] = publish_summary(
        _notifier, metrics, logger, report.subject(), report.message()
    )
    return result
