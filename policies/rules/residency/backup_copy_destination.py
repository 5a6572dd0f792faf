"""Backup copies stay in India: every copy action's destination vault is in an allowed region.

A backup plan's `copyActions[].destinationVaultArn` sends recovery points (whole EBS volumes of
genomic scratch) to another vault; the vault's ARN carries its region
(`arn:aws:backup:<region>:<account>:backup-vault:<name>`, AWS Backup Developer Guide, "Creating
backup copies across AWS Regions"). The allowed-region rule sees only where the plan lives, not
where its copies go.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from contracts.taxonomy import INDIA_REGIONS
from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_list, as_text, dig

__all__ = ["RULE"]

PLAN: Final = "aws:backup/plan:Plan"


def _region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "arn" else ""


def _check(resource: ResourceView) -> Iterator[str]:
    allowed = [str(region) for region in resource.config["allowedRegions"]]
    for rule in as_list(resource.props.get("rules")):
        for copy in as_list(dig(rule, "copyActions")):
            arn = as_text(dig(copy, "destinationVaultArn"))
            region = _region(arn)
            if region not in allowed:
                where = region or "an unknown region"
                yield f"plan {resource.name} copies recovery points to {where}: {arn}"


RULE = ResourceRule(
    name="backup-plan-copy-stays-in-allowed-regions",
    description="Backup plans copy recovery points only to vaults in the allowed regions.",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Point rules[].copy_actions[].destination_vault_arn at the vault created with the "
        "disaster-recovery region's provider (ap-south-2), built from that vault's arn output."
    ),
    concern="data-residency",
    resource_types=(PLAN,),
    guards=(f"{PLAN}.rules[].copyActions[].destinationVaultArn", f"{PLAN}.rules[].copyActions[]"),
    check=_check,
    config_properties={
        "allowedRegions": {
            "type": "array",
            "items": {"type": "string"},
            "default": list(INDIA_REGIONS),
            "description": "Regions recovery points may be copied to.",
        }
    },
)
