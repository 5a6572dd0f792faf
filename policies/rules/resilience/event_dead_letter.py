"""Events EventBridge cannot deliver are kept in a dead-letter queue, never dropped.

An EventBridge target without `deadLetterConfig` drops an event once its retries run out
(EventBridge User Guide, "Using dead-letter queues to process undelivered events"); so does a
Scheduler schedule (EventBridge Scheduler User Guide, "Configuring a schedule's dead-letter
queue"), and a bus under a customer managed key drops the events it cannot encrypt or decrypt
unless the bus names a DLQ (EventBridge User Guide, "Encrypting events": "Configuring a
dead-letter queue for an event bus"). A lost "copy job failed" alert, or a tagging event, is
then silent. The platform alarms on every queue, so a DLQ is also the alarm.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_mapping, as_text, dig

__all__ = ["RULE"]

TARGET: Final = "aws:cloudwatch/eventTarget:EventTarget"
SCHEDULE: Final = "aws:scheduler/schedule:Schedule"
BUS: Final = "aws:cloudwatch/eventBus:EventBus"


def _sqs_arn(value: object) -> str:
    """The queue ARN a `deadLetterConfig` names, or "" when it names none (or not a queue)."""
    arn = as_text(as_mapping(value).get("arn"))
    return arn if arn.startswith("arn:") and arn.split(":")[2:3] == ["sqs"] else ""


def _check(resource: ResourceView) -> Iterator[str]:
    props = resource.props
    if resource.type == TARGET:
        if not _sqs_arn(props.get("deadLetterConfig")):
            yield f"event target {resource.name} names no SQS deadLetterConfig"
        if not as_mapping(props.get("retryPolicy")):
            yield f"event target {resource.name} sets no retryPolicy"
    elif resource.type == SCHEDULE:
        if not _sqs_arn(dig(props.get("target"), "deadLetterConfig")):
            yield f"schedule {resource.name} names no SQS target.deadLetterConfig"
    elif as_text(props.get("kmsKeyIdentifier")) and not _sqs_arn(props.get("deadLetterConfig")):
        yield f"event bus {resource.name} is encrypted with a KMS key but names no deadLetterConfig"


RULE = ResourceRule(
    name="eventbridge-dead-letter-queue",
    description=(
        "EventBridge targets (with a retry policy), Scheduler schedules and KMS-encrypted event "
        "buses name an SQS dead-letter queue."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Create a components.blocks.event_dlq.EventDeadLetterQueue, admit() the rules or bus "
        "that send to it, and pass dead_letter_config={'arn': dlq.arn} (with "
        "retry_policy=EVENT_TARGET_RETRY on event targets; give schedule roles "
        "dlq.sender_statements())."
    ),
    concern="resilience",
    resource_types=(TARGET, SCHEDULE, BUS),
    check=_check,
)
