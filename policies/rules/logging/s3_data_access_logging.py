"""Object access on data-lake buckets is recorded: S3 server access logs or CloudTrail events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, Severity, StackResource, StackRule, StackView
from policies.props import as_list, as_text, dig
from policies.rules.common import (
    BUCKET_LOGGING_TYPES,
    BUCKET_TYPES,
    bucket_companions,
    is_data_lake_bucket,
)

__all__ = ["RULE"]

TRAIL: Final = "aws:cloudtrail/trail:Trail"
_ALL_OBJECTS: Final = ("arn:aws:s3", "arn:aws:s3:::")


def _trail_logs_all_objects(trail: StackResource) -> bool:
    for selector in as_list(trail.props.get("eventSelectors")):
        for resource in as_list(dig(selector, "dataResources")):
            if as_text(dig(resource, "type")) != "AWS::S3::Object":
                continue
            if any(as_text(v) in _ALL_OBJECTS for v in as_list(dig(resource, "values"))):
                return True
    return False


def _trail_covers(trail: StackResource, bucket: StackResource) -> bool:
    referenced = {
        urn
        for prop in ("eventSelectors", "advancedEventSelectors")
        for urn in trail.property_dependencies.get(prop, ())
    }
    return bucket.urn in referenced or _trail_logs_all_objects(trail)


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    trails = stack.of_type(TRAIL)
    for bucket in stack.of_type(*BUCKET_TYPES):
        if not is_data_lake_bucket(bucket):
            continue
        if bucket_companions(stack, bucket, *BUCKET_LOGGING_TYPES):
            continue
        if any(_trail_covers(trail, bucket) for trail in trails):
            continue
        yield (
            f"data-lake bucket {bucket.name} records no object access: no BucketLogging and no "
            "CloudTrail S3 data events cover it",
            bucket.urn,
        )


RULE = StackRule(
    name="s3-bucket-data-access-logging",
    guards=("aws:s3/bucketLogging:BucketLogging.targetBucket",),
    description=(
        "Data-lake buckets record object access through S3 server access logging or CloudTrail "
        "data events."
    ),
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.ADVISORY,
    remediation=(
        "Add an aws.s3.BucketLogging with bucket=<lake bucket> and target_bucket=<access-logs "
        "bucket>, or a CloudTrail trail with an S3 data-event selector for the bucket."
    ),
    concern="logging",
    controls=("FSBP S3.9",),
    check=_check,
)
