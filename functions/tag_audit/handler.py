"""Lambda entry point of the daily tag audit: schedule event in, `core.run_audit`, errors out.

A raised error marks the invocation failed (the Errors metric and the async retry policy see
it) only after the alert went out, so people hear about findings even from an incomplete run.

The fan-out state machine invokes it with Distributed Map batches (`{"Items": [...],
"BatchInput": {"mode": "audit", ...}}`): it audits the batch, writes the batch's findings as one
JSON-lines part and returns counts.
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
from functions.common.batch import is_batch_event, parse_batch_event
from functions.common.events import parse_or_count
from functions.common.notify import MAX_MESSAGE_BYTES, Notifier
from functions.common.observability import build_tracer
from functions.common.s3_adapter import S3Adapter
from functions.common.states_adapter import StatesAdapter
from functions.tag_audit.cloudwatch_adapter import CloudWatchAdapter
from functions.tag_audit.config import load_config
from functions.tag_audit.core import FanOut, audit_batch, run_audit
from functions.tag_audit.event import parse_event

__all__ = ["lambda_handler"]

CONFIG = load_config(os.environ)
logger = Logger()
metrics = Metrics()
tracer = build_tracer()

_s3 = S3Adapter(
    # One connection per worker thread, plus the listing and report upload of the main thread.
    boto3.client("s3", config=client_config(max_pool_connections=CONFIG.max_concurrency + 2))
)
_notifier = Notifier(boto3.client("sns", config=client_config()), CONFIG.topic_arn)
_fan_out = (
    FanOut(
        counter=CloudWatchAdapter(boto3.client("cloudwatch", config=client_config())),
        starter=StatesAdapter(
            boto3.client("stepfunctions", config=client_config()),
            CONFIG.fan_out_state_machine_arn,
        ),
    )
    if CONFIG.fan_out_state_machine_arn
    else None
)


def _handle_batch(event: dict[str, Any]) -> dict[str, object]:
    batch = parse_or_count(
        partial(parse_batch_event, mode="audit", buckets=CONFIG.bucket_categories),
        event,
        metrics,
        logger,
        "event is not a Distributed Map audit batch",
        log_event=False,
    )
    logger.append_keys(fan_out_run=batch.run, bucket=batch.bucket)
    result = audit_batch(batch, config=CONFIG, store=_s3, metrics=metrics)
    logger.info("batch audited", extra=result)
    return result


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """Audit every configured bucket; see the module docstring on errors."""
    if is_batch_event(event):
        return _handle_batch(event)
    request = parse_or_count(
        partial(parse_event, now=datetime.now(UTC)),
        event,
        metrics,
        logger,
        "schedule event is malformed",
    )
    summary = run_audit(
        request,
        config=CONFIG,
        store=_s3,
        publisher=_notifier,
        metrics=metrics,
        max_message_bytes=MAX_MESSAGE_BYTES,
        fan_out=_fan_out,
    )
    logger.info("tag audit finished", extra=summary.as_dict())
    return summary.as_dict()
