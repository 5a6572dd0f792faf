"""Data-lake buckets replicate to another region, so losing a region loses no genomes.

The destination's region is known when the destination bucket belongs to the stack (the rule's
destination references it, and its `region` input or provider says where it is). A destination
given as a literal ARN cannot be located from the ARN (S3 ARNs carry no region), so it is accepted
when the bucket name ends with the disaster-recovery region, as the platform's names do.
"""

from __future__ import annotations

from collections.abc import Iterator

from contracts.taxonomy import DR_REGION
from policies.framework import EnforcementLevel, Severity, StackResource, StackRule, StackView
from policies.props import as_list, as_text, dig, resource_region
from policies.rules.common import (
    BUCKET_REPLICATION,
    BUCKET_TYPES,
    bucket_companions,
    is_data_lake_bucket,
)

__all__ = ["RULE"]


def _region(resource: StackResource) -> str:
    return resource_region(resource.props, resource.provider_props)


def _replicates_elsewhere(
    stack: StackView, source: StackResource, config: StackResource, dr_region: str
) -> bool:
    enabled = [
        r for r in as_list(config.props.get("rules")) if as_text(dig(r, "status")) == "Enabled"
    ]
    if not enabled:
        return False
    targets = [
        stack.by_urn(urn)
        for urn in config.property_dependencies.get("rules", ())
        if urn != source.urn
    ]
    buckets = [t for t in targets if t is not None and t.type in BUCKET_TYPES]
    if buckets:
        return any(_region(b) != _region(source) for b in buckets)
    destinations = [as_text(dig(r, "destination", "bucket")) for r in enabled]
    return any(d.endswith(f"-{dr_region}") for d in destinations) and _region(source) != dr_region


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    dr_region = str(stack.config["drRegion"])
    for bucket in stack.of_type(*BUCKET_TYPES):
        if not is_data_lake_bucket(bucket) or _region(bucket) == dr_region:
            continue
        configs = bucket_companions(stack, bucket, BUCKET_REPLICATION)
        if not configs:
            yield f"data-lake bucket {bucket.name} has no replication configuration", bucket.urn
        elif not any(_replicates_elsewhere(stack, bucket, c, dr_region) for c in configs):
            yield (
                f"data-lake bucket {bucket.name}: no enabled replication rule sends objects to "
                "a bucket in another region",
                bucket.urn,
            )


RULE = StackRule(
    name="s3-bucket-cross-region-replication",
    guards=(
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig.rules[].status",
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig.rules[].destination",
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig.rules[].destination.bucket",
    ),
    description="Data-lake buckets replicate every object to a bucket in another region.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Add an aws.s3.BucketReplicationConfig with bucket=<lake bucket>, a role, and a rule "
        'status="Enabled" whose destination.bucket is the ARN of the replica bucket created with '
        "the disaster-recovery region's provider."
    ),
    concern="resilience",
    controls=("FSBP S3.7",),
    check=_check,
    config_properties={
        "drRegion": {
            "type": "string",
            "default": DR_REGION,
            "description": "The disaster-recovery region; buckets there are replicas themselves.",
        }
    },
)
