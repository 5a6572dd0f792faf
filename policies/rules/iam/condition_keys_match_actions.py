"""Condition keys are only used with actions whose requests carry them.

A key the request does not carry is simply absent: in an Allow the grant silently never applies,
and in a Deny with a negated operator the guard can silently never fire. Tag-based access leans
on object-tag keys, so a misplaced key is a real hole, not a style issue.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.iam import Statement
from policies.rules.common import (
    IDENTITY_POLICY_PROPS,
    RESOURCE_POLICY_PROPS,
    ROLE,
    documents_of,
)

__all__ = ["KEY_ACTIONS", "RULE"]

_OBJECT_TAG_READERS: Final = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectAcl",
    "s3:GetObjectVersionAcl",
    "s3:GetObjectTagging",
    "s3:GetObjectVersionTagging",
    "s3:GetObjectAttributes",
    "s3:GetObjectVersionAttributes",
    "s3:GetObjectRetention",
    "s3:GetObjectLegalHold",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersionTagging",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:BypassGovernanceRetention",
)

KEY_ACTIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "s3:existingobjecttag/*": _OBJECT_TAG_READERS,
    "s3:requestobjecttag/*": ("s3:PutObject", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    "s3:requestobjecttagkeys": (
        "s3:PutObject",
        "s3:PutObjectTagging",
        "s3:PutObjectVersionTagging",
    ),
    "s3:prefix": ("s3:ListBucket", "s3:ListBucketVersions"),
    "s3:delimiter": ("s3:ListBucket", "s3:ListBucketVersions"),
    "s3:max-keys": ("s3:ListBucket", "s3:ListBucketVersions"),
    "s3:x-amz-server-side-encryption": ("s3:PutObject",),
    "s3:x-amz-server-side-encryption-aws-kms-key-id": ("s3:PutObject",),
    "s3:versionid": ("s3:*Version*",),
    "s3:locationconstraint": ("s3:CreateBucket",),
}
"""Condition-key patterns (lower case) → the S3 actions whose requests carry the key."""


def _supported(action: str, allowed: tuple[str, ...]) -> bool:
    """Whether `action` (maybe a wildcard) covers an action that carries the key."""
    action = action.lower()
    return any(
        fnmatch.fnmatchcase(candidate.lower(), action) or fnmatch.fnmatchcase(action, candidate)
        for candidate in (a.lower() for a in allowed)
    )


def mismatches(statement: Statement) -> Iterator[tuple[str, list[str]]]:
    """(condition key as written, S3 actions in the statement whose requests never carry it)."""
    written = sorted({key for keys in statement.conditions.values() for key in keys})
    for key in written:
        allowed = next(
            (v for p, v in KEY_ACTIONS.items() if fnmatch.fnmatchcase(key.lower(), p)), None
        )
        if allowed is None:
            continue
        wrong = [
            action
            for action in statement.actions
            if action.lower().startswith("s3:") and not _supported(action, allowed)
        ]
        if wrong:
            yield key, wrong


def _check(resource: ResourceView) -> Iterator[str]:
    documents = documents_of(resource.type, resource.name, resource.props, ("identity", "resource"))
    for document in documents:
        for statement in document.statements:
            found = list(mismatches(statement))
            if found:
                keys = ", ".join(key for key, _ in found)
                actions = ", ".join(sorted({a for _, wrong in found for a in wrong}))
                yield (
                    f"{document.where}: statement {statement.sid or '(no Sid)'} tests {keys} "
                    f"but {actions} requests never carry them; split the statement"
                )


RULE = ResourceRule(
    name="iam-condition-keys-match-actions",
    description="Policy statements use condition keys only with actions whose requests carry them.",
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Split the statement so that s3:ExistingObjectTag/* guards object-level reads and tag "
        "writes (GetObject*, PutObjectTagging), s3:RequestObjectTag/* guards PutObject and "
        "PutObjectTagging, and s3:prefix guards ListBucket."
    ),
    concern="tag-based-iam",
    resource_types=(ROLE, *IDENTITY_POLICY_PROPS, *RESOURCE_POLICY_PROPS),
    check=_check,
)
