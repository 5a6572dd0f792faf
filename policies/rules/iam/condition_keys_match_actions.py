"""Condition keys are only used with actions whose requests carry them.

A key the request does not carry is simply absent: in an Allow the grant silently never applies,
and in a Deny with a negated operator the guard can silently never fire. Tag-based access leans
on object-tag keys, so a misplaced key is a real hole, not a style issue.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from policies.conditions import action_carries_key, tests_of
from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.iam import Statement
from policies.rules.common import (
    IDENTITY_POLICY_PROPS,
    POLICY_DOCUMENT_GUARDS,
    RESOURCE_POLICY_PROPS,
    ROLE,
    documents_of,
)

__all__ = ["RULE", "mismatches"]


def mismatches(statement: Statement, services: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    """(condition key as written, actions in the statement whose requests never carry it).

    Only keys of `services` are judged, against the actions of the same service, with AWS's
    table (policies.conditions.action_carries_key); an action the table does not know is
    given the benefit of the doubt. The operator does not matter: an `...IfExists` test on a
    key the request never carries is just as vacuous.
    """
    wanted = {service.lower() for service in services}
    written = sorted({test.key for test in tests_of(statement, None)})
    for key in written:
        service = key.split(":", 1)[0].lower()
        if service not in wanted:
            continue
        wrong = [
            action
            for action in statement.actions
            if action.split(":", 1)[0].lower() == service
            and action_carries_key(action, key) is False
        ]
        if wrong:
            yield key, wrong


def _check(resource: ResourceView) -> Iterator[str]:
    documents = documents_of(resource.type, resource.name, resource.props, ("identity", "resource"))
    for document in documents:
        for statement in document.statements:
            found = list(mismatches(statement, resource.config["services"]))
            if found:
                keys = ", ".join(key for key, _ in found)
                actions = ", ".join(sorted({a for _, wrong in found for a in wrong}))
                yield (
                    f"{document.where}: statement {statement.sid or '(no Sid)'} tests {keys} "
                    f"but {actions} requests never carry them; split the statement"
                )


RULE = ResourceRule(
    name="iam-condition-keys-match-actions",
    guards=POLICY_DOCUMENT_GUARDS,
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
    config_properties={
        "services": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["s3"],
            "description": (
                "Services whose condition keys are judged against AWS's action table (the "
                "object-tag keys ABAC leans on are S3's)."
            ),
        }
    },
)
