"""Trust policies hold: no `...IfExists` escape, no principal from another account.

A role's trust conditions are what stands between a caller and the role's grants. `BoolIfExists`
on `aws:MultiFactorAuthPresent` passes every request made with long-term keys, which carry no
such key ("If the key is not present, the condition evaluates to true", IAM User Guide,
Condition operators, "...IfExists condition operators"; the same page warns that
`BoolIfExists` MFA tests admit access keys). An `AWS` principal of an account the stack does not
own hands the role to someone else's administrators. Service principals (`Service`) and
federated providers are judged by the other trust rules. `ForAllValues:` on `aws:TagKeys` stays
allowed: it is how a trust policy confines which session tags may be set.
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.arns import parse_arn
from policies.conditions import tests_of
from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.iam import statements
from policies.rules.common import ROLE
from policies.rules.wiring.references import CONFIG_PROPERTIES, own_accounts

__all__ = ["RULE"]


def _foreign(principal: str, accounts: set[str]) -> bool:
    if principal.isdigit():
        return principal not in accounts
    arn = parse_arn(principal)
    return arn is None or arn.account not in accounts


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    accounts = own_accounts(stack, stack.config["accountIds"])
    for role in stack.of_type(ROLE):
        for statement in statements(role.props.get("assumeRolePolicy")):
            if statement.effect != "Allow":
                continue
            label = f"{role.name}: trust statement {statement.sid or '(no Sid)'}"
            for test in tests_of(statement, None):
                if test.if_exists:
                    yield (
                        f"{label} tests {test.key} with {test.operator}, which passes without it",
                        role.urn,
                    )
            principals = statement.principals
            aws = principals.get("AWS", ()) if isinstance(principals, dict) else ()
            for principal in aws:
                if accounts and (principal == "*" or _foreign(principal, accounts)):
                    yield f"{label} trusts {principal}, outside the stack's accounts", role.urn


RULE = StackRule(
    name="iam-role-trust-conditions-hold",
    description=(
        "Role trust policies use no IfExists condition operator and trust no AWS principal "
        "outside the stack's own accounts."
    ),
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Write the trust condition without IfExists (e.g. Bool {"aws:MultiFactorAuthPresent": '
        '"true"}) and name principals of the stack\'s account (arn:aws:iam::<account>:root or a '
        "role ARN); a partner account needs its own reviewed role with an sts:ExternalId."
    ),
    concern="tag-based-iam",
    guards=("aws:iam/role:Role.assumeRolePolicy",),
    check=_check,
    config_properties={"accountIds": CONFIG_PROPERTIES["accountIds"]},
)
