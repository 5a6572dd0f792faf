"""Lambda function URLs require IAM authentication."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    if as_text(resource.props.get("authorizationType")).upper() != "AWS_IAM":
        yield (
            f"function URL {resource.name} has authorizationType "
            f"{as_text(resource.props.get('authorizationType')) or 'unset'}: anyone on the "
            "internet can invoke the function"
        )


RULE = ResourceRule(
    name="lambda-function-url-iam-auth",
    description="Lambda function URLs use AWS_IAM authorization, never NONE.",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    remediation='Set authorization_type="AWS_IAM" on the aws.lambda_.FunctionUrl.',
    concern="exposure",
    resource_types=("aws:lambda/functionUrl:FunctionUrl",),
    check=_check,
)
