"""No role trusts everyone: a trust policy with Principal `*` lets any AWS account assume it."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.iam import is_public_principal, statements
from policies.rules.common import ROLE

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    for statement in statements(resource.props.get("assumeRolePolicy")):
        if statement.effect != "Allow":
            continue
        # An Allow with NotPrincipal trusts everyone but the principals it lists.
        if is_public_principal(statement) or statement.not_principals:
            who = "everyone (NotPrincipal)" if statement.not_principals else 'Principal "*"'
            yield (
                f"role {resource.name}: trust statement {statement.sid or '(no Sid)'} lets "
                f"{who} assume the role"
            )


RULE = ResourceRule(
    name="iam-role-trust-no-public-principal",
    guards=(
        "aws:iam/role:Role.assumeRolePolicy",
        "aws:iam/role:Role.assumeRolePolicy.**",
    ),
    description='No IAM role trust policy allows Principal "*" to assume the role.',
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Name the trusted principals in assume_role_policy: an account root ARN, a role ARN, "
        "an AWS service or a federated identity provider, never *."
    ),
    concern="tag-based-iam",
    resource_types=(ROLE,),
    check=_check,
)
