"""WORM data categories keep their Object Lock: enabled on the bucket, with a default retention.

The taxonomy marks raw sequencer output write-once (`DataCategory.worm`). S3 can only lock
objects in a bucket created with Object Lock (`objectLockEnabled`), and only a default
retention (`BucketObjectLockConfiguration.rule.defaultRetention`) locks every new object
without each writer asking. COMPLIANCE mode is WORM: "no user, including the root user, can
overwrite or delete" a protected version, while GOVERNANCE lets holders of
s3:BypassGovernanceRetention do so (Amazon S3 User Guide, Object Lock retention modes). The
platform keeps GOVERNANCE outside production (test data must be removable) and COMPLIANCE in
it, so the mode required follows the bucket's `environment` tag: only COMPLIANCE counts in the
`complianceEnvironments`, either mode elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from contracts.taxonomy import CATEGORIES, TagKey
from policies.framework import EnforcementLevel, Severity, StackResource, StackRule, StackView
from policies.props import as_bool, as_mapping, as_text, dig, resource_tags
from policies.rules.common import BUCKET_TYPES, bucket_companions

__all__ = ["RULE"]

OBJECT_LOCK: Final = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"


def _worm_slugs() -> list[str]:
    return [category.bucket_slug for category in CATEGORIES if category.worm]


def _is_worm_bucket(bucket: StackResource) -> bool:
    name = f"-{as_text(bucket.props.get('bucket'))}-"
    return any(f"-{slug}-" in name or slug in bucket.name for slug in _worm_slugs())


def _modes(bucket: StackResource, compliance_environments: list[str]) -> list[str]:
    """The retention modes that count as WORM for `bucket`'s environment."""
    environment = resource_tags(bucket.props, bucket.provider_props).get(TagKey.ENVIRONMENT, "")
    if environment in compliance_environments:
        return ["COMPLIANCE"]
    return ["COMPLIANCE", "GOVERNANCE"]


def _retention_gap(lock: StackResource, modes: list[str]) -> str | None:
    """Why `lock` does not lock every new object WORM-style (None: it does)."""
    if as_text(lock.props.get("objectLockEnabled") or "Enabled") != "Enabled":
        return f"{lock.name} has objectLockEnabled {as_text(lock.props.get('objectLockEnabled'))}"
    retention = as_mapping(dig(lock.props.get("rule"), "defaultRetention"))
    if not retention:
        return f"{lock.name} has no default retention"
    mode = as_text(retention.get("mode"))
    if mode not in modes:
        return f"{lock.name} retains in mode {mode or 'unset'}, not {' or '.join(modes)}"
    days, years = retention.get("days"), retention.get("years")
    if not any(isinstance(n, int | float) and n > 0 for n in (days, years)):
        return f"{lock.name} retains for no days or years"
    return None


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    strict = [str(environment) for environment in stack.config["complianceEnvironments"]]
    for bucket in stack.of_type(*BUCKET_TYPES):
        if not _is_worm_bucket(bucket):
            continue
        modes = _modes(bucket, strict)
        if not as_bool(bucket.props.get("objectLockEnabled")):
            yield (
                f"bucket {bucket.name} holds write-once data but objectLockEnabled is off",
                bucket.urn,
            )
            continue
        locks = bucket_companions(stack, bucket, OBJECT_LOCK)
        if not locks:
            yield (
                f"bucket {bucket.name} holds write-once data but has no Object Lock "
                "configuration (no default retention)",
                bucket.urn,
            )
            continue
        gaps = [gap for gap in (_retention_gap(lock, modes) for lock in locks) if gap]
        if len(gaps) == len(locks):
            yield f"bucket {bucket.name} holds write-once data but {'; '.join(gaps)}", bucket.urn


RULE = StackRule(
    name="s3-bucket-object-lock-worm",
    guards=(
        "aws:s3/bucket:Bucket.objectLockEnabled",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration.objectLockEnabled",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration.rule.defaultRetention",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration.rule.defaultRetention.**",
    ),
    description=(
        "Buckets of write-once data categories (raw sequence) are created with Object Lock and "
        "lock every new object with a default retention, in COMPLIANCE mode in production."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Create the bucket with object_lock_enabled=True and add an "
        "aws.s3.BucketObjectLockConfiguration for it with rule={'default_retention': "
        "{'mode': 'COMPLIANCE', 'days': <retention>}} (GOVERNANCE outside complianceEnvironments)."
    ),
    concern="resilience",
    controls=("FSBP S3.15",),
    check=_check,
    config_properties={
        "complianceEnvironments": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["prod"],
            "description": (
                "Environments (the bucket's environment tag) whose write-once buckets must "
                "retain in COMPLIANCE mode; elsewhere GOVERNANCE also counts."
            ),
        }
    },
)
