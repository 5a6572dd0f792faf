"""Resources and AWS providers stay in the allowed regions (genomic data stays in India)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from contracts.taxonomy import INDIA_REGIONS
from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_text
from policies.taggable import AWS_PACKAGES

__all__ = ["RULE"]

PROVIDERS: Final = tuple(f"pulumi:providers:{package}" for package in AWS_PACKAGES)
"""The provider types whose `region` places resources: aws and aws-native."""


def _check(resource: ResourceView) -> Iterator[str]:
    allowed = [str(region) for region in resource.config["allowedRegions"]]
    own = as_text(resource.props.get("region"))
    if own and own not in allowed:
        yield f"{resource.name} is placed in {own}, outside {', '.join(allowed)}"
    if resource.type in PROVIDERS:
        return
    inherited = as_text(resource.provider_props.get("region"))
    if not own and inherited and inherited not in allowed:
        yield (f"{resource.name} uses a provider in {inherited}, outside {', '.join(allowed)}")


RULE = ResourceRule(
    name="aws-resource-allowed-region",
    guards=("aws:*.region",),
    description=(
        "Every AWS resource and provider (pulumi-aws and aws-native alike) is in an allowed region."
    ),
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Create the resource with a provider whose region is in allowedRegions (Mumbai "
        "ap-south-1 or Hyderabad ap-south-2), or set its region argument to one of them."
    ),
    concern="data-residency",
    resource_types=(*(f"{package}:*" for package in AWS_PACKAGES), *PROVIDERS),
    check=_check,
    config_properties={
        "allowedRegions": {
            "type": "array",
            "items": {"type": "string"},
            "default": list(INDIA_REGIONS),
            "description": "Regions resources may live in.",
        }
    },
)
