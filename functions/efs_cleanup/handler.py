"""Lambda entry point of the EFS scratch clean-up, run by EventBridge schedules.

The function runs in the VPC with the scratch area mounted through an EFS access point at
MOUNT_PATH. `{"phase": "announce"}` publishes the "starting soon" notice, `{"phase": "clean"}`
cleans within the invocation's remaining time and publishes "done" (or "paused"), and
`{"phase": "resume"}` continues an unfinished cycle and stays silent when there is none.
Per-file and per-root problems are in the report and the `CleanupErrors` metric; they do not
fail the invocation (a retry would only repeat the walk). A malformed event raises.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.common.aws import client_config
from functions.common.events import parse_or_count
from functions.common.notify import Notifier, publish_summary
from functions.common.observability import build_tracer
from functions.common.ports import COUNT
from functions.efs_cleanup.config import load_config
from functions.efs_cleanup.core import Clock, announce, clean
from functions.efs_cleanup.event import Phase, parse_event
from functions.efs_cleanup.report import record_metrics
from functions.efs_cleanup.s3_adapter import S3HeadAdapter
from functions.efs_cleanup.verify import S3CopyVerifier

__all__ = ["lambda_handler"]

CONFIG = load_config(os.environ)
logger = Logger()
metrics = Metrics()
tracer = build_tracer()

_notifier = Notifier(boto3.client("sns", config=client_config()), CONFIG.topic_arn)
_verifier = (
    S3CopyVerifier(CONFIG.s3_copy, S3HeadAdapter(boto3.client("s3", config=client_config())))
    if CONFIG.s3_copy is not None
    else None
)


CLOCK = Clock()
"""Wall and monotonic time of every run (module scope, so tests can set it)."""


def _publish(subject: str, message: str) -> bool:
    """Publish the summary through the shared policy: logged and counted, never raised."""
    return publish_summary(_notifier, metrics, logger, subject, message)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """Announce, clean or resume; see the module docstring."""
    request = parse_or_count(parse_event, event, metrics, logger, "schedule event is malformed")
    if request.phase is Phase.ANNOUNCE:
        notice = announce(request, config=CONFIG)
        metrics.add_metric(name="CleanupAnnounced", unit=COUNT, value=1)
        result = notice.as_dict()
        result["notified"] = _publish(notice.subject(), notice.message())
        return result
    report = clean(
        request,
        config=CONFIG,
        remaining_ms=context.get_remaining_time_in_millis(),
        verifier=_verifier,
        clock=CLOCK,
    )
    if report.nothing_pending:
        metrics.add_metric(name="ResumeNothingPending", unit=COUNT, value=1)
        logger.info("nothing to resume")
        return report.as_dict()
    record_metrics(report, metrics)
    result = report.as_dict()
    logger.info("clean-up run finished", extra={"report": result})
    result["notified"] = _publish(report.subject(), report.message())
    return result
