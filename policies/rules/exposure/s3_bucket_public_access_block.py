"""Every S3 bucket has a public access block with all four switches on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.props import as_bool
from policies.rules.common import BUCKET_PUBLIC_ACCESS_BLOCK, BUCKET_TYPES, bucket_companions

__all__ = ["RULE"]

FLAGS: Final = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for bucket in stack.of_type(*BUCKET_TYPES):
        blocks = bucket_companions(stack, bucket, BUCKET_PUBLIC_ACCESS_BLOCK)
        if not blocks:
            yield f"bucket {bucket.name} has no public access block", bucket.urn
            continue
        for block in blocks:
            off = [flag for flag in FLAGS if not as_bool(block.props.get(flag))]
            if off:
                # The block exists, so the pack's remedy ("add a block") does not fit: the
                # diagnostic names the switches to turn on (the report prefers its own fix).
                switches = ", ".join(f"{_snake(flag)}=True" for flag in off)
                yield (
                    f"bucket {bucket.name}: public access block {block.name} leaves "
                    f"{', '.join(off)} off (fix: set {switches} on {block.name})",
                    block.urn,
                )


def _snake(prop: str) -> str:
    """The Python argument name of an engine property: `blockPublicAcls` → `block_public_acls`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", prop).lower()


RULE = StackRule(
    name="s3-bucket-public-access-block",
    guards=(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock.blockPublicAcls",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock.blockPublicPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock.ignorePublicAcls",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock.restrictPublicBuckets",
    ),
    description="Every S3 bucket has a public access block with all four settings enabled.",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Add an aws.s3.BucketPublicAccessBlock for the bucket with block_public_acls, "
        "block_public_policy, ignore_public_acls and restrict_public_buckets all True."
    ),
    concern="exposure",
    controls=("FSBP S3.8", "CIS v3.0.0 2.1.4"),
    check=_check,
)
