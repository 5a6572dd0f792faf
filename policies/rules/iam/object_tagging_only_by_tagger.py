"""Only the object tagger writes object tags: tags decide who may read, so they are guarded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

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


def _tag_writes(statement: Statement) -> list[str]:
    if statement.effect != "Allow":
        return []
    return [action for action in TAG_WRITE_ACTIONS if grants(statement, action)]


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
    description="Only the object-tagger role may write or delete S3 object tags.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Remove s3:PutObjectTagging, s3:PutObjectVersionTagging, s3:DeleteObjectTagging and "
        "s3:DeleteObjectVersionTagging (and wildcards covering them) from every role but the "
        "tagger's; tag changes go through the object-tagger function."
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
