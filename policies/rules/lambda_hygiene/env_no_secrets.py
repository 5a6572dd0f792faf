"""Lambda environment variables hold references to secrets, never the secrets themselves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_mapping, as_text, dig
from policies.rules.common import matches_any

__all__ = ["RULE"]

_REFERENCES: Final = ("arn:", "{{resolve:", "/")


def _is_reference(value: str) -> bool:
    """ARNs, SSM parameter names and dynamic references point at a secret store."""
    return value.startswith(_REFERENCES)


def _check(resource: ResourceView) -> Iterator[str]:
    variables = as_mapping(dig(resource.props.get("environment"), "variables"))
    patterns = resource.config["secretNamePatterns"]
    for key in variables:
        if not matches_any(str(key), patterns):
            continue
        value = as_text(variables[key])
        if value and not _is_reference(value):
            yield (
                f"function {resource.name}: environment variable {key} holds a literal value; "
                "store it in Secrets Manager and pass its ARN"
            )


RULE = ResourceRule(
    name="lambda-function-env-no-secrets",
    guards=("aws:lambda/function:Function.environment",),
    description="Lambda environment variables named like secrets hold references, not values.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.ADVISORY,
    remediation=(
        "Put the secret in Secrets Manager or SSM Parameter Store, pass its ARN or parameter "
        "name in the variable (e.g. DB_PASSWORD_SECRET_ARN) and read it at cold start."
    ),
    concern="lambda-hygiene",
    resource_types=("aws:lambda/function:Function",),
    check=_check,
    config_properties={
        "secretNamePatterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["*SECRET*", "*PASSWORD*", "*TOKEN*", "*API_KEY*"],
            "description": "Variable-name patterns (fnmatch, case-insensitive) that mark secrets.",
        }
    },
)
