"""Data reads granted to people are conditioned on the object's tags (ABAC down to the object)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from policies.framework import EnforcementLevel, Severity, StackResource, StackRule, StackView
from policies.iam import Statement, condition_keys, grants, statements
from taxonomy import ABAC_KEYS, CATEGORIES

__all__ = ["DATA_READ_ACTIONS", "RULE", "is_service_role"]

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
DATA_READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")


def is_service_role(role: StackResource) -> bool:
    """Whether only AWS services may assume the role (then ABAC is not how it is scoped)."""
    trust = list(statements(role.props.get("assumeRolePolicy")))
    allows = [s for s in trust if s.effect == "Allow"]
    return bool(allows) and all(
        isinstance(s.principals, dict) and set(s.principals) == {"Service"} for s in allows
    )


def _touches_data_lake(statement: Statement, slugs: Sequence[str]) -> bool:
    return any(
        resource == "*" or any(f"-{slug}-" in resource for slug in slugs)
        for resource in statement.resources
    )


def _violations(document: object, owner: str, slugs: Sequence[str]) -> Iterator[str]:
    for statement in statements(document):
        if statement.effect != "Allow" or not _touches_data_lake(statement, slugs):
            continue
        if not any(grants(statement, action) for action in DATA_READ_ACTIONS):
            continue
        keys = condition_keys(statement)
        missing = [k for k in ABAC_KEYS if f"s3:existingobjecttag/{k}" not in keys]
        if missing:
            yield (
                f"{owner}: statement {statement.sid or '(no Sid)'} grants S3 data reads without "
                f"s3:ExistingObjectTag conditions on {', '.join(missing)}"
            )


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    slugs = [category.bucket_slug for category in CATEGORIES]
    for role in stack.of_type(ROLE):
        if is_service_role(role):
            continue
        for message in _violations(role.props.get("inlinePolicies"), role.name, slugs):
            yield message, role.urn
        for policy in stack.referencing(role, ROLE_POLICY, prop="role"):
            for message in _violations(policy.props.get("policy"), policy.name, slugs):
                yield message, policy.urn


RULE = StackRule(
    name="iam-s3-read-requires-object-tag",
    description=(
        "IAM roles that people assume read data-lake objects only under s3:ExistingObjectTag "
        "conditions on the ABAC keys."
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
