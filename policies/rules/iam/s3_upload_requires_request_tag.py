"""Uploads by people carry the ABAC tags from the start (s3:RequestObjectTag conditions)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.iam import grants
from policies.rules.common import ROLE, role_documents, touches_data_lake
from policies.rules.iam.s3_read_requires_object_tag import is_service_role, missing_tag_conditions

__all__ = ["RULE"]


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for role in stack.of_type(ROLE):
        if is_service_role(role):
            continue
        for document, urn in role_documents(stack, role):
            for statement in document.statements:
                if statement.effect != "Allow" or not touches_data_lake(statement):
                    continue
                if not grants(statement, "s3:PutObject"):
                    continue
                missing = missing_tag_conditions(statement, "s3:RequestObjectTag")
                if missing:
                    yield (
                        f"{document.where}: statement {statement.sid or '(no Sid)'} allows "
                        "s3:PutObject to the data lake without s3:RequestObjectTag conditions "
                        f"on {', '.join(missing)}",
                        urn,
                    )


RULE = StackRule(
    name="iam-s3-upload-requires-request-tag",
    description=(
        "IAM roles that people assume upload to data-lake buckets only under "
        "s3:RequestObjectTag conditions that really restrict every ABAC key."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Add to the s3:PutObject statement a condition StringEquals "
        '{"s3:RequestObjectTag/project": "${aws:PrincipalTag/project}", '
        '"s3:RequestObjectTag/data-classification": '
        '"${aws:PrincipalTag/data-classification}"}.'
    ),
    concern="tag-based-iam",
    check=_check,
)
