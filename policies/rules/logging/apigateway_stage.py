"""API Gateway stages write access logs and (REST APIs) X-Ray traces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_bool, as_text, dig

__all__ = ["RULES"]

REST_STAGE: Final = "aws:apigateway/stage:Stage"
HTTP_STAGE: Final = "aws:apigatewayv2/stage:Stage"


def _access_logs(resource: ResourceView) -> Iterator[str]:
    if not as_text(dig(resource.props.get("accessLogSettings"), "destinationArn")):
        yield f"stage {resource.name} writes no access logs (accessLogSettings.destinationArn)"


def _tracing(resource: ResourceView) -> Iterator[str]:
    if not as_bool(resource.props.get("xrayTracingEnabled")):
        yield f"stage {resource.name} does not trace requests with X-Ray"


RULES = (
    ResourceRule(
        name="apigateway-stage-access-logging",
        guards=(
            "aws:apigateway/stage:Stage.accessLogSettings",
            "aws:apigateway/stage:Stage.accessLogSettings.**",
        ),
        description="API Gateway stages send access logs to a log destination.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            'Set access_log_settings={"destination_arn": <log group ARN>, "format": ...} on the '
            "aws.apigateway.Stage or aws.apigatewayv2.Stage."
        ),
        concern="logging",
        controls=("FSBP APIGateway.9",),
        resource_types=(REST_STAGE, HTTP_STAGE),
        check=_access_logs,
    ),
    ResourceRule(
        name="apigateway-stage-xray-tracing",
        guards=("aws:apigateway/stage:Stage.xrayTracingEnabled",),
        description="REST API stages trace requests with X-Ray.",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Set xray_tracing_enabled=True on the aws.apigateway.Stage.",
        concern="logging",
        controls=("FSBP APIGateway.3",),
        resource_types=(REST_STAGE,),
        check=_tracing,
    ),
)
