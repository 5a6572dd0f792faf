"""Resource policies do not grant to everyone unless a condition pins the caller down."""

from __future__ import annotations

from collections.abc import Iterator

from policies.conditions import restricting_keys
from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.iam import is_public_principal
from policies.rules.common import RESOURCE_POLICY_GUARDS, RESOURCE_POLICY_PROPS, documents_of

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    restricting = {str(key).lower() for key in resource.config["restrictingConditionKeys"]}
    for document in documents_of(resource.type, resource.name, resource.props, ("resource",)):
        for statement in document.statements:
            # An Allow with NotPrincipal grants everyone but the principals it lists.
            public = is_public_principal(statement) or bool(statement.not_principals)
            if statement.effect != "Allow" or not public:
                continue
            if not restricting_keys(statement) & restricting:
                yield (
                    f"{document.where}: statement {statement.sid or '(no Sid)'} allows "
                    'Principal "*" without a condition on aws:SourceAccount, aws:SourceArn, '
                    "aws:PrincipalOrgID or aws:SourceVpce"
                )


RULE = ResourceRule(
    name="iam-resource-policy-no-public-principal",
    guards=RESOURCE_POLICY_GUARDS,
    description=(
        'Resource policies never allow Principal "*" without a condition that restricts the '
        "caller to our accounts, organisation, sources or VPC endpoints."
    ),
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Name the principal (account, role or service) instead of *, or add a condition such as "
        '{"StringEquals": {"aws:PrincipalOrgID": "o-..."}} or aws:SourceVpce / aws:SourceArn.'
    ),
    concern="tag-based-iam",
    resource_types=tuple(RESOURCE_POLICY_PROPS),
    check=_check,
    config_properties={
        "restrictingConditionKeys": {
            "type": "array",
            "items": {"type": "string"},
            "default": [
                "aws:SourceAccount",
                "aws:SourceArn",
                "aws:SourceOwner",
                "aws:PrincipalOrgID",
                "aws:PrincipalOrgPaths",
                "aws:PrincipalAccount",
                "aws:PrincipalArn",
                "aws:SourceOrgID",
                "aws:SourceVpce",
                "aws:SourceVpc",
                "kms:CallerAccount",
            ],
            "description": "Condition keys that make an Allow to Principal * acceptable.",
        }
    },
)
