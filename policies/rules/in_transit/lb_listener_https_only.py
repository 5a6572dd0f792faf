"""Load-balancer listeners serve HTTPS/TLS; a plain-HTTP listener may only redirect to HTTPS."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_list, as_mapping, as_text, dig

__all__ = ["RULE"]


def _redirects_to_https(action: object) -> bool:
    entry = as_mapping(action)
    return (
        as_text(entry.get("type")).lower() == "redirect"
        and as_text(dig(entry, "redirect", "protocol")).upper() == "HTTPS"
    )


def _check(resource: ResourceView) -> Iterator[str]:
    # An ALB listener without a protocol is HTTP; NLB listeners always name theirs.
    protocol = as_text(resource.props.get("protocol")).upper() or "HTTP"
    if protocol != "HTTP":
        return
    actions = as_list(resource.props.get("defaultActions"))
    if not actions or not all(_redirects_to_https(action) for action in actions):
        yield (
            f"listener {resource.name} serves plain HTTP on port "
            f"{as_text(resource.props.get('port')) or '?'} instead of redirecting to HTTPS"
        )


RULE = ResourceRule(
    name="lb-listener-https-only",
    description="Load-balancer listeners use HTTPS or TLS; HTTP listeners only redirect to HTTPS.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Set protocol="HTTPS" with a certificate_arn and an ELBSecurityPolicy-TLS13-* ssl_policy, '
        'or make every default action type="redirect" with redirect.protocol="HTTPS".'
    ),
    concern="in-transit-encryption",
    controls=("FSBP ELB.1",),
    resource_types=("aws:lb/listener:Listener", "aws:alb/listener:Listener"),
    check=_check,
)
