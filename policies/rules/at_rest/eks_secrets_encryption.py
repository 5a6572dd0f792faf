"""EKS encrypts Kubernetes secrets with a KMS key (envelope encryption)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_list, as_text, dig

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    config = resource.props.get("encryptionConfig")
    resources = [as_text(r) for r in as_list(dig(config, "resources"))]
    if "secrets" not in resources or not as_text(dig(config, "provider", "keyArn")):
        yield (
            f"cluster {resource.name} does not encrypt Kubernetes secrets with a KMS key "
            '(encryptionConfig with resources ["secrets"] and provider.keyArn)'
        )


RULE = ResourceRule(
    name="eks-cluster-secrets-encryption",
    guards=(
        "aws:eks/cluster:Cluster.encryptionConfig",
        "aws:eks/cluster:Cluster.encryptionConfig.**",
    ),
    description="EKS clusters envelope-encrypt Kubernetes secrets with a KMS key.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Set encryption_config={"resources": ["secrets"], "provider": {"key_arn": <key ARN>}} '
        "on the aws.eks.Cluster."
    ),
    concern="encryption-at-rest",
    controls=("FSBP EKS.3",),
    resource_types=("aws:eks/cluster:Cluster",),
    check=_check,
)
