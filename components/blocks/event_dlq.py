"""The dead-letter queue of a component's EventBridge targets and Scheduler schedules.

An event EventBridge cannot deliver (the function throttled past its retries, the topic policy
refused it, the target deleted) is dropped unless the target names a dead-letter queue
(EventBridge User Guide, "Using dead-letter queues to process undelivered events"); the same
holds for a schedule's target (EventBridge Scheduler User Guide, "Configuring a schedule's
dead-letter queue"). Every such queue of the platform is alarmed like the functions' DLQs: the
stack inventory watches every SQS queue by its physical name.

Who may send differs by service, so the queue takes both:

- EventBridge sends as `events.amazonaws.com`: the queue policy admits it only for the named
  rules, or the named event bus for an encrypted bus's own DLQ (`aws:SourceArn`, as the
  EventBridge pages show), and the queue's own key lets it encrypt only for rules and buses of
  this account (`aws:SourceAccount`, `aws:SourceArn`);
- Scheduler sends with the schedule's execution role, which needs `sqs:SendMessage` on the
  queue and the key through SQS (`sender_statements`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import (
    Condition,
    PolicyDocument,
    Principal,
    Statement,
    deny_insecure_transport,
)

__all__ = [
    "EVENT_TARGET_RETRY",
    "EventDeadLetterQueue",
    "EventDeadLetterQueueArgs",
]

_RETENTION_SECONDS: Final = 14 * 24 * 3600
"""SQS's longest retention: time to read and redrive what was dropped."""

EVENT_TARGET_RETRY: Final = aws.cloudwatch.EventTargetRetryPolicyArgs(
    maximum_event_age_in_seconds=6 * 3600, maximum_retry_attempts=20
)
"""Retries of an EventBridge target before its event goes to the DLQ: enough to ride out a
throttled function or a short outage, short enough (EventBridge's default is 24 hours) that the
DLQ alarm shows a broken target the same working day."""


class EventDeadLetterQueueArgs(TypedDict):
    """Inputs of an event dead-letter queue."""

    queue_name: str
    """Physical name: the `QueueName` dimension its alarm names before it exists."""
    key_deletion_window_days: NotRequired[int]
    """Waiting period before the queue's key can be deleted (7-30; default 30)."""


class EventDeadLetterQueue(pulumi.ComponentResource):
    """A KMS-encrypted SQS queue that EventBridge rules and Scheduler schedules dead-letter to."""

    arn: pulumi.Output[str]
    """Queue ARN, for `dead_letter_config.arn` of targets and schedules."""
    key_arn: pulumi.Output[str]
    """The queue's key, for the senders' identity policies."""

    def __init__(
        self,
        name: str,
        args: EventDeadLetterQueueArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("genomics:functions:EventDeadLetterQueue", name, None, opts)
        self._name = name
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._account: pulumi.Output[str] = aws.get_caller_identity_output(opts=invoke).account_id
        self._region: pulumi.Output[str] = aws.get_region_output(opts=invoke).region
        key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the {args['queue_name']} dead-letter queue",
            enable_key_rotation=True,
            deletion_window_in_days=args.get("key_deletion_window_days", 30),
            policy=self._key_policy().render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._queue = aws.sqs.Queue(
            f"{name}-queue",
            name=args["queue_name"],
            kms_master_key_id=key.arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=_RETENTION_SECONDS,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._admitted = False
        self.arn = self._queue.arn
        self.key_arn = key.arn
        self.register_outputs({"arn": self.arn, "key_arn": self.key_arn})

    def _key_policy(self) -> PolicyDocument:
        """The account administers the key through IAM; EventBridge may encrypt dead letters
        for this account's rules and buses only (which of them may send is the queue policy's
        business)."""
        events = pulumi.Output.concat("arn:aws:events:", self._region, ":", self._account, ":")
        account_root = pulumi.Output.concat("arn:aws:iam::", self._account, ":root")
        return PolicyDocument(
            Statement(
                sid="EnableIamPoliciesOfThisAccount",
                effect="Allow",
                principal=Principal("AWS", (account_root,)),
                actions=("kms:*",),
                resources=("*",),
            ),
            Statement(
                sid="EventBridgeEncryptsDeadLetters",
                effect="Allow",
                principal=Principal("Service", ("events.amazonaws.com",)),
                actions=("kms:Decrypt", "kms:GenerateDataKey"),
                resources=("*",),
                conditions=(
                    Condition("StringEquals", "aws:SourceAccount", self._account),
                    Condition(
                        "ArnLike",
                        "aws:SourceArn",
                        pulumi.Output.concat(events, "rule/*"),
                        pulumi.Output.concat(events, "event-bus/*"),
                    ),
                ),
            ),
        )

    def admit(self, source_arns: Sequence[pulumi.Input[str]]) -> aws.sqs.QueuePolicy:
        """Write the queue policy: TLS only, and EventBridge may send for `source_arns` only
        (the rules whose targets dead-letter here, or the bus whose DLQ this is).

        Called once, after the sources exist; a queue only schedules dead-letter to still gets
        its TLS-only policy (pass no sources).
        """
        if self._admitted:
            raise ValueError(f"{self._name}: admit() writes the one queue policy; call it once")
        self._admitted = True
        statements = [
            deny_insecure_transport("DenyInsecureTransport", ("sqs:*",), (self._queue.arn,))
        ]
        if source_arns:
            statements.append(
                Statement(
                    sid="EventBridgeRulesSendDeadLetters",
                    effect="Allow",
                    principal=Principal("Service", ("events.amazonaws.com",)),
                    actions=("sqs:SendMessage",),
                    resources=(self._queue.arn,),
                    conditions=(Condition("ArnEquals", "aws:SourceArn", *source_arns),),
                )
            )
        return aws.sqs.QueuePolicy(
            f"{self._name}-policy",
            queue_url=self._queue.url,
            policy=PolicyDocument(*statements).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def sender_statements(self) -> list[dict[str, Any]]:
        """Identity-policy statements a Scheduler execution role needs to dead-letter here:
        send to this queue, and the queue's key only through SQS in this region."""
        via_sqs = pulumi.Output.concat("sqs.", self._region, ".amazonaws.com")
        return [
            {
                "Sid": "SendDeadLetters",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": [self._queue.arn],
            },
            {
                "Sid": "EncryptDeadLetters",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": [self.key_arn],
                "Condition": {"StringEquals": {"kms:ViaService": via_sqs}},
            },
        ]
