"""One protected S3 bucket of the data lake and the configuration resources it needs.

pulumi-aws 7 models each bucket setting as its own resource, so a "bucket" here is a small
family: the bucket, versioning, default encryption, public access block, ownership controls,
policy, access logging, lifecycle, Intelligent-Tiering archive tiers, request metrics and, for
WORM data, Object Lock. Every member names its own `region`, which is how the DR replicas live
in Hyderabad under the stack's single provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import PolicyDocument

REQUEST_METRICS_FILTER_ID: Final = "EntireBucket"
"""Name of every lake bucket's request-metrics and Intelligent-Tiering configuration."""

__all__ = [
    "ABORT_INCOMPLETE_UPLOAD_DAYS",
    "REQUEST_METRICS_FILTER_ID",
    "BucketSpec",
    "LifecycleSettings",
    "ObjectLockSettings",
    "ProtectedBucket",
    "create_protected_bucket",
]

ABORT_INCOMPLETE_UPLOAD_DAYS: Final = 7
"""Parts of an abandoned multipart upload are billed until removed; a week covers any retry."""

ObjectLockMode = Literal["GOVERNANCE", "COMPLIANCE"]


@dataclass(frozen=True, slots=True)
class LifecycleSettings:
    """Storage-class and version housekeeping shared by every bucket of the lake."""

    noncurrent_version_days: int
    archive_access_days: int
    """0 leaves the Archive Access tier off."""
    deep_archive_access_days: int
    """0 leaves the Deep Archive Access tier off."""


@dataclass(frozen=True, slots=True)
class ObjectLockSettings:
    """Default retention of a WORM bucket."""

    mode: ObjectLockMode
    days: int


@dataclass(frozen=True, slots=True)
class BucketSpec:
    """What differs between the lake's buckets."""

    role: str
    """Child-name role, e.g. `raw-sequence` or `raw-sequence-dr`."""
    bucket_name: str
    region: str
    kms_key_arn: pulumi.Input[str] | None
    """Default SSE-KMS key; None means SSE-S3 (only the access-logs buckets)."""
    log_target_bucket: pulumi.Input[str] | None
    """Access-logs bucket of the same region; None for the access-logs bucket itself."""
    policy: Callable[[pulumi.Output[str]], PolicyDocument]
    """Builds the bucket policy from the bucket's ARN."""
    object_lock: ObjectLockSettings | None = None
    expire_current_days: int | None = None
    """Delete current objects after this many days (access logs); None keeps them."""


@dataclass(frozen=True, slots=True)
class ProtectedBucket:
    """The resources a consumer of a lake bucket may need to reference or depend on."""

    bucket: aws.s3.Bucket
    versioning: aws.s3.BucketVersioning
    policy: aws.s3.BucketPolicy


def create_protected_bucket(
    component: str, spec: BucketSpec, lifecycle: LifecycleSettings, parent: pulumi.Resource
) -> ProtectedBucket:
    """Create `spec`'s bucket with every protection, as children of `parent`."""
    prefix = f"{component}-{spec.role}"
    region = spec.region
    opts = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(
        prefix,
        bucket=spec.bucket_name,
        region=region,
        # Object Lock can only be switched on when the bucket is created.
        object_lock_enabled=spec.object_lock is not None,
        opts=opts,
    )
    child = pulumi.ResourceOptions(parent=parent, depends_on=[bucket])
    versioning = aws.s3.BucketVersioning(
        f"{prefix}-versioning",
        bucket=bucket.id,
        region=region,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
            status="Enabled"
        ),
        opts=child,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{prefix}-encryption",
        bucket=bucket.id,
        region=region,
        rules=[_encryption_rule(spec.kms_key_arn)],
        opts=child,
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        f"{prefix}-public-access",
        bucket=bucket.id,
        region=region,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    aws.s3.BucketOwnershipControls(
        f"{prefix}-ownership",
        bucket=bucket.id,
        region=region,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=child,
    )
    policy = aws.s3.BucketPolicy(
        f"{prefix}-policy",
        bucket=bucket.id,
        region=region,
        policy=spec.policy(bucket.arn).render(),
        # S3 rejects a policy write that races the public access block write on the same
        # bucket (OperationAborted), so the policy goes second.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[public_access]),
    )
    if spec.log_target_bucket is not None:
        aws.s3.BucketLogging(
            f"{prefix}-logging",
            bucket=bucket.id,
            region=region,
            target_bucket=spec.log_target_bucket,
            target_prefix=f"{spec.bucket_name}/",
            target_object_key_format=aws.s3.BucketLoggingTargetObjectKeyFormatArgs(
                partitioned_prefix=aws.s3.BucketLoggingTargetObjectKeyFormatPartitionedPrefixArgs(
                    partition_date_source="EventTime"
                )
            ),
            opts=child,
        )
    aws.s3.BucketLifecycleConfiguration(
        f"{prefix}-lifecycle",
        bucket=bucket.id,
        region=region,
        rules=[_lifecycle_rule(lifecycle, spec.expire_current_days)],
        # Noncurrent-version rules act on versions, so versioning must be on first.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
    )
    tierings = _archive_tierings(lifecycle)
    if tierings:
        aws.s3.BucketIntelligentTieringConfiguration(
            f"{prefix}-archive-tiers",
            bucket=bucket.id,
            region=region,
            name=REQUEST_METRICS_FILTER_ID,
            status="Enabled",
            tierings=tierings,
            opts=child,
        )
    aws.s3.BucketMetric(
        f"{prefix}-request-metrics",
        bucket=bucket.id,
        region=region,
        name=REQUEST_METRICS_FILTER_ID,
        opts=child,
    )
    if spec.object_lock is not None:
        aws.s3.BucketObjectLockConfiguration(
            f"{prefix}-object-lock",
            bucket=bucket.id,
            region=region,
            object_lock_enabled="Enabled",
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode=spec.object_lock.mode, days=spec.object_lock.days
                )
            ),
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
        )
    return ProtectedBucket(bucket=bucket, versioning=versioning, policy=policy)


def _encryption_rule(
    kms_key_arn: pulumi.Input[str] | None,
) -> aws.s3.BucketServerSideEncryptionConfigurationRuleArgs:
    if kms_key_arn is None:
        # S3 server access logging delivers only to buckets whose default encryption is
        # SSE-S3; a customer managed key on the target makes delivery fail silently.
        return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256"
            )
        )
    return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
        ),
        # One data key per bucket instead of one KMS call per object: cost and KMS quotas.
        bucket_key_enabled=True,
    )


def _lifecycle_rule(
    lifecycle: LifecycleSettings, expire_current_days: int | None
) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    expiration = (
        aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expire_current_days)
        if expire_current_days is not None
        else None
    )
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="intelligent-tiering-and-versions",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        transitions=[
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                days=0, storage_class="INTELLIGENT_TIERING"
            )
        ],
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=lifecycle.noncurrent_version_days
        ),
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=ABORT_INCOMPLETE_UPLOAD_DAYS
        ),
        expiration=expiration,
    )


def _archive_tierings(
    lifecycle: LifecycleSettings,
) -> list[aws.s3.BucketIntelligentTieringConfigurationTieringArgs]:
    tiers = (
        ("ARCHIVE_ACCESS", lifecycle.archive_access_days),
        ("DEEP_ARCHIVE_ACCESS", lifecycle.deep_archive_access_days),
    )
    return [
        aws.s3.BucketIntelligentTieringConfigurationTieringArgs(access_tier=tier, days=days)
        for tier, days in tiers
        if days > 0
    ]
