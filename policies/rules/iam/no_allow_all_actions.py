"""No policy statement allows every action: `Action: "*"` or an Allow with NotAction."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.iam import covers_all_actions
from policies.rules.common import (
    IDENTITY_POLICY_PROPS,
    POLICY_DOCUMENT_GUARDS,
    RESOURCE_POLICY_PROPS,
    ROLE,
    documents_of,
)

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    documents = documents_of(resource.type, resource.name, resource.props, ("identity", "resource"))
    for document in documents:
        for statement in document.statements:
            if statement.effect != "Allow":
                continue
            sid = statement.sid or "(no Sid)"
            every = [a for a in statement.actions if covers_all_actions(a)]
            if every:
                yield f'{document.where}: statement {sid} allows Action "{every[0]}"'
            elif statement.not_actions:
                yield (
                    f"{document.where}: statement {sid} allows everything except "
                    f"{', '.join(statement.not_actions)} (Allow with NotAction)"
                )


RULE = ResourceRule(
    name="iam-policy-no-allow-all-actions",
    guards=POLICY_DOCUMENT_GUARDS,
    description='No IAM or resource policy statement allows Action "*" (or uses Allow+NotAction).',
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Replace Action "*" with the specific actions needed; rewrite Allow+NotAction as an '
        "Allow of the needed actions (a Deny with NotAction is fine)."
    ),
    concern="tag-based-iam",
    controls=("FSBP IAM.1", "CIS v3.0.0 1.15"),
    resource_types=(ROLE, *IDENTITY_POLICY_PROPS, *RESOURCE_POLICY_PROPS),
    check=_check,
)
