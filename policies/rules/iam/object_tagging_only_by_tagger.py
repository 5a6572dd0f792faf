"""Only the object tagger writes object tags: tags decide who may read, so they are guarded.

One exemption: S3 authorises a PutObject that carries tags (`x-amz-tagging`) as
`s3:PutObjectTagging` as well, so a role that uploads tagged objects needs that action. A grant
of `s3:PutObjectTagging` is accepted when the same statement pins the request's tags with
`StringEquals` on `s3:RequestObjectTag/<key>` for every ABAC key (project,
data-classification): such a grant can only write the ABAC values the statement names. The
bucket policy is what keeps it off existing objects; the other tag writes
(PutObjectVersionTagging, DeleteObject*Tagging) have no exemption.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from contracts.taxonomy import ABAC_KEYS
from policies.conditions import pins
from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.iam import Statement, grants, statements
from policies.rules.common import ROLE, matches_any, role_documents, role_name

__all__ = ["RULE", "TAG_WRITE_ACTIONS"]

TAG_WRITE_ACTIONS: Final = (
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersionTagging",
)
_PRINCIPAL_POLICIES: Final = ("aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy")
_UPLOAD_TAGGING: Final = "s3:PutObjectTagging"


def pins_request_tags(statement: Statement) -> bool:
    """Whether the statement pins `s3:RequestObjectTag/<key>` to exact values for every ABAC
    key (policies.conditions.pins: no pattern, IfExists or negation), so the tags it lets a
    caller write are the values it names."""
    return all(pins(statement, f"s3:RequestObjectTag/{key}") for key in ABAC_KEYS)


def _tag_writes(statement: Statement) -> list[str]:
    if statement.effect != "Allow":
        return []
    found = [action for action in TAG_WRITE_ACTIONS if grants(statement, action)]
    if _UPLOAD_TAGGING in found and pins_request_tags(statement):
        found.remove(_UPLOAD_TAGGING)
    return found


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    patterns = stack.config["taggerRolePatterns"]
    for role in stack.of_type(ROLE):
        name = role_name(role)
        if matches_any(name, patterns):
            continue
        for document, urn in role_documents(stack, role):
            for statement in document.statements:
                actions = _tag_writes(statement)
                if actions:
                    yield (
                        f"{document.where}: role {name} is not the object tagger but statement "
                        f"{statement.sid or '(no Sid)'} allows {', '.join(actions)}",
                        urn,
                    )
    for policy in stack.of_type(*_PRINCIPAL_POLICIES):
        for statement in statements(policy.props.get("policy")):
            actions = _tag_writes(statement)
            if actions:
                yield (
                    f"{policy.name}: users and groups never write object tags, but statement "
                    f"{statement.sid or '(no Sid)'} allows {', '.join(actions)}",
                    policy.urn,
                )


RULE = StackRule(
    name="iam-s3-object-tagging-only-tagger",
    guards=(
        "aws:iam/rolePolicy:RolePolicy.policy",
        "aws:iam/rolePolicy:RolePolicy.policy.**",
        "aws:iam/role:Role.inlinePolicies[].policy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment.policyArn",
    ),
    description=(
        "Only the object-tagger role may write or delete S3 object tags; other roles may hold "
        "s3:PutObjectTagging only for tagged uploads, pinned by s3:RequestObjectTag conditions "
        "on every ABAC key."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Remove s3:PutObjectTagging, s3:PutObjectVersionTagging, s3:DeleteObjectTagging and "
        "s3:DeleteObjectVersionTagging (and wildcards covering them) from every role but the "
        "tagger's; tag changes go through the object-tagger function. A role that uploads "
        "tagged objects may keep s3:PutObjectTagging in its upload statement when that "
        "statement has StringEquals conditions on s3:RequestObjectTag/project and "
        "s3:RequestObjectTag/data-classification, and the bucket policy denies it on objects "
        "that already carry tags."
    ),
    concern="tag-based-iam",
    check=_check,
    config_properties={
        "taggerRolePatterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["*tagger*"],
            "description": "Role-name patterns (fnmatch) of the roles allowed to write tags.",
        }
    },
)
