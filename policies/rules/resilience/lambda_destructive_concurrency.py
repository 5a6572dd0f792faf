"""Functions that delete things run one at a time, so a runaway loop cannot fan out."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_mapping, as_text
from policies.rules.common import matches_any

__all__ = ["RULE"]


def _is_destructive(resource: ResourceView) -> bool:
    names = (resource.name, as_text(resource.props.get("name")))
    if any(matches_any(name, resource.config["destructiveNamePatterns"]) for name in names if name):
        return True
    tag_key = str(resource.config["destructiveTagKey"])
    return as_text(as_mapping(resource.props.get("tags")).get(tag_key)).lower() == "true"


def _check(resource: ResourceView) -> Iterator[str]:
    if not _is_destructive(resource):
        return
    reserved = resource.props.get("reservedConcurrentExecutions")
    if reserved is None or float(reserved) != 1:
        shown = "unset" if reserved is None else f"{float(reserved):g}"
        yield (
            f"function {resource.name} deletes data but reservedConcurrentExecutions is "
            f"{shown}, not 1"
        )


RULE = ResourceRule(
    name="lambda-destructive-function-single-concurrency",
    guards=("aws:lambda/function:Function.reservedConcurrentExecutions",),
    description="Destructive Lambda functions (reapers, cleanups) run with concurrency 1.",
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set reserved_concurrent_executions=1 on the aws.lambda_.Function (or rename/untag it "
        "if it does not delete anything)."
    ),
    concern="resilience",
    resource_types=("aws:lambda/function:Function",),
    check=_check,
    config_properties={
        "destructiveNamePatterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["*reaper*", "*cleanup*", "*purge*"],
            "description": "Function-name patterns (fnmatch) that mark a function destructive.",
        },
        "destructiveTagKey": {
            "type": "string",
            "default": "destructive",
            "description": 'A tag key that, set to "true", marks a function destructive.',
        },
    },
)
