"""Every AWS resource's service is offered in the resource's region, as botocore lists it.

A resource in a region without its service fails `pulumi up` half way (HealthOmics has no
endpoint in Mumbai or Hyderabad). The service comes from the type token
(`policies/services.py`), the regions from botocore's endpoint data
(`contracts/facts/aws_endpoints.py`), the region from the resource's own `region` input,
else its provider's. Global services (IAM, Route 53) have one endpoint for the partition
and pass in every region.
"""

from __future__ import annotations

from collections.abc import Iterator

from contracts.facts.aws_endpoints import is_global, offering_regions
from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import resource_region
from policies.services import endpoint_prefix
from policies.taggable import AWS_PACKAGES

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    prefix = endpoint_prefix(resource.type)
    if prefix is None:
        yield (
            f"{resource.name}: the pack cannot tell which AWS service {resource.type} belongs "
            "to; add its module to policies/services.py"
        )
        return
    if is_global(prefix):
        return
    region = resource_region(resource.props, resource.provider_props)
    if not region:
        return
    offered = offering_regions(prefix)
    if region not in offered:
        yield (
            f"{resource.name} is in {region}, where AWS does not offer {prefix} (botocore's "
            f"endpoint data lists it in {', '.join(sorted(offered)) or 'no region'})"
        )


RULE = ResourceRule(
    name="aws-service-offered-in-region",
    description="Every AWS resource is created in a region where AWS offers its service.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Create the resource in a region that offers its service (a provider or `region` "
        "input there), or leave the feature off in this stack (HealthOmics: healthomicsEnabled)."
    ),
    concern="service-availability",
    resource_types=tuple(f"{package}:*" for package in AWS_PACKAGES),
    check=_check,
)
