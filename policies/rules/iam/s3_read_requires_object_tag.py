"""Data reads granted to people are conditioned on the object's tags (ABAC down to the object)."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.taxonomy import ABAC_KEYS
from policies.conditions import gaps
from policies.framework import EnforcementLevel, Severity, StackResource, StackRule, StackView
from policies.iam import Statement, grants_any, statements
from policies.rules.common import ROLE, Document, role_documents, touches_data_lake

__all__ = ["DATA_READ_ACTIONS", "RULE", "is_service_role", "missing_tag_conditions"]

DATA_READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")


def is_service_role(role: StackResource) -> bool:
    """Whether only AWS services may assume the role (then ABAC is not how it is scoped)."""
    trust = list(statements(role.props.get("assumeRolePolicy")))
    allows = [s for s in trust if s.effect == "Allow"]
    return bool(allows) and all(
        isinstance(s.principals, dict) and set(s.principals) == {"Service"} for s in allows
    )


def missing_tag_conditions(statement: Statement, prefix: str) -> list[str]:
    """ABAC keys the statement does not restrict with the condition key `prefix`/<key>.

    A test counts only when it restricts (policies.conditions): `StringLike "*"`, `?`-only
    values, `IfExists` (an untagged object lacks the key), `ForAllValues:` and negated
    operators look like an ABAC condition but let every project through.
    """
    return gaps(statement, [str(k) for k in ABAC_KEYS], prefix)


def _violations(document: Document) -> Iterator[str]:
    for statement in document.statements:
        if statement.effect != "Allow" or not touches_data_lake(statement):
            continue
        if not grants_any(statement, DATA_READ_ACTIONS):
            continue
        missing = missing_tag_conditions(statement, "s3:ExistingObjectTag")
        if missing:
            yield (
                f"{document.where}: statement {statement.sid or '(no Sid)'} grants S3 data reads "
                f"without s3:ExistingObjectTag conditions on {', '.join(missing)}"
            )


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for role in stack.of_type(ROLE):
        if is_service_role(role):
            continue
        for document, urn in role_documents(stack, role):
            for message in _violations(document):
                yield message, urn


RULE = StackRule(
    name="iam-s3-read-requires-object-tag",
    guards=(
        "aws:iam/rolePolicy:RolePolicy.policy",
        "aws:iam/rolePolicy:RolePolicy.policy.**",
        "aws:iam/role:Role.inlinePolicies[].policy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment.policyArn",
    ),
    description=(
        "IAM roles that people assume read data-lake objects only under s3:ExistingObjectTag "
        "conditions that really restrict every ABAC key (no wildcard-only values, IfExists, "
        "ForAllValues or negated operators)."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Add to the statement a condition StringEquals "
        '{"s3:ExistingObjectTag/project": "${aws:PrincipalTag/project}", ...} for every ABAC '
        "key, or grant reads through the data lake's research roles."
    ),
    concern="tag-based-iam",
    check=_check,
)
