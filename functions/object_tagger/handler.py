"""Lambda entry point of the object tagger: event in, `core.tag_execution` / `core.tag_prefix`,
errors out.

EventBridge invokes it (asynchronously) for "DataSync Task Execution State Change" events
with State SUCCESS, for S3 "Object Created" events of the data buckets (one object: people's
uploads are tagged by the platform), and for the lab sync workflow's "Dataset Prefix
Associated" events (lab event bus, source `genomics.lab`: tag every object under the
dataset's prefix); the fan-out state machine invokes it (synchronously) with Distributed Map batches
(`{"Items": [...], "BatchInput": {"mode": "tag", ...}}`), which it tags and answers with counts.

Raising makes Lambda's asynchronous invocation retry the event and, after the last retry, hand
it to the function's on-failure destination or dead-letter queue (for a batch, the state
machine's Retry and Catch decide); tagging is idempotent, so a retry only finishes what the
first attempt could not.
"""

from __future__ import annotations

import os
from functools import partial
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.common.aws import client_config
from functions.common.batch import is_batch_event, parse_batch_event
from functions.common.datasync_adapter import DataSyncAdapter
from functions.common.events import parse_or_count
from functions.common.notify import Notifier
from functions.common.observability import build_tracer
from functions.common.ports import COUNT
from functions.common.s3_adapter import S3Adapter
from functions.common.states_adapter import StatesAdapter
from functions.object_tagger.config import load_config
from functions.object_tagger.core import tag_batch, tag_execution, tag_object, tag_prefix
from functions.object_tagger.event import (
    DatasetPrefixAssociated,
    ObjectCreated,
    parse_tagger_event,
)

__all__ = ["lambda_handler"]

CONFIG = load_config(os.environ)
logger = Logger()
metrics = Metrics()
tracer = build_tracer()

_s3 = S3Adapter(
    # One connection per worker thread, plus the listing and report reads of the main thread.
    boto3.client("s3", config=client_config(max_pool_connections=CONFIG.max_concurrency + 2))
)
_datasync = DataSyncAdapter(boto3.client("datasync", config=client_config()))
_notifier = Notifier(boto3.client("sns", config=client_config()), CONFIG.topic_arn)
_fan_out = (
    StatesAdapter(
        boto3.client("stepfunctions", config=client_config()), CONFIG.fan_out_state_machine_arn
    )
    if CONFIG.fan_out_state_machine_arn
    else None
)


def _handle_batch(event: dict[str, Any]) -> dict[str, object]:
    batch = parse_or_count(
        partial(parse_batch_event, mode="tag", buckets=CONFIG.bucket_categories),
        event,
        metrics,
        logger,
        "event is not a Distributed Map tagging batch",
        log_event=False,
    )
    logger.append_keys(fan_out_run=batch.run, bucket=batch.bucket)
    result = tag_batch(batch, config=CONFIG, store=_s3, metrics=metrics)
    logger.info("batch tagged", extra={k: v for k, v in result.items() if k != "problems"})
    return result


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """Tag the objects of the execution or lab dataset named by `event`; see the module
    docstring on errors."""
    if is_batch_event(event):
        return _handle_batch(event)
    change = parse_or_count(
        partial(parse_tagger_event, buckets=CONFIG.bucket_categories),
        event,
        metrics,
        logger,
        "event is neither a DataSync execution state change, an S3 Object Created nor a lab "
        "Dataset Prefix Associated",
    )
    if isinstance(change, ObjectCreated):
        logger.append_keys(bucket=change.bucket, key=change.key, event_id=change.event_id)
        result = tag_object(change, config=CONFIG, store=_s3, metrics=metrics)
        logger.info("object tagging finished", extra=result)
        return result
    if isinstance(change, DatasetPrefixAssociated):
        logger.append_keys(
            dataset_id=change.dataset_id, request_id=change.request_id, event_id=change.event_id
        )
        summary = tag_prefix(
            change,
            config=CONFIG,
            store=_s3,
            publisher=_notifier,
            metrics=metrics,
            fan_out=_fan_out,
        )
        logger.info("dataset tagging finished", extra=summary.as_dict())
        return summary.as_dict()
    logger.append_keys(execution_arn=change.execution_arn, event_id=change.event_id)
    if not change.succeeded:
        metrics.add_metric(name="IgnoredEvents", unit=COUNT, value=1)
        logger.info("execution did not succeed; nothing to tag", extra={"state": change.state})
        return {"executionArn": change.execution_arn, "ignored": f"state {change.state}"}
    summary = tag_execution(
        change,
        config=CONFIG,
        datasync=_datasync,
        store=_s3,
        publisher=_notifier,
        metrics=metrics,
        fan_out=_fan_out,
    )
    logger.info("tagging finished", extra=summary.as_dict())
    return summary.as_dict()
