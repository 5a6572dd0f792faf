"""Instances answer metadata requests only with a session token (IMDSv2).

IMDSv1 answers a plain GET, so any SSRF in a pod or a Batch job reads the node role's
credentials. `metadataOptions.httpTokens = "required"` turns it off; `"optional"` or leaving
the options out (the AMI's or account's default then decides) keeps it. An endpoint that is
`disabled` serves no metadata at all and is fine.
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_mapping, as_text

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    options = as_mapping(resource.props.get("metadataOptions"))
    if as_text(options.get("httpEndpoint")).lower() == "disabled":
        return
    tokens = as_text(options.get("httpTokens"))
    if tokens.lower() != "required":
        yield (
            f"{resource.name}: metadataOptions.httpTokens is {tokens or 'unset'}, so instances "
            "answer IMDSv1 requests without a session token"
        )


RULE = ResourceRule(
    name="ec2-imdsv2-required",
    guards=(
        "aws:ec2/launchTemplate:LaunchTemplate.metadataOptions.httpTokens",
        "aws:ec2/launchTemplate:LaunchTemplate.metadataOptions.httpEndpoint",
    ),
    description="Launch templates and instances require IMDSv2 session tokens (httpTokens).",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Set metadata_options={"http_endpoint": "enabled", "http_tokens": "required"} on the '
        "aws.ec2.LaunchTemplate or aws.ec2.Instance."
    ),
    concern="exposure",
    controls=("FSBP EC2.8", "FSBP EC2.170", "CIS v3.0.0 5.6"),
    resource_types=("aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"),
    check=_check,
)
