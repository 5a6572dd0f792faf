"""Physical names and ARNs that must be known before their resources exist.

The lake's tag-write deny and the file system's policy name roles that the transfer and ops
components create later; both sides take the role's name from the function that component
exports, so a rename cannot leave a policy naming a role that does not exist.
"""

from __future__ import annotations

import pulumi

from components.ops.automation import scratch_cleanup_role_name
from components.transfer.transfer import datasync_efs_role_name, tagger_role_name

__all__ = ["EarlyRoleArns", "cluster_name", "role_arn"]


def cluster_name(name_prefix: str) -> str:
    """The EKS cluster's name; the kubeconfig, alarms and dashboards know it before it exists."""
    return f"{name_prefix}-eks"


def role_arn(account_id: pulumi.Input[str], role_name: str) -> pulumi.Output[str]:
    """The ARN of the role `role_name` in `account_id` (IAM roles have no region)."""
    return pulumi.Output.concat("arn:aws:iam::", account_id, ":role/", role_name)


class EarlyRoleArns:
    """ARNs of roles that policies created before them must name."""

    def __init__(self, account_id: pulumi.Input[str], name_prefix: str) -> None:
        self.tagger = role_arn(account_id, tagger_role_name(name_prefix))
        self.datasync_efs = role_arn(account_id, datasync_efs_role_name(name_prefix))
        self.scratch_cleanup = role_arn(account_id, scratch_cleanup_role_name(name_prefix))
