"""Physical names and ARNs that must be known before their resources exist.

The lake's tag-write deny names the tagger's role, which the transfer component creates later;
both sides take the role's name from `components.blocks.physical_names` (the one place its
suffix rule lives), so a rename cannot leave a policy naming a role that does not exist. The
file system's policy needs no early ARN: it is written after its roles
(`SharedFileSystem.authorize_clients`).
"""

from __future__ import annotations

import pulumi

from components.blocks.physical_names import role_arn, tagger_role_name

__all__ = ["EarlyRoleArns", "cluster_name", "role_arn"]


def cluster_name(name_prefix: str) -> str:
    """The EKS cluster's name; the kubeconfig, alarms and dashboards know it before it exists."""
    return f"{name_prefix}-eks"


class EarlyRoleArns:
    """ARNs of roles that policies created before them must name."""

    def __init__(self, account_id: pulumi.Input[str], name_prefix: str) -> None:
        self.tagger = role_arn(account_id, tagger_role_name(name_prefix))
        """The object tagger's role: the only principal that may write object tags."""
