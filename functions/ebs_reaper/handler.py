"""Lambda entry point of the EBS reaper: observed daily, reaped monthly (EventBridge schedules).

`{"mode": "observe"}` marks, refreshes and unmarks; `{"mode": "reap"}` also snapshots and
deletes (`functions.ebs_reaper.core`). An observe run that changed nothing publishes nothing.

Per-volume failures do not fail the invocation: they are in the report, the SNS summary and
the `ReaperErrors` metric (alarm on it). Failing would make Lambda's asynchronous invocation
retry the whole run, and each retry could delete up to another MAX_DELETIONS_PER_RUN volumes.
Only a refusal (wrong account or region, STS unreachable) and a malformed event raise: nothing
was done then, so a retry is harmless. A summary that cannot be published is logged in full
and counted (`NotificationFailures`), never allowed to hide what the run did.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.common.aws import client_config
from functions.common.events import parse_or_count
from functions.common.notify import Notifier, publish_summary
from functions.common.observability import build_tracer
from functions.common.ports import COUNT
from functions.ebs_reaper.aws_types import IdentityError
from functions.ebs_reaper.config import load_config
from functions.ebs_reaper.core import WrongAccountError, reap
from functions.ebs_reaper.ec2_adapter import Ec2Adapter
from functions.ebs_reaper.event import parse_event
from functions.ebs_reaper.report import record_metrics
from functions.ebs_reaper.sts_adapter import StsAdapter

__all__ = ["lambda_handler"]

CONFIG = load_config(os.environ)
logger = Logger()
metrics = Metrics()
tracer = build_tracer()

_ec2 = Ec2Adapter(boto3.client("ec2", config=client_config()))
_sts = StsAdapter(boto3.client("sts", config=client_config()))
_notifier = Notifier(boto3.client("sns", config=client_config()), CONFIG.topic_arn)


def now() -> datetime:
    """The wall clock marks and sightings are stamped with (module scope, so tests can set it)."""
    return datetime.now(UTC)


def _publish(subject: str, message: str) -> bool:
    """Publish the summary through the shared policy: logged and counted, never raised."""
    return publish_summary(_notifier, metrics, logger, subject, message)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """Run the reaper once; see the module docstring on which failures raise."""
    request = parse_or_count(parse_event, event, metrics, logger, "schedule event is malformed")
    try:
        report = reap(request, config=CONFIG, ec2=_ec2, identity=_sts, now=now())
    except (WrongAccountError, IdentityError) as error:
        metrics.add_metric(name="ReaperRefusals", unit=COUNT, value=1)
        logger.exception("reaper refused to run")
        _publish("EBS reaper REFUSED to run: nothing was touched", str(error))
        raise
    record_metrics(report, metrics)
    result = report.as_dict()
    logger.info("reaper run finished", extra={"report": result})
    result["notified"] = (
        _publish(report.subject(), report.message()) if report.noteworthy() else False
    )
    return result
