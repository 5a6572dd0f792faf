"""EKS clusters ship all five control-plane log types to CloudWatch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_list, as_text

__all__ = ["LOG_TYPES", "RULE"]

LOG_TYPES: Final = ("api", "audit", "authenticator", "controllerManager", "scheduler")


def _check(resource: ResourceView) -> Iterator[str]:
    enabled = {as_text(t) for t in as_list(resource.props.get("enabledClusterLogTypes"))}
    missing = [t for t in LOG_TYPES if t not in enabled]
    if missing:
        yield f"cluster {resource.name} does not log control-plane {', '.join(missing)}"


RULE = ResourceRule(
    name="eks-cluster-control-plane-logging",
    guards=("aws:eks/cluster:Cluster.enabledClusterLogTypes",),
    description="EKS clusters enable all five control-plane log types.",
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Set enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", '
        '"scheduler"] on the aws.eks.Cluster.'
    ),
    concern="logging",
    controls=("FSBP EKS.8",),
    resource_types=("aws:eks/cluster:Cluster",),
    check=_check,
)
