"""Log groups keep events long enough for an investigation and not forever."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    low, high = int(resource.config["minRetentionDays"]), int(resource.config["maxRetentionDays"])
    days = resource.props.get("retentionInDays")
    if days is None or int(days) == 0:
        yield f"log group {resource.name} keeps events forever (retentionInDays unset)"
    elif not low <= int(days) <= high:
        yield (f"log group {resource.name} keeps events {int(days)} days, outside {low}..{high}")


RULE = ResourceRule(
    name="cloudwatch-log-group-retention",
    guards=("aws:cloudwatch/logGroup:LogGroup.retentionInDays",),
    description="CloudWatch log groups set a retention within the configured range.",
    severity=Severity.LOW,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set retention_in_days on the aws.cloudwatch.LogGroup to a value CloudWatch accepts "
        "between minRetentionDays and maxRetentionDays (e.g. 365)."
    ),
    concern="logging",
    controls=("FSBP CloudWatch.16",),
    resource_types=("aws:cloudwatch/logGroup:LogGroup",),
    check=_check,
    config_properties={
        "minRetentionDays": {
            "type": "integer",
            "default": 90,
            "description": "Shortest retention (days) a log group may set.",
        },
        "maxRetentionDays": {
            "type": "integer",
            "default": 3653,
            "description": "Longest retention (days) a log group may set.",
        },
    },
)
