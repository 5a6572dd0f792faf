"""No security group admits traffic from the whole internet."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.networks import is_internet_wide
from policies.props import as_list, as_mapping, as_text

__all__ = ["RULE"]

INGRESS_RULE: Final = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SECURITY_GROUP: Final = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE: Final = "aws:ec2/securityGroupRule:SecurityGroupRule"


def _ports(rule: Mapping[str, Any]) -> str:
    low, high = as_text(rule.get("fromPort")), as_text(rule.get("toPort"))
    return low if low == high else f"{low or '?'}-{high or '?'}"


def _open_cidrs(rule: Mapping[str, Any], *props: str) -> list[str]:
    cidrs = [as_text(c) for prop in props for c in as_list(rule.get(prop))]
    return [cidr for cidr in cidrs if is_internet_wide(cidr)]


def _check(resource: ResourceView) -> Iterator[str]:
    props = resource.props
    if resource.type == INGRESS_RULE:
        rules: list[Mapping[str, Any]] = [props]
        cidr_props: tuple[str, ...] = ("cidrIpv4", "cidrIpv6")
    elif resource.type == SECURITY_GROUP_RULE:
        rules = [props] if as_text(props.get("type")) == "ingress" else []
        cidr_props = ("cidrBlocks", "ipv6CidrBlocks")
    else:
        rules = [as_mapping(rule) for rule in as_list(props.get("ingress"))]
        cidr_props = ("cidrBlocks", "ipv6CidrBlocks")
    for rule in rules:
        open_to = _open_cidrs(rule, *cidr_props)
        if open_to:
            yield (
                f"{resource.name} admits {', '.join(open_to)} on port {_ports(rule)}; "
                "ingress from the whole internet is not allowed"
            )


RULE = ResourceRule(
    name="ec2-security-group-no-world-ingress",
    guards=(
        "aws:ec2/securityGroup:SecurityGroup.ingress[]",
        "aws:ec2/securityGroup:SecurityGroup.ingress[].**",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule.cidrIpv4",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule.cidrIpv6",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule.fromPort",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule.toPort",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule.ipProtocol",
    ),
    description=(
        "Security groups admit no ingress from the internet: 0.0.0.0/0, ::/0 or any other "
        "public range wider than a /8 (IPv6 /16)."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Replace cidr_ipv4/cidr_blocks 0.0.0.0/0 (and ::/0) with the VPC CIDR, a prefix list or "
        "a referenced security group; exempt a public load balancer by name in `exclude`."
    ),
    concern="exposure",
    controls=("FSBP EC2.18",),
    resource_types=(INGRESS_RULE, SECURITY_GROUP, SECURITY_GROUP_RULE),
    check=_check,
)
