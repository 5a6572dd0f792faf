"""S3 buckets have ACLs disabled (BucketOwnerEnforced): access is decided by policies alone."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.props import as_text, dig
from policies.rules.common import (
    BUCKET_ACL_TYPES,
    BUCKET_OWNERSHIP,
    BUCKET_TYPES,
    bucket_companions,
)

__all__ = ["RULE"]


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for bucket in stack.of_type(*BUCKET_TYPES):
        controls = bucket_companions(stack, bucket, BUCKET_OWNERSHIP)
        settings = [as_text(dig(c.props.get("rule"), "objectOwnership")) for c in controls]
        if not controls:
            yield (
                f"bucket {bucket.name} has no ownership controls setting BucketOwnerEnforced",
                bucket.urn,
            )
        elif any(setting != "BucketOwnerEnforced" for setting in settings):
            yield (
                f"bucket {bucket.name}: object ownership is {', '.join(settings)}, so ACLs "
                "still grant access",
                bucket.urn,
            )
        for acl in bucket_companions(stack, bucket, *BUCKET_ACL_TYPES):
            yield f"bucket {bucket.name}: ACL resource {acl.name} manages bucket ACLs", acl.urn


RULE = StackRule(
    name="s3-bucket-ownership-enforced",
    guards=("aws:s3/bucketOwnershipControls:BucketOwnershipControls.rule.objectOwnership",),
    description="Every S3 bucket disables ACLs with object ownership BucketOwnerEnforced.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Add an aws.s3.BucketOwnershipControls for the bucket with "
        'rule={"object_ownership": "BucketOwnerEnforced"} and remove any aws.s3.BucketAcl.'
    ),
    concern="exposure",
    controls=("FSBP S3.12",),
    check=_check,
)
