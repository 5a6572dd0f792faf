"""DynamoDB tables can be restored to any second of the last 35 days."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_bool, dig

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    if not as_bool(dig(resource.props.get("pointInTimeRecovery"), "enabled")):
        yield f"table {resource.name} has point-in-time recovery off"


RULE = ResourceRule(
    name="dynamodb-table-pitr-enabled",
    guards=("aws:dynamodb/table:Table.pointInTimeRecovery.enabled",),
    description="DynamoDB tables have point-in-time recovery enabled.",
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation='Set point_in_time_recovery={"enabled": True} on the aws.dynamodb.Table.',
    concern="resilience",
    controls=("FSBP DynamoDB.2",),
    resource_types=("aws:dynamodb/table:Table",),
    check=_check,
)
