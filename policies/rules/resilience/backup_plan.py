"""Backup plans keep recovery points for a bounded time and copy them to another region."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_list, as_mapping, as_text, dig, resource_region

__all__ = ["RULES", "arn_region"]

PLAN = "aws:backup/plan:Plan"


def arn_region(arn: str) -> str:
    """The region field of an ARN (`arn:partition:service:region:account:resource`)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 else ""


def _rule_name(rule: object) -> str:
    return as_text(as_mapping(rule).get("ruleName")) or "(unnamed rule)"


def _retention(resource: ResourceView) -> Iterator[str]:
    ceiling = int(resource.config["maxDeleteAfterDays"])
    for rule in as_list(resource.props.get("rules")):
        days = dig(rule, "lifecycle", "deleteAfter")
        if days is None:
            yield (
                f"backup plan {resource.name}: rule {_rule_name(rule)} keeps recovery points "
                "forever (no lifecycle.deleteAfter)"
            )
        elif not 1 <= int(days) <= ceiling:
            yield (
                f"backup plan {resource.name}: rule {_rule_name(rule)} has deleteAfter "
                f"{as_text(days)} days, outside 1..{ceiling}"
            )


def _copies(resource: ResourceView) -> Iterator[str]:
    home = resource_region(resource.props, resource.provider_props)
    for rule in as_list(resource.props.get("rules")):
        vaults = [
            as_text(dig(action, "destinationVaultArn"))
            for action in as_list(dig(rule, "copyActions"))
        ]
        if not any(arn_region(vault) not in ("", home) for vault in vaults):
            yield (
                f"backup plan {resource.name}: rule {_rule_name(rule)} copies no recovery point "
                f"to a vault outside {home or 'its region'}"
            )


RULES = (
    ResourceRule(
        name="backup-plan-retention-bounded",
        guards=(
            "aws:backup/plan:Plan.rules[].lifecycle",
            "aws:backup/plan:Plan.rules[].lifecycle.**",
            "aws:backup/plan:Plan.rules[].copyActions[].lifecycle",
            "aws:backup/plan:Plan.rules[].copyActions[].lifecycle.**",
        ),
        description="Backup plan rules delete recovery points after 1 to the configured days.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            'Set rules[].lifecycle={"delete_after": <days>} on the aws.backup.Plan, between 1 '
            "and maxDeleteAfterDays."
        ),
        concern="resilience",
        resource_types=(PLAN,),
        check=_retention,
        config_properties={
            "maxDeleteAfterDays": {
                "type": "integer",
                "default": 3653,
                "description": "Longest retention (days) a backup rule may set.",
            }
        },
    ),
    ResourceRule(
        name="backup-plan-cross-region-copy",
        guards=(
            "aws:backup/plan:Plan.rules[].copyActions[]",
            "aws:backup/plan:Plan.rules[].copyActions[].destinationVaultArn",
        ),
        description="Every backup plan rule copies recovery points to a vault in another region.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            'Add rules[].copy_actions=[{"destination_vault_arn": <DR-region vault ARN>, '
            '"lifecycle": {...}}] to the aws.backup.Plan.'
        ),
        concern="resilience",
        resource_types=(PLAN,),
        check=_copies,
    ),
)
