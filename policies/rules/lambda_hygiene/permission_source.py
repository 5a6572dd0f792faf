"""Service principals may invoke a function only for our own sources (no confused deputy)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    principal = as_text(resource.props.get("principal"))
    if not principal.endswith(".amazonaws.com"):
        return
    if not as_text(resource.props.get("sourceArn")):
        yield (
            f"permission {resource.name} lets {principal} invoke the function for any source "
            "(no sourceArn)"
        )
    needs_account = [str(s) for s in resource.config["sourceAccountPrincipals"]]
    if principal in needs_account and not as_text(resource.props.get("sourceAccount")):
        yield (
            f"permission {resource.name} lets {principal} invoke the function from any account "
            "(no sourceAccount)"
        )


RULE = ResourceRule(
    name="lambda-permission-source-restricted",
    description="Lambda permissions for AWS services name the source ARN (and account).",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set source_arn=<bucket/rule/topic ARN> on the aws.lambda_.Permission, and "
        "source_account=<account id> when the principal is s3.amazonaws.com or "
        "events.amazonaws.com."
    ),
    concern="lambda-hygiene",
    resource_types=("aws:lambda/permission:Permission",),
    check=_check,
    config_properties={
        "sourceAccountPrincipals": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["s3.amazonaws.com", "events.amazonaws.com"],
            "description": "Service principals whose permissions must also set sourceAccount.",
        }
    },
)
