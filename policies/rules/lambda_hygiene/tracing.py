"""Lambda functions trace invocations with X-Ray, so a slow transfer can be followed end to end."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text, dig

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    mode = as_text(dig(resource.props.get("tracingConfig"), "mode")) or "PassThrough"
    if mode != "Active":
        yield f"function {resource.name} has tracing mode {mode}, not Active"


RULE = ResourceRule(
    name="lambda-function-tracing-active",
    guards=("aws:lambda/function:Function.tracingConfig",),
    description="Lambda functions have active X-Ray tracing.",
    severity=Severity.LOW,
    enforcement=EnforcementLevel.ADVISORY,
    remediation='Set tracing_config={"mode": "Active"} on the aws.lambda_.Function.',
    concern="lambda-hygiene",
    resource_types=("aws:lambda/function:Function",),
    check=_check,
)
