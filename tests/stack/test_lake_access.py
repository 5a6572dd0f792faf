"""Who may write, tag and read what in the data lake, decided over the rendered stack.

Each request is decided against the identity and bucket policies the program renders, with
the engine of `make access` (the `stack_access` fixture: @cloud-copilot/iam-simulate).
"""

from __future__ import annotations

import json

import pytest

from contracts.names import function_role_name, tagger_role_name
from contracts.taxonomy import CATEGORIES
from tests.stack.conftest import rendered_stack
from tests.support.harness import Registered
from tests.support.stack_access import StackAccess

_SSE = "s3:x-amz-server-side-encryption"
_SSE_KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id"
_FOREIGN_KEY = "arn:aws:kms:ap-south-1:444455556666:key/00000000-0000-0000-0000-000000000000"


def _prefix(stack: Registered) -> str:
    tagger = next(
        r.inputs["name"]
        for r in stack.of_type("aws:lambda/function:Function")
        if r.inputs["name"].endswith("-object-tagger")
    )
    return str(tagger).removesuffix("-object-tagger")


def _research_group(stack: Registered) -> tuple[str, str, str]:
    """(role name, one of its projects, a project of another group) of a research role."""
    prefix = _prefix(stack)
    groups: dict[str, list[str]] = {}
    for role in stack.of_type("aws:iam/role:Role"):
        name = str(role.inputs.get("name", ""))
        if name.startswith(f"{prefix}-research-"):
            trust = json.loads(role.inputs["assumeRolePolicy"])
            tagging = next(s for s in trust["Statement"] if s["Action"] == "sts:TagSession")
            projects = tagging["Condition"]["StringEquals"]["aws:RequestTag/project"]
            groups[name] = projects if isinstance(projects, list) else [projects]
    chosen, projects = next((n, p) for n, p in groups.items() if len(p) == 1)
    other = next((p for ps in groups.values() for p in ps if p not in projects), "not-mine")
    return chosen, projects[0], other


def _upload_bucket(access: StackAccess, role: str) -> tuple[str, str]:
    """(bucket, classification) of a primary bucket `role` may upload to."""
    for document in access.identity_policies(role):
        for statement in document["Statement"]:
            if statement["Sid"].startswith("Upload"):
                bucket = str(statement["Resource"]).removeprefix("arn:aws:s3:::").split("/")[0]
                category = next(c for c in CATEGORIES if f"-{c.bucket_slug}-" in bucket)
                return bucket, category.classification
    raise AssertionError(f"{role} uploads nowhere")


def _lake_key(access: StackAccess, bucket: str) -> str:
    policy = access.bucket_policy(bucket)
    deny = next(s for s in policy["Statement"] if s["Sid"] == "DenyForeignKmsKey")
    return str(deny["Condition"]["ArnNotEquals"][_SSE_KEY])


@pytest.fixture
def lake(stack_access: StackAccess) -> tuple[Registered, StackAccess, str]:
    stack = rendered_stack(stack_access.documents.stack)
    return stack, stack_access, _prefix(stack)


def test_uploads_without_sse_headers_get_the_default_key(
    lake: tuple[Registered, StackAccess, str],
) -> None:
    """A PutObject with no SSE headers, or `aws:kms` without a key id, or the lake's own key,
    is not denied by the bucket; every UploadPart carries no SSE headers at all."""
    stack, access, _prefix = lake
    role, project, _ = _research_group(stack)
    bucket, _ = _upload_bucket(access, role)
    key = f"projects/{project}/uploads/sample.fastq.gz"
    tags = {"project": project}
    own_key = _lake_key(access, bucket)
    for context in ({}, {_SSE: "aws:kms"}, {_SSE: "aws:kms", _SSE_KEY: own_key}):
        decision = access.decide(
            role, "s3:PutObject", bucket, key, context=context, principal_tags=tags
        )
        assert decision == "Allowed", context


@pytest.mark.parametrize(
    "context",
    [{_SSE: "AES256"}, {_SSE: "aws:kms", _SSE_KEY: _FOREIGN_KEY}, {_SSE_KEY: _FOREIGN_KEY}],
    ids=["sse-s3", "foreign-key", "foreign-key-only"],
)
def test_uploads_naming_another_encryption_are_denied(
    lake: tuple[Registered, StackAccess, str], context: dict[str, str]
) -> None:
    """A header that names another algorithm or another key is refused."""
    stack, access, _prefix = lake
    role, project, _ = _research_group(stack)
    bucket, _ = _upload_bucket(access, role)
    key = f"projects/{project}/uploads/sample.fastq.gz"
    decision = access.decide(
        role, "s3:PutObject", bucket, key, context=context, principal_tags={"project": project}
    )
    assert decision == "ExplicitlyDenied"


