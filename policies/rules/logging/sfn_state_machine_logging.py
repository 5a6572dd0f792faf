"""Step Functions state machines log executions to CloudWatch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text, dig

__all__ = ["RULE"]

_LEVELS: Final = ("ALL", "ERROR")


def _check(resource: ResourceView) -> Iterator[str]:
    logging = resource.props.get("loggingConfiguration")
    level = as_text(dig(logging, "level")) or "OFF"
    if level not in _LEVELS:
        yield f"state machine {resource.name} logs at level {level}, not ALL or ERROR"
    if not as_text(dig(logging, "logDestination")):
        yield f"state machine {resource.name} has no loggingConfiguration.logDestination"


RULE = ResourceRule(
    name="sfn-state-machine-logging",
    guards=(
        "aws:sfn/stateMachine:StateMachine.loggingConfiguration",
        "aws:sfn/stateMachine:StateMachine.loggingConfiguration.**",
    ),
    description="Step Functions state machines log at level ALL or ERROR to a log group.",
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Set logging_configuration={"level": "ALL", "include_execution_data": False, '
        '"log_destination": f"{log_group.arn}:*"} on the aws.sfn.StateMachine.'
    ),
    concern="logging",
    controls=("FSBP StepFunctions.1",),
    resource_types=("aws:sfn/stateMachine:StateMachine",),
    check=_check,
)
