"""Every S3 bucket has a bucket policy that denies requests made without TLS."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.iam import Statement, grants, statements

__all__ = ["RULE", "denies_insecure_transport"]

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"


def denies_insecure_transport(statement: Statement) -> bool:
    """A Deny for everyone, covering all S3 actions, when `aws:SecureTransport` is false."""
    everyone = statement.principals == "*" or (
        isinstance(statement.principals, dict) and "*" in statement.principals.get("AWS", ())
    )
    secure_transport = {
        key.lower(): values for key, values in statement.conditions.get("Bool", {}).items()
    }.get("aws:securetransport", ())
    return (
        statement.effect == "Deny"
        and everyone
        and grants(statement, "s3:GetObject")
        and grants(statement, "s3:PutObject")
        and "false" in (value.lower() for value in secure_transport)
    )


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for bucket in stack.of_type(BUCKET):
        policies = stack.referencing(bucket, BUCKET_POLICY, prop="bucket")
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
    description="Every S3 bucket has a bucket policy that denies requests made without TLS.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Attach an aws.s3.BucketPolicy to the bucket with a statement Effect=Deny, Principal=*, "
        "Action=s3:*, Resource=[bucket ARN, bucket ARN/*], "
        'Condition={"Bool": {"aws:SecureTransport": "false"}}.'
    ),
    concern="in-transit-encryption",
    check=_check,
)
