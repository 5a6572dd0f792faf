"""Every S3 bucket keeps object versions, so an overwrite or delete can be undone."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.props import as_text, dig
from policies.rules.common import BUCKET_TYPES, BUCKET_VERSIONING_TYPES, bucket_companions

__all__ = ["RULE"]


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for bucket in stack.of_type(*BUCKET_TYPES):
        versionings = bucket_companions(stack, bucket, *BUCKET_VERSIONING_TYPES)
        statuses = [
            as_text(dig(v.props.get("versioningConfiguration"), "status")) for v in versionings
        ]
        if "Enabled" not in statuses:
            state = ", ".join(s or "unset" for s in statuses) or "no versioning resource"
            yield f"bucket {bucket.name} does not keep object versions ({state})", bucket.urn


RULE = StackRule(
    name="s3-bucket-versioning-enabled",
    guards=(
        "aws:s3/bucketVersioning:BucketVersioning.versioningConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning.versioningConfiguration.status",
    ),
    description="Every S3 bucket has versioning enabled.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Add an aws.s3.BucketVersioning for the bucket with "
        'versioning_configuration={"status": "Enabled"}.'
    ),
    concern="resilience",
    controls=("FSBP S3.14",),
    check=_check,
)
