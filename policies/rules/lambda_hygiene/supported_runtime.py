"""Lambda functions run on runtimes that still get security patches."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    runtime = as_text(resource.props.get("runtime"))
    if not runtime:
        return  # container-image functions bring their own runtime
    allowed = [str(value) for value in resource.config["allowedRuntimes"]]
    if runtime not in allowed:
        yield f"function {resource.name} runs on {runtime}, which is not a supported runtime"


RULE = ResourceRule(
    name="lambda-function-supported-runtime",
    guards=("aws:lambda/function:Function.runtime",),
    description="Lambda functions use a runtime from the supported list.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation='Set runtime to a supported one, e.g. runtime="python3.12" on the function.',
    concern="lambda-hygiene",
    controls=("FSBP Lambda.2",),
    resource_types=("aws:lambda/function:Function",),
    check=_check,
    config_properties={
        "allowedRuntimes": {
            "type": "array",
            "items": {"type": "string"},
            "default": [
                "python3.11",
                "python3.12",
                "python3.13",
                "nodejs20.x",
                "nodejs22.x",
                "java21",
                "dotnet8",
                "provided.al2023",
            ],
            "description": "Runtimes functions may use; deprecated ones are left out.",
        }
    },
)
