"""Every lab API method but CORS preflight authenticates its caller.

API Gateway runs a method with `authorization: NONE` for anyone who can reach the endpoint. The
lab API signs requests with SigV4 (`AWS_IAM`); a Lambda (`CUSTOM`) or Cognito authorizer is also
authentication, and needs its `authorizerId`. `OPTIONS` is exempt: browsers send CORS preflight
without credentials.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text

__all__ = ["RULE"]

_NEEDS_AUTHORIZER: Final = ("CUSTOM", "COGNITO_USER_POOLS")
_AUTHENTICATING: Final = ("AWS_IAM", *_NEEDS_AUTHORIZER)


def _check(resource: ResourceView) -> Iterator[str]:
    method = as_text(resource.props.get("httpMethod")).upper()
    if method == "OPTIONS":
        return
    authorization = as_text(resource.props.get("authorization")).upper()
    if authorization not in _AUTHENTICATING:
        yield (
            f"method {resource.name} ({method or 'unset'}) has authorization "
            f"{authorization or 'unset'}: anyone who reaches the API can call it"
        )
    elif authorization in _NEEDS_AUTHORIZER and not as_text(resource.props.get("authorizerId")):
        yield f"method {resource.name} uses {authorization} authorization without an authorizerId"


RULE = ResourceRule(
    name="apigateway-method-authorization",
    guards=(
        "aws:apigateway/method:Method.authorization",
        "aws:apigateway/method:Method.authorizerId",
    ),
    description="API Gateway REST methods other than OPTIONS require authorization (never NONE).",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Set authorization="AWS_IAM" (or "CUSTOM"/"COGNITO_USER_POOLS" with authorizer_id) on '
        "the aws.apigateway.Method; only OPTIONS preflight may stay NONE."
    ),
    concern="exposure",
    controls=("FSBP APIGateway.8",),
    resource_types=("aws:apigateway/method:Method",),
    check=_check,
)
