"""A public EKS API endpoint is reachable only from named networks, never the whole internet."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.networks import is_internet_wide
from policies.props import as_list, as_text, dig

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    vpc_config = resource.props.get("vpcConfig")
    public = dig(vpc_config, "endpointPublicAccess")
    if public is False or as_text(public).lower() == "false":
        return
    # EKS defaults to a public endpoint open to 0.0.0.0/0 when these are unset.
    cidrs = [as_text(c) for c in as_list(dig(vpc_config, "publicAccessCidrs"))] or ["0.0.0.0/0"]
    open_to = [cidr for cidr in cidrs if is_internet_wide(cidr)]
    if open_to:
        yield (f"cluster {resource.name} exposes its public API endpoint to {', '.join(open_to)}")


RULE = ResourceRule(
    name="eks-cluster-endpoint-restricted",
    guards=(
        "aws:eks/cluster:Cluster.vpcConfig.endpointPublicAccess",
        "aws:eks/cluster:Cluster.vpcConfig.publicAccessCidrs",
    ),
    description="A public EKS API endpoint is limited to named CIDRs, never 0.0.0.0/0.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set vpc_config.endpoint_public_access=False (with endpoint_private_access=True), or "
        "set vpc_config.public_access_cidrs to the office/VPN ranges."
    ),
    concern="exposure",
    controls=("FSBP EKS.1",),
    resource_types=("aws:eks/cluster:Cluster",),
    check=_check,
)