def test_multipart_uploads_need_no_tags_and_stay_in_the_own_project(
    lake: tuple[Registered, StackAccess, str],
) -> None:
    """CreateMultipartUpload, UploadPart, CompleteMultipartUpload (all s3:PutObject, no tags)
    and AbortMultipartUpload work in the own prefix, and nowhere else."""
    stack, access, _prefix = lake
    role, project, other = _research_group(stack)
    bucket, _ = _upload_bucket(access, role)
    tags = {"project": project}
    own = f"projects/{project}/uploads/big.fastq.gz"
    for action in ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"):
        assert access.decide(role, action, bucket, own, principal_tags=tags) == "Allowed"
    foreign = f"projects/{other}/uploads/big.fastq.gz"
    assert access.decide(role, "s3:PutObject", bucket, foreign, principal_tags=tags) != "Allowed"
    outside = "big.fastq.gz"
    assert access.decide(role, "s3:PutObject", bucket, outside, principal_tags=tags) != "Allowed"


def test_uploaders_cannot_tag_and_untagged_objects_stay_unreadable(
    lake: tuple[Registered, StackAccess, str],
) -> None:
    """Tags (with the upload or after it) are the tagger's alone; an untagged object is read
    by no research role; once tagged with the project it is read by that project only."""
    stack, access, _prefix = lake
    role, project, other = _research_group(stack)
    bucket, classification = _upload_bucket(access, role)
    key = f"projects/{project}/uploads/big.fastq.gz"
    tags = {"project": project}
    tagging = {"s3:RequestObjectTag/project": project, "s3:RequestObjectTagKeys": ["project"]}
    assert (
        access.decide(
            role, "s3:PutObjectTagging", bucket, key, context=tagging, principal_tags=tags
        )
        != "Allowed"
    )
    assert access.decide(role, "s3:GetObject", bucket, key, principal_tags=tags) != "Allowed"
    tagged = {
        "s3:ExistingObjectTag/project": project,
        "s3:ExistingObjectTag/data-classification": classification,
    }
    assert (
        access.decide(role, "s3:GetObject", bucket, key, context=tagged, principal_tags=tags)
        == "Allowed"
    )
    elsewhere = {**tagged, "s3:ExistingObjectTag/project": other}
    assert (
        access.decide(role, "s3:GetObject", bucket, key, context=elsewhere, principal_tags=tags)
        != "Allowed"
    )


def test_the_tagger_may_tag_objects_of_every_data_bucket(
    lake: tuple[Registered, StackAccess, str],
) -> None:
    """The tagger's PutObjectTagging is allowed on every primary data bucket (the lab's
    reference and variant-call buckets too)."""
    stack, access, prefix = lake
    tagger = tagger_role_name(prefix)
    buckets = [
        str(r.inputs["bucket"])
        for r in stack.of_type("aws:s3/bucketNotification:BucketNotification")
    ]
    assert len(buckets) >= 5
    for bucket in buckets:
        decision = access.decide(tagger, "s3:PutObjectTagging", bucket, "projects/p/raw/rs_x.fq")
        assert decision == "Allowed", bucket


def test_the_audit_writes_its_reports_under_the_default_key(
    lake: tuple[Registered, StackAccess, str],
) -> None:
    """The tag audit's report upload (no SSE headers, multipart above 8 MB) is allowed, with
    both KMS actions a multipart upload to an SSE-KMS bucket needs (S3 User Guide, "Multipart
    upload API and permissions": kms:GenerateDataKey and kms:Decrypt)."""
    _stack, access, prefix = lake
    role = function_role_name(f"{prefix}-tag-audit")
    bucket = f"{prefix}-transfer-reports-ap-south-1"
    for action in ("s3:PutObject", "s3:AbortMultipartUpload"):
        assert access.decide(role, action, bucket, "tag-audit/2026-12-02/report.json") == "Allowed"
    key = _lake_key(access, bucket)
    via_s3 = {
        "kms:ViaService": "s3.ap-south-1.amazonaws.com",
        "kms:CallerAccount": access.documents.account,
        "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{bucket}",
    }
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        assert access.decide_arn(role, action, key, context=via_s3) == "Allowed", action
