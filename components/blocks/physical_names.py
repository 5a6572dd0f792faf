"""Physical names that must be known before their resources exist, each rule written once.

A bucket policy's tag-write deny names the object tagger's role before the transfer component
creates it; the file-system policy names the roles that mount it. Both the side that creates a
resource and the side that names it call the same function here, so a suffix rule (such as
`PlatformFunction` naming a function's role `<function>-role`) cannot drift between them.
"""

from __future__ import annotations

from typing import Final

import pulumi

__all__ = [
    "IAM_NAME_MAX",
    "datasync_efs_role_name",
    "function_role_name",
    "role_arn",
    "scratch_cleanup_function_name",
    "scratch_cleanup_role_name",
    "tagger_function_name",
    "tagger_role_name",
]

IAM_NAME_MAX: Final = 64
"""IAM role names are at most 64 characters (IAM User Guide, "IAM object quotas")."""


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


def role_arn(account_id: pulumi.Input[str], role_name: str) -> pulumi.Output[str]:
    """The ARN of role `role_name` in `account_id` (roles here have the default path `/`)."""
    return pulumi.Output.concat("arn:aws:iam::", account_id, ":role/", role_name)
