"""No policy grants `s3:*` or `*` on the data lake: every grant to genomes names its actions."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.iam import covers_service
from policies.rules.common import (
    IDENTITY_POLICY_PROPS,
    POLICY_DOCUMENT_GUARDS,
    RESOURCE_POLICY_PROPS,
    ROLE,
    documents_of,
    touches_data_lake,
)

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    documents = documents_of(resource.type, resource.name, resource.props, ("identity", "resource"))
    for document in documents:
        for statement in document.statements:
            if statement.effect != "Allow" or not touches_data_lake(statement):
                continue
            broad = [a for a in statement.actions if covers_service(a, "s3")]
            if broad:
                yield (
                    f"{document.where}: statement {statement.sid or '(no Sid)'} allows "
                    f"{', '.join(broad)} on data-lake resources"
                )


RULE = ResourceRule(
    name="iam-s3-no-wildcard-data-actions",
    guards=POLICY_DOCUMENT_GUARDS,
    description="No policy allows `s3:*` or `*` on data-lake buckets and objects.",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "List the S3 actions the principal needs (e.g. s3:GetObject, s3:ListBucket) instead of "
        "s3:* or *, and scope Resource to the buckets it needs."
    ),
    concern="tag-based-iam",
    controls=("FSBP IAM.21",),
    resource_types=(ROLE, *IDENTITY_POLICY_PROPS, *RESOURCE_POLICY_PROPS),
    check=_check,
)
