"""Every S3 bucket encrypts new objects with a customer-managed KMS key by default."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, Severity, StackResource, StackRule, StackView
from policies.props import as_list, as_text, dig
from policies.rules.at_rest.key_arn_required import key_gap
from policies.rules.common import BUCKET_SSE_TYPES, BUCKET_TYPES, bucket_companions, matches_any

__all__ = ["RULE"]

_KMS_ALGORITHMS: Final = ("aws:kms", "aws:kms:dsse")


def _uses_kms_key(configuration: StackResource) -> bool:
    for rule in as_list(configuration.props.get("rules")):
        default = dig(rule, "applyServerSideEncryptionByDefault")
        if (
            as_text(dig(default, "sseAlgorithm")) in _KMS_ALGORITHMS
            and key_gap(dig(default, "kmsMasterKeyId"), "kmsMasterKeyId") is None
        ):
            return True
    return False


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    exempt = stack.config["accessLogTargetBuckets"]
    for bucket in stack.of_type(*BUCKET_TYPES):
        if matches_any(bucket.name, exempt):
            continue
        configurations = bucket_companions(stack, bucket, *BUCKET_SSE_TYPES)
        if not configurations:
            yield (
                f"bucket {bucket.name} has no server-side encryption configuration",
                bucket.urn,
            )
        elif not any(_uses_kms_key(c) for c in configurations):
            yield (
                f"bucket {bucket.name}: default encryption is not SSE-KMS (aws:kms or "
                "aws:kms:dsse) with a kmsMasterKeyId naming a customer-managed key",
                bucket.urn,
            )


RULE = StackRule(
    name="s3-bucket-sse-kms",
    guards=(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration.rules[].applyServerSideEncryptionByDefault",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration.rules[].applyServerSideEncryptionByDefault.**",
    ),
    description="Every S3 bucket encrypts objects by default with SSE-KMS and a named key.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with a rule "
        'apply_server_side_encryption_by_default={"sse_algorithm": "aws:kms", '
        '"kms_master_key_id": <key ARN>} and bucket_key_enabled=True. Server access-log '
        "target buckets (which S3 requires to use SSE-S3) are listed in accessLogTargetBuckets."
    ),
    concern="encryption-at-rest",
    controls=("FSBP S3.17",),
    check=_check,
    config_properties={
        "accessLogTargetBuckets": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["*access-logs*"],
            "description": (
                "Resource-name patterns of server access-log target buckets, which cannot use "
                "SSE-KMS."
            ),
        }
    },
)
