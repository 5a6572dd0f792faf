"""Every S3 bucket has a bucket policy that denies requests made without TLS."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.iam import Statement, denies_without_tls, statements
from policies.rules.common import BUCKET_POLICY, BUCKET_TYPES, bucket_companions

__all__ = ["RULE", "denies_insecure_transport"]


def denies_insecure_transport(statement: Statement) -> bool:
    """A Deny for everyone, covering all S3 actions, when `aws:SecureTransport` is false."""
    return denies_without_tls(statement, ("s3:GetObject", "s3:PutObject"))


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for bucket in stack.of_type(*BUCKET_TYPES):
        policies = bucket_companions(stack, bucket, BUCKET_POLICY)
        if not policies:
            yield (
                (f"bucket {bucket.name} has no bucket policy, so nothing denies plain HTTP"),
                bucket.urn,
            )
            continue
        if not any(
            denies_insecure_transport(s)
            for p in policies
            for s in statements(p.props.get("policy"))
        ):
            yield (
                (
                    f"bucket {bucket.name}: its policy does not deny requests with "
                    "aws:SecureTransport = false for all principals and S3 actions"
                ),
                bucket.urn,
            )


RULE = StackRule(
    name="s3-bucket-tls-only",
    guards=("aws:s3/bucketPolicy:BucketPolicy.policy",),
    description="Every S3 bucket has a bucket policy that denies requests made without TLS.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Attach an aws.s3.BucketPolicy to the bucket with a statement Effect=Deny, Principal=*, "
        "Action=s3:*, Resource=[bucket ARN, bucket ARN/*], "
        'Condition={"Bool": {"aws:SecureTransport": "false"}}.'
    ),
    concern="in-transit-encryption",
    controls=("FSBP S3.5", "CIS v3.0.0 2.1.1"),
    check=_check,
)
