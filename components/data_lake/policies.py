"""The IAM documents of the data lake: bucket policies, the replication role, research roles.

Every document is built from `components.blocks.iam_documents` and the taxonomy, so the condition
keys research access depends on (`project`, `data-classification`) are spelt in one place.
The functions are pure: they take ARNs (plain strings or Outputs) and return documents, which
keeps them testable without a Pulumi runtime.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pulumi

from components.blocks.iam_documents import (
    ANY_PRINCIPAL,
    Condition,
    PolicyDocument,
    Principal,
    Statement,
    deny_insecure_transport,
    existing_object_tag,
    kms_via_service,
    objects_in,
    principal_tag,
    request_tag,
)
from contracts.layout import S3_KEY_ROOT as PROJECTS_ROOT
from contracts.taxonomy import DataCategory, TagKey

__all__ = [
    "DATA_READ_ACTIONS",
    "TAG_WRITE_ACTIONS",
    "UPLOAD_ACTIONS",
    "BucketPolicyOptions",
    "ReplicationPair",
    "ResearchAccess",
    "UploadTarget",
    "bucket_policy",
    "key_policy",
    "replication_policy",
    "research_access_policy",
    "research_trust_policy",
]

DATA_READ_ACTIONS: Final = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectTagging",
    "s3:GetObjectVersionTagging",
)
"""Object reads a research role gets; each accepts `s3:ExistingObjectTag/<key>` conditions."""

TAG_WRITE_ACTIONS: Final = (
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersionTagging",
)
"""Object-tag writes; tags are the access control, so only the tagger may perform them."""

UPLOAD_ACTIONS: Final = (
    "s3:PutObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
)
"""A person's upload of any size: S3 authorises CreateMultipartUpload, UploadPart and
CompleteMultipartUpload as `s3:PutObject` (S3 User Guide, "Multipart upload API and
permissions"); the other two let an SDK resume or clean up its own upload."""


@dataclass(frozen=True, slots=True)
class BucketPolicyOptions:
    """What a bucket's policy enforces beyond TLS, which every bucket enforces."""

    kms_key_arn: pulumi.Input[str] | None = None
    """Key uploads must use; None for the access-logs bucket, which S3 logging needs on SSE-S3."""
    tagger_role_arns: Sequence[pulumi.Input[str]] = ()
    """Only principals allowed to write object tags; empty leaves tag writes to IAM."""
    log_source_account: pulumi.Input[str] | None = None
    """Account whose buckets may deliver server access logs here (access-logs bucket only)."""
    log_source_bucket_arns: Sequence[pulumi.Input[str]] = ()
    """Buckets whose server access logs land here."""


def bucket_policy(bucket_arn: pulumi.Input[str], options: BucketPolicyOptions) -> PolicyDocument:
    """The bucket policy: TLS 1.2+ only, SSE-KMS uploads, tag writes by the tagger alone."""
    whole_bucket = (bucket_arn, objects_in(bucket_arn))
    objects = (objects_in(bucket_arn),)
    statements = [
        deny_insecure_transport("DenyInsecureTransport", ("s3:*",), whole_bucket),
        Statement(
            sid="DenyOutdatedTls",
            effect="Deny",
            principal=ANY_PRINCIPAL,
            actions=("s3:*",),
            resources=whole_bucket,
            conditions=(Condition("NumericLessThan", "s3:TlsVersion", "1.2"),),
        ),
    ]
    if options.kms_key_arn is not None:
        # Deny only a header that names something else. A negated operator, with or without
        # `IfExists`, also matches a key the request lacks (IAM User Guide, "Condition
        # operators": "If the policy condition requires that the key is not matched, such as
        # StringNotLike or ArnNotLike, and the right key is not present, the condition is
        # true"), so each deny also requires the header (`Null: false`). A request without
        # the headers gets the bucket's default SSE-KMS key, and `UploadPart` never carries
        # them (S3 User Guide, "Multipart upload API and permissions"). Two statements: the
        # conditions of one statement are AND-ed, and either mismatch must be refused alone.
        algorithm = "s3:x-amz-server-side-encryption"
        key_id = "s3:x-amz-server-side-encryption-aws-kms-key-id"
        statements += [
            Statement(
                sid="DenyNonKmsEncryption",
                effect="Deny",
                principal=ANY_PRINCIPAL,
                actions=("s3:PutObject",),
                resources=objects,
                conditions=(
                    Condition("Null", algorithm, "false"),
                    Condition("StringNotEquals", algorithm, "aws:kms"),
                ),
            ),
            Statement(
                sid="DenyForeignKmsKey",
                effect="Deny",
                principal=ANY_PRINCIPAL,
                actions=("s3:PutObject",),
                resources=objects,
                conditions=(
                    Condition("Null", key_id, "false"),
                    Condition("ArnNotEquals", key_id, options.kms_key_arn),
                ),
            ),
        ]
    if options.tagger_role_arns:
        statements += _tag_write_denies(objects, options)
    if options.log_source_account is not None:
        statements.append(
            Statement(
                sid="AllowServerAccessLogs",
                effect="Allow",
                principal=Principal("Service", ("logging.s3.amazonaws.com",)),
                actions=("s3:PutObject",),
                resources=objects,
                conditions=(
                    Condition("StringEquals", "aws:SourceAccount", options.log_source_account),
                    Condition("ArnLike", "aws:SourceArn", *options.log_source_bucket_arns),
                ),
            )
        )
    return PolicyDocument(*statements)


def _tag_write_denies(
    objects: tuple[pulumi.Input[str], ...], options: BucketPolicyOptions
) -> list[Statement]:
    """Every tag write is the tagger's, including the tags of an upload.

    S3 authorises a PutObject carrying `x-amz-tagging` as `s3:PutObjectTagging` too, so this
    deny also refuses uploads that bring their own tags: people upload untagged objects, and
    the object tagger tags them from their key when S3 reports them created.
    """
    return [
        Statement(
            sid="DenyTagWritesExceptTagger",
            effect="Deny",
            principal=ANY_PRINCIPAL,
            actions=TAG_WRITE_ACTIONS,
            resources=objects,
            conditions=(Condition("ArnNotLike", "aws:PrincipalArn", *options.tagger_role_arns),),
        )
    ]


def key_policy(account_root_arn: pulumi.Input[str]) -> PolicyDocument:
    """Key policy delegating to IAM, so roles get key use through scoped identity policies.

    `Resource: "*"` in a key policy means this key; it is the only form KMS accepts.
    """
    return PolicyDocument(
        Statement(
            sid="EnableIamPolicies",
            effect="Allow",
            principal=Principal("AWS", (account_root_arn,)),
            actions=("kms:*",),
            resources=("*",),
        )
    )


@dataclass(frozen=True, slots=True)
class ReplicationPair:
    """One source bucket and its replica."""

    source_arn: pulumi.Input[str]
    replica_arn: pulumi.Input[str]
    worm: bool
    """Source has Object Lock: replication must also read retention and legal holds."""


def replication_policy(
    pairs: Sequence[ReplicationPair],
    *,
    source_key_arn: pulumi.Input[str],
    replica_key_arn: pulumi.Input[str],
    source_region: str,
    replica_region: str,
) -> PolicyDocument:
    """Least privilege for S3 replication of SSE-KMS objects from the sources to the replicas."""
    statements = [
        Statement(
            sid="ReadReplicationConfiguration",
            effect="Allow",
            actions=("s3:GetReplicationConfiguration", "s3:ListBucket"),
            resources=tuple(p.source_arn for p in pairs),
        ),
        Statement(
            sid="ReadSourceVersions",
            effect="Allow",
            actions=(
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ),
            resources=tuple(objects_in(p.source_arn) for p in pairs),
        ),
    ]
    locked = tuple(objects_in(p.source_arn) for p in pairs if p.worm)
    if locked:
        statements.append(
            Statement(
                sid="ReadSourceObjectLock",
                effect="Allow",
                actions=("s3:GetObjectRetention", "s3:GetObjectLegalHold"),
                resources=locked,
            )
        )
    statements += [
        Statement(
            sid="WriteReplicas",
            effect="Allow",
            actions=("s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"),
            resources=tuple(objects_in(p.replica_arn) for p in pairs),
        ),
        Statement(
            sid="DecryptSourceThroughS3",
            effect="Allow",
            actions=("kms:Decrypt",),
            resources=(source_key_arn,),
            conditions=(kms_via_service("s3", (source_region,)),),
        ),
        # GenerateDataKey beside Encrypt: the replicas use S3 Bucket Keys, for which S3 asks KMS
        # for a data key under the replica key instead of encrypting each object's key.
        Statement(
            sid="EncryptReplicasThroughS3",
            effect="Allow",
            actions=("kms:Encrypt", "kms:GenerateDataKey"),
            resources=(replica_key_arn,),
            conditions=(kms_via_service("s3", (replica_region,)),),
        ),
    ]
    return PolicyDocument(*statements)


def research_trust_policy(
    trusted_principal_arns: Sequence[pulumi.Input[str]], group: str, projects: Sequence[str]
) -> PolicyDocument:
    """Who may become a research role, and with which `project` session tag.

    The trust names the account, so the person is bound to the group by the `research-group`
    tag their identity provider puts on their session (`aws:PrincipalTag/research-group`, IAM
    User Guide, "Passing session tags in AWS STS" and IAM Identity Center "Attributes for
    access control"): a member of another group, or a caller without the tag, is refused.

    A role carries one value per tag key but a group works on several projects, so the project
    is a session tag chosen at AssumeRole (`--tags Key=project,Value=<slug>`), limited here to
    the group's projects, and the only tag a caller may set. A session without it matches no
    object, because `${aws:PrincipalTag/project}` then resolves to nothing.
    """
    principal = Principal("AWS", tuple(trusted_principal_arns))
    mfa = Condition("Bool", "aws:MultiFactorAuthPresent", "true")
    member = Condition("StringEquals", f"aws:PrincipalTag/{TagKey.RESEARCH_GROUP.value}", group)
    return PolicyDocument(
        Statement(
            sid="AssumeWithMfa",
            effect="Allow",
            principal=principal,
            actions=("sts:AssumeRole",),
            conditions=(mfa, member),
        ),
        Statement(
            sid="TagSessionWithGroupProject",
            effect="Allow",
            principal=principal,
            actions=("sts:TagSession",),
            conditions=(
                mfa,
                member,
                Condition("StringEquals", request_tag(TagKey.PROJECT), *projects),
                Condition("ForAllValues:StringEquals", "aws:TagKeys", TagKey.PROJECT.value),
                Condition("Null", request_tag(TagKey.PROJECT), "false"),
            ),
        ),
    )


@dataclass(frozen=True, slots=True)
class UploadTarget:
    """A primary data bucket people may upload to, and the category its objects belong to."""

    bucket_arn: pulumi.Input[str]
    category: DataCategory


@dataclass(frozen=True, slots=True)
class ResearchAccess:
    """The buckets and keys one research group's role may use."""

    projects: Sequence[str]
    classifications: Sequence[str]
    readable_bucket_arns: Sequence[pulumi.Input[str]]
    """Data buckets in both regions: reads keep working from the replicas if Mumbai is lost."""
    upload_targets: Sequence[UploadTarget]
    """Primary data buckets that accept research uploads; only those whose category's
    classification is among `classifications` get an upload statement."""
    keys_by_region: Sequence[tuple[str, pulumi.Input[str]]]
    """(region, key ARN) of the lake's keys; each is usable only through S3 in its region."""


def research_access_policy(access: ResearchAccess) -> PolicyDocument:
    """ABAC for one research group: objects of the session's project and allowed classes.

    Every statement also pins `aws:PrincipalTag/project` to the group's projects, so a session
    that lacks the session tag (and so sees the role's own `project` default tag) reaches
    nothing. S3 object-tag keys are single-valued, so "one of the allowed classifications" is a
    plain `StringEquals` with several values (OR-ed), not a `ForAnyValue` set operator.

    Uploads get one statement per category bucket, because each bucket fixes the
    classification and data type its objects must be tagged with; `s3:PutObjectTagging` sits
    beside `s3:PutObject` under the same conditions because S3 authorises the tags of a tagged
    PutObject as that action. The bucket policy refuses it on objects that already carry tags.
    """
    own_project = principal_tag(TagKey.PROJECT)
    pinned = Condition("StringEquals", f"aws:PrincipalTag/{TagKey.PROJECT.value}", *access.projects)
    statements = [
        Statement(
            sid="ReadOwnProjectObjects",
            effect="Allow",
            actions=DATA_READ_ACTIONS,
            resources=tuple(objects_in(arn) for arn in access.readable_bucket_arns),
            conditions=(
                Condition("StringEquals", existing_object_tag(TagKey.PROJECT), own_project),
                Condition(
                    "StringEquals",
                    existing_object_tag(TagKey.DATA_CLASSIFICATION),
                    *access.classifications,
                ),
                pinned,
            ),
        ),
        # ListBucket knows no object tags; the key prefix is the only thing it can scope by.
        Statement(
            sid="ListOwnProjectPrefix",
            effect="Allow",
            actions=("s3:ListBucket",),
            resources=tuple(access.readable_bucket_arns),
            conditions=(
                Condition("StringLike", "s3:prefix", f"{PROJECTS_ROOT}/{own_project}/*"),
                pinned,
            ),
        ),
    ]
    statements += [
        _upload_statement(target, pinned)
        for target in access.upload_targets
        if target.category.classification in access.classifications
    ]
    for region, key_arn in access.keys_by_region:
        statements.append(
            Statement(
                sid=f"UseLakeKeyThroughS3{_sid_part(region)}",
                effect="Allow",
                actions=("kms:Decrypt", "kms:GenerateDataKey"),
                resources=(key_arn,),
                conditions=(kms_via_service("s3", (region,)), pinned),
            )
        )
    return PolicyDocument(*statements)


def _upload_statement(target: UploadTarget, pinned: Condition) -> Statement:
    """Uploads of any size into the session's project prefix of one category's bucket.

    No tags: multipart parts carry none, and the bucket policy leaves tag writes to the
    tagger, which derives the object's tags from its key. Until then the object carries no
    `project` tag, so no research role can read it.
    """
    own_project = principal_tag(TagKey.PROJECT)
    return Statement(
        sid=f"Upload{_sid_part(target.category.name)}",
        effect="Allow",
        actions=UPLOAD_ACTIONS,
        resources=(objects_in(target.bucket_arn, f"{PROJECTS_ROOT}/{own_project}/"),),
        conditions=(pinned,),
    )


def _sid_part(text: str) -> str:
    """`ap-south-1` → `ApSouth1`, `raw_sequence` → `RawSequence`, so names can name a statement."""
    return "".join(part.capitalize() for part in re.split(r"[-_]", text))
