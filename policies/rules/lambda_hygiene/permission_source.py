"""Service principals may invoke a function only for our own sources (no confused deputy)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text

__all__ = ["RULE"]


def _wildcard_source(arn: str) -> bool:
    """Whether a source ARN names every source: `*`, a wildcard account, or a `*`/`?`-only
    resource (`arn:aws:s3:::*`, `...:rule/*`); `log-group:<name>:*` names one log group."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return set(arn) <= {"*", "?"}
    account, resource = parts[4], parts[5]
    name = resource.split("/", 1)[-1]
    return (
        "*" in account or "?" in account or set(resource) <= {"*", "?"} or set(name) <= {"*", "?"}
    )


def _check(resource: ResourceView) -> Iterator[str]:
    principal = as_text(resource.props.get("principal")).strip().lower()
    if principal == "*":
        yield f"permission {resource.name} lets anyone (principal *) invoke the function"
        return
    if not principal.endswith(".amazonaws.com"):
        return
    source_arn = as_text(resource.props.get("sourceArn"))
    if not source_arn:
        yield (
            f"permission {resource.name} lets {principal} invoke the function for any source "
            "(no sourceArn)"
        )
    elif _wildcard_source(source_arn):
        yield (
            f"permission {resource.name} lets {principal} invoke the function for any source "
            f"(sourceArn {source_arn})"
        )
    needs_account = [str(s).lower() for s in resource.config["sourceAccountPrincipals"]]
    account = as_text(resource.props.get("sourceAccount"))
    if principal in needs_account and not (account.isdigit() and len(account) == 12):
        yield (
            f"permission {resource.name} lets {principal} invoke the function from any account "
            f"(no sourceAccount{'' if not account else ': ' + account})"
        )


RULE = ResourceRule(
    name="lambda-permission-source-restricted",
    guards=(
        "aws:lambda/permission:Permission.principal",
        "aws:lambda/permission:Permission.sourceArn",
        "aws:lambda/permission:Permission.sourceAccount",
    ),
    description="Lambda permissions for AWS services name the source ARN (and account).",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set source_arn=<bucket/rule/topic ARN> on the aws.lambda_.Permission, and "
        "source_account=<account id> when the principal is s3.amazonaws.com or "
        "events.amazonaws.com."
    ),
    concern="lambda-hygiene",
    controls=("FSBP Lambda.1",),
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
