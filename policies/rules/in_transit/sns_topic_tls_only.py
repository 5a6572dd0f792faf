"""Every SNS topic has a policy that refuses publishing without TLS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.iam import denies_without_tls, statements

__all__ = ["RULE"]

TOPIC: Final = "aws:sns/topic:Topic"
TOPIC_POLICY: Final = "aws:sns/topicPolicy:TopicPolicy"


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for topic in stack.of_type(TOPIC):
        documents = [topic.props.get("policy")] + [
            policy.props.get("policy")
            for policy in stack.referencing(topic, TOPIC_POLICY, prop="arn")
        ]
        if not any(
            denies_without_tls(s, ("sns:Publish",)) for d in documents for s in statements(d)
        ):
            yield (
                f"topic {topic.name}: no topic policy denies sns:Publish for all principals "
                "when aws:SecureTransport = false",
                topic.urn,
            )


RULE = StackRule(
    name="sns-topic-tls-only",
    guards=("aws:sns/topicPolicy:TopicPolicy.policy",),
    description="Every SNS topic has a policy that denies publishing without TLS.",
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Attach an aws.sns.TopicPolicy (arn = the topic's ARN) with a statement Effect=Deny, "
        "Principal=*, Action=sns:Publish, Resource=topic ARN, "
        'Condition={"Bool": {"aws:SecureTransport": "false"}}.'
    ),
    concern="in-transit-encryption",
    check=_check,
)
