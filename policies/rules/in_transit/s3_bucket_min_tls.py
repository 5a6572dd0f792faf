"""Every S3 bucket's policy refuses clients that negotiate a TLS version older than 1.2."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.iam import Statement, condition_values, grants, is_public_principal, statements
from policies.rules.common import BUCKET_POLICY, BUCKET_TYPES, bucket_companions

__all__ = ["RULE", "denies_old_tls"]

_MINIMUM = 1.2


def _version(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def denies_old_tls(statement: Statement) -> bool:
    """A Deny for everyone on all S3 actions when `s3:TlsVersion` is below 1.2 (or more)."""
    # ...IfExists denies as well: in a Deny, a request without the key is denied too.
    floors = {
        value
        for operator in ("NumericLessThan", "NumericLessThanIfExists")
        for value in condition_values(statement, "s3:TlsVersion", operator)
    }
    return (
        statement.effect == "Deny"
        and is_public_principal(statement)
        and grants(statement, "s3:GetObject")
        and grants(statement, "s3:PutObject")
        and any(_version(value) >= _MINIMUM for value in floors)
    )


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for bucket in stack.of_type(*BUCKET_TYPES):
        policies = bucket_companions(stack, bucket, BUCKET_POLICY)
        if not any(denies_old_tls(s) for p in policies for s in statements(p.props.get("policy"))):
            yield (
                f"bucket {bucket.name}: no bucket policy statement denies requests with "
                's3:TlsVersion below 1.2 (NumericLessThan {"s3:TlsVersion": "1.2"})',
                bucket.urn,
            )


RULE = StackRule(
    name="s3-bucket-min-tls-version",
    guards=("aws:s3/bucketPolicy:BucketPolicy.policy",),
    description="Every S3 bucket's policy denies requests made over TLS older than 1.2.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Add to the bucket's aws.s3.BucketPolicy a statement Effect=Deny, Principal=*, "
        "Action=s3:*, Resource=[bucket ARN, bucket ARN/*], "
        'Condition={"NumericLessThan": {"s3:TlsVersion": "1.2"}}.'
    ),
    concern="in-transit-encryption",
    check=_check,
)
