"""Uploads by people carry the ABAC tags from the start, or land only in their own project.

A people's upload grant passes when it pins every ABAC key with s3:RequestObjectTag
conditions, or when every resource it names is confined to the caller's own project prefix
(`.../projects/${aws:PrincipalTag/project}/...`): the platform's object tagger then tags the
new object from its key. The second form is the one multipart uploads need, because
UploadPart and CompleteMultipartUpload are authorised as s3:PutObject and carry no tags.
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.iam import grants
from policies.rules.common import ROLE, role_documents, touches_data_lake
from policies.rules.iam.s3_read_requires_object_tag import is_service_role, missing_tag_conditions

__all__ = ["OWN_PROJECT_PREFIX", "RULE"]

OWN_PROJECT_PREFIX = "/projects/${aws:PrincipalTag/project}/"
"""The key prefix of the caller's own project, as an IAM resource names it."""


def _own_project_only(resources: tuple[str, ...]) -> bool:
    return bool(resources) and all(OWN_PROJECT_PREFIX in resource for resource in resources)


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
                if _own_project_only(statement.resources):
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
    guards=(
        "aws:iam/rolePolicy:RolePolicy.policy",
        "aws:iam/rolePolicy:RolePolicy.policy.**",
        "aws:iam/role:Role.inlinePolicies[].policy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment.policyArn",
    ),
    description=(
        "IAM roles that people assume upload to data-lake buckets only under "
        "s3:RequestObjectTag conditions that really restrict every ABAC key, or only into "
        "their own project prefix for the object tagger to tag."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Add to the s3:PutObject statement a condition StringEquals "
        '{"s3:RequestObjectTag/project": "${aws:PrincipalTag/project}", '
        '"s3:RequestObjectTag/data-classification": '
        '"${aws:PrincipalTag/data-classification}"}, or confine its Resource to '
        '"arn:aws:s3:::<bucket>/projects/${aws:PrincipalTag/project}/*".'
    ),
    concern="tag-based-iam",
    check=_check,
)
