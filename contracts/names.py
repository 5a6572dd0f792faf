"""Every physical name and early ARN the platform derives, each rule written once.

A bucket policy's tag-write deny names the object tagger's role before the transfer component
creates it; the file-system policy names the roles that mount it; `make access` rebuilds bucket
names from settings. The side that creates a resource and every side that names it call the same
function here, so a suffix rule (such as a function's role being `<function>-role`) cannot drift
between them. Pure Python: the functions, the pack and the tools import it as the program does.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "IAM_NAME_MAX",
    "PROJECT_SLUG_PATTERN",
    "bucket_name",
    "cluster_name",
    "datasync_efs_role_name",
    "function_role_name",
    "is_project_slug",
    "resource_prefix",
    "role_arn",
    "scratch_cleanup_function_name",
    "scratch_cleanup_role_name",
    "tagger_function_name",
    "tagger_role_name",
]

PROJECT_SLUG_PATTERN: Final = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
"""A research project slug: lowercase letters, digits and inner hyphens, 1-40 characters.

The slug is an S3 key segment, a Kubernetes namespace, an IAM principal tag value and a tag
value at once, so it takes the intersection of what all four accept.
"""

IAM_NAME_MAX: Final = 64
"""IAM role names are at most 64 characters (IAM User Guide, "IAM object quotas")."""


def is_project_slug(value: str) -> bool:
    """Whether `value` can name a research project everywhere the platform uses the name."""
    return PROJECT_SLUG_PATTERN.fullmatch(value) is not None


def resource_prefix(org: str, environment: str) -> str:
    """The prefix every physical resource name starts with, e.g. `gen-prod`."""
    return f"{org}-{environment}"


def bucket_name(prefix: str, slug: str, region: str) -> str:
    """Physical bucket name; the region suffix keeps replica names unique and readable."""
    return f"{prefix}-{slug}-{region}"


def cluster_name(name_prefix: str) -> str:
    """The EKS cluster's name; the kubeconfig, alarms and dashboards know it before it exists."""
    return f"{name_prefix}-eks"


def function_role_name(function_name: str) -> str:
    """The execution role `PlatformFunction` creates for `function_name`."""
    return f"{function_name}-role"[:IAM_NAME_MAX]


def tagger_function_name(name_prefix: str) -> str:
    """Physical name of the object-tagger function."""
    return f"{name_prefix}-object-tagger"


def tagger_role_name(name_prefix: str) -> str:
    """The tagger's execution role: the only principal that may write object tags."""
    return function_role_name(tagger_function_name(name_prefix))


def scratch_cleanup_function_name(name_prefix: str) -> str:
    """Physical name of the EFS scratch clean-up function."""
    return f"{name_prefix}-scratch-cleanup"


def scratch_cleanup_role_name(name_prefix: str) -> str:
    """The scratch clean-up's execution role (it mounts EFS through the scratch access point)."""
    return function_role_name(scratch_cleanup_function_name(name_prefix))


def datasync_efs_role_name(name_prefix: str) -> str:
    """The role DataSync mounts EFS with (root access through the projects access point)."""
    return f"{name_prefix}-datasync-efs"[:IAM_NAME_MAX]


def role_arn(account_id: str, role_name: str) -> str:
    """The ARN of role `role_name` in `account_id` (roles here have the default path `/`).

    Known before the role exists, so a policy written first can name it."""
    return f"arn:aws:iam::{account_id}:role/{role_name}"
