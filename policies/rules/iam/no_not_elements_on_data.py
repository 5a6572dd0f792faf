"""No Allow on the data lake says "everything except": NotAction, NotResource, NotPrincipal.

An Allow with `NotAction` grants every action AWS adds later, `NotResource` every bucket but
the ones listed, and `NotPrincipal` everyone but the ones listed (AWS: "we strongly recommend
that you don't use NotPrincipal with Allow"). Each can pass a review that reads only the names
listed; on genome data none is acceptable. A Deny with a Not* element narrows nothing it grants
and stays allowed.
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.conditions import not_elements
from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.iam import Statement
from policies.rules.common import (
    IDENTITY_POLICY_PROPS,
    POLICY_DOCUMENT_GUARDS,
    RESOURCE_POLICY_PROPS,
    ROLE,
    documents_of,
    touches_data_lake,
)

__all__ = ["RULE"]


def _grants_s3(statement: Statement) -> bool:
    if statement.not_actions:
        return True
    return any(a == "*" or a.lower().startswith("s3:") for a in statement.actions)


def _check(resource: ResourceView) -> Iterator[str]:
    documents = documents_of(resource.type, resource.name, resource.props, ("identity", "resource"))
    for document in documents:
        for statement in document.statements:
            if statement.effect != "Allow" or not _grants_s3(statement):
                continue
            if not touches_data_lake(statement):
                continue
            found = not_elements(statement)
            if found:
                yield (
                    f"{document.where}: Allow statement {statement.sid or '(no Sid)'} uses "
                    f"{', '.join(found)} on data-lake resources"
                )


RULE = ResourceRule(
    name="iam-s3-no-not-elements-on-data",
    guards=POLICY_DOCUMENT_GUARDS,
    description=(
        "No Allow statement that reaches data-lake buckets uses NotAction, NotResource or "
        "NotPrincipal."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Rewrite the Allow with Action, Resource and Principal listing what is granted; keep "
        "NotAction/NotResource/NotPrincipal for Deny statements."
    ),
    concern="tag-based-iam",
    resource_types=(ROLE, *IDENTITY_POLICY_PROPS, *RESOURCE_POLICY_PROPS),
    check=_check,
)
