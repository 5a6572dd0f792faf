"""The VPC's default security group allows no traffic at all.

Anything launched without a group lands in the default one, so it must hold no rules: "the
default security group ... should not allow inbound or outbound traffic" (AWS Security Hub,
[EC2.2] "VPC default security groups should not allow inbound or outbound traffic"). pulumi-aws
adopts the default group through `aws.ec2.DefaultSecurityGroup` and removes every rule the
resource does not list, so an empty (or absent) `ingress` and `egress` is the closed group.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_list

__all__ = ["RULE"]

DEFAULT_SECURITY_GROUP: Final = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"


def _check(resource: ResourceView) -> Iterator[str]:
    for direction in ("ingress", "egress"):
        count = len(as_list(resource.props.get(direction)))
        if count:
            yield f"the default security group {resource.name} holds {count} {direction} rule(s)"


RULE = ResourceRule(
    name="ec2-default-security-group-closed",
    description="The VPC's default security group has no ingress and no egress rules.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Remove ingress and egress from the aws.ec2.DefaultSecurityGroup (it then strips every "
        "rule) and give the workloads their own aws.ec2.SecurityGroup."
    ),
    concern="exposure",
    controls=("FSBP EC2.2",),
    resource_types=(DEFAULT_SECURITY_GROUP,),
    guards=(f"{DEFAULT_SECURITY_GROUP}.ingress[].**", f"{DEFAULT_SECURITY_GROUP}.egress[].**"),
    check=_check,
)
