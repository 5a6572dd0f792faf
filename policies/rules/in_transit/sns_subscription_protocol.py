"""SNS subscriptions deliver only over protocols that encrypt the message in transit.

An `http` subscription posts every message, in clear text, to its endpoint ("http – delivery of
JSON-encoded message via HTTP POST", Amazon SNS Developer Guide, Subscribe `Protocol`); `https`
is the same delivery over TLS. Alerts name buckets, roles and sample identifiers, so a plain-HTTP
endpoint leaks them to the path. An `https` subscription must also name an https:// endpoint.
The protocol is compared case-insensitively, so `HTTP` is no way round the rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text

__all__ = ["RULE"]

SUBSCRIPTION: Final = "aws:sns/topicSubscription:TopicSubscription"


def _check(resource: ResourceView) -> Iterator[str]:
    protocol = as_text(resource.props.get("protocol")).strip().lower()
    denied = [str(p).lower() for p in resource.config["deniedProtocols"]]
    if protocol in denied:
        yield f"subscription {resource.name} delivers over {protocol}, which is not encrypted"
    endpoint = as_text(resource.props.get("endpoint")).strip().lower()
    if protocol == "https" and not endpoint.startswith("https://"):
        yield f"https subscription {resource.name} names a non-https endpoint"


RULE = ResourceRule(
    name="sns-subscription-encrypted-protocol",
    description="SNS subscriptions never deliver over plain HTTP.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Set protocol="https" with an https:// endpoint (or sqs, lambda, email) on the '
        "aws.sns.TopicSubscription."
    ),
    concern="in-transit-encryption",
    resource_types=(SUBSCRIPTION,),
    guards=(f"{SUBSCRIPTION}.protocol", f"{SUBSCRIPTION}.endpoint"),
    check=_check,
    config_properties={
        "deniedProtocols": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["http"],
            "description": "Subscription protocols that deliver without TLS.",
        }
    },
)
