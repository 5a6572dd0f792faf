"""API Gateway speaks TLS 1.2 or newer to clients and never calls its backends over plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text, dig
from policies.rules.common import matches_any

__all__ = ["RULES"]

REST_DOMAIN: Final = "aws:apigateway/domainName:DomainName"
HTTP_DOMAIN: Final = "aws:apigatewayv2/domainName:DomainName"
REST_INTEGRATION: Final = "aws:apigateway/integration:Integration"
HTTP_INTEGRATION: Final = "aws:apigatewayv2/integration:Integration"


def _domain(resource: ResourceView) -> Iterator[str]:
    if resource.type == REST_DOMAIN:
        policy = as_text(resource.props.get("securityPolicy"))
    else:
        policy = as_text(dig(resource.props, "domainNameConfiguration", "securityPolicy"))
    if not matches_any(policy, resource.config["allowedSecurityPolicies"]):
        yield (
            f"domain name {resource.name} uses security policy {policy or 'unset'}; "
            "clients could negotiate TLS older than 1.2"
        )


def _integration(resource: ResourceView) -> Iterator[str]:
    prop = "uri" if resource.type == REST_INTEGRATION else "integrationUri"
    uri = as_text(resource.props.get(prop)).strip()
    if uri.lower().startswith("http://"):
        yield f"integration {resource.name} calls its backend over plain HTTP ({uri})"


RULES = (
    ResourceRule(
        name="apigateway-domain-name-tls12",
        description="API Gateway custom domain names only accept TLS 1.2 or newer.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            'Set security_policy="TLS_1_2" on aws.apigateway.DomainName, or '
            'domain_name_configuration.security_policy="TLS_1_2" on aws.apigatewayv2.DomainName.'
        ),
        concern="in-transit-encryption",
        resource_types=(REST_DOMAIN, HTTP_DOMAIN),
        check=_domain,
        config_properties={
            "allowedSecurityPolicies": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["TLS_1_2", "SecurityPolicy_TLS13_*", "SecurityPolicy_TLS12_*"],
                "description": "Security policies (fnmatch patterns) a domain name may use.",
            }
        },
    ),
    ResourceRule(
        name="apigateway-integration-no-plain-http",
        guards=("aws:apigateway/integration:Integration.uri",),
        description="API Gateway integrations reach their backends over HTTPS, never http://.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Point the integration's uri (REST) or integration_uri (HTTP API) at an https:// "
            "endpoint, or use a VPC link with a TLS listener."
        ),
        concern="in-transit-encryption",
        resource_types=(REST_INTEGRATION, HTTP_INTEGRATION),
        check=_integration,
    ),
)
