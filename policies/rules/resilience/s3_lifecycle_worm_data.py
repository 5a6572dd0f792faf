"""Lifecycle rules never expire the current objects of write-once data (raw sequence).

"Raw data is never deleted or expired" (README, docs/data-lake.md): Object Lock stops a person
deleting a locked version, but a lifecycle `expiration` is S3 itself placing a delete marker on
every current object after N days ("Expiration ... S3 ... adds a delete marker", Amazon S3 User
Guide, "Lifecycle configuration elements"), which hides the data from every reader, and once the
retention ends noncurrent-version expiry removes it. Transitions (storage classes) and
noncurrent-version expiry of overwritten versions stay allowed: the current object survives.
`expiredObjectDeleteMarker` only removes markers with no versions behind them, so it passes too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from contracts.taxonomy import CATEGORIES
from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_list, as_text, dig

__all__ = ["RULE"]

LIFECYCLE: Final = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def _is_worm(resource: ResourceView) -> bool:
    name = f"-{as_text(resource.props.get('bucket'))}-"
    slugs = [category.bucket_slug for category in CATEGORIES if category.worm]
    return any(f"-{slug}-" in name or slug in resource.name for slug in slugs)


def _check(resource: ResourceView) -> Iterator[str]:
    if not _is_worm(resource):
        return
    for index, rule in enumerate(as_list(resource.props.get("rules"))):
        if as_text(dig(rule, "status")).strip().lower() != "enabled":
            continue
        expiration = dig(rule, "expiration")
        if as_text(dig(expiration, "days")) or as_text(dig(expiration, "date")):
            label = as_text(dig(rule, "id")) or str(index)
            yield f"lifecycle rule {label} expires current objects of write-once data"


RULE = ResourceRule(
    name="s3-lifecycle-never-expires-worm-data",
    description="Lifecycle rules of write-once data buckets never expire current objects.",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Remove expiration.days/expiration.date from the rules of the raw-sequence buckets' "
        "aws.s3.BucketLifecycleConfiguration; keep transitions and noncurrent_version_expiration."
    ),
    concern="resilience",
    resource_types=(LIFECYCLE,),
    guards=(
        f"{LIFECYCLE}.rules[].expiration",
        f"{LIFECYCLE}.rules[].expiration.expiredObjectDeleteMarker",
    ),
    check=_check,
)
