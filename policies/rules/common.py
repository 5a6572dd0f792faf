"""Facts several rules share: S3's split resource family, data-lake buckets, policy documents.

pulumi-aws 7 models every bucket setting as its own resource, and keeps `V2` aliases of several
of them; absence checks must accept either spelling, so the type tuples here list both.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from contracts.taxonomy import CATEGORIES
from policies.framework import StackResource, StackView
from policies.iam import Statement, statements
from policies.props import as_list, as_mapping, as_text

__all__ = [
    "BUCKET_ACL_TYPES",
    "BUCKET_LOGGING_TYPES",
    "BUCKET_OWNERSHIP",
    "BUCKET_POLICY",
    "BUCKET_PUBLIC_ACCESS_BLOCK",
    "BUCKET_REPLICATION",
    "BUCKET_SSE_TYPES",
    "BUCKET_TYPES",
    "BUCKET_VERSIONING_TYPES",
    "IDENTITY_POLICY_PROPS",
    "RESOURCE_POLICY_PROPS",
    "ROLE",
    "TRUST_POLICY_PROPS",
    "Document",
    "bucket_companions",
    "data_lake_slugs",
    "documents_of",
    "is_data_lake_bucket",
    "matches_any",
    "role_documents",
    "role_name",
    "touches_data_lake",
]

BUCKET_TYPES: Final = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_POLICY: Final = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_PUBLIC_ACCESS_BLOCK: Final = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_OWNERSHIP: Final = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
BUCKET_REPLICATION: Final = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
BUCKET_VERSIONING_TYPES: Final = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
BUCKET_SSE_TYPES: Final = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
BUCKET_LOGGING_TYPES: Final = (
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketLoggingV2:BucketLoggingV2",
)
BUCKET_ACL_TYPES: Final = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")

ROLE: Final = "aws:iam/role:Role"
_ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
_ROLE_POLICY_ATTACHMENT: Final = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
_MANAGED_POLICY: Final = "aws:iam/policy:Policy"

IDENTITY_POLICY_PROPS: Final[Mapping[str, str]] = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
"""Identity-policy resources and the input that holds their document (roles: inline too)."""

RESOURCE_POLICY_PROPS: Final[Mapping[str, str]] = {
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:s3/bucket:Bucket": "policy",
    "aws:s3/bucketV2:BucketV2": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
    "aws:kms/key:Key": "policy",
    "aws:backup/vaultPolicy:VaultPolicy": "policy",
    "aws:apigateway/restApiPolicy:RestApiPolicy": "policy",
    "aws:apigateway/restApi:RestApi": "policy",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
}
"""Resource-policy resources and the input that holds their document."""

TRUST_POLICY_PROPS: Final[Mapping[str, str]] = {ROLE: "assumeRolePolicy"}
"""Roles and the input that holds their trust policy."""

RESOURCE_POLICY_GUARDS: Final[tuple[str, ...]] = (
    "aws:s3/bucketPolicy:BucketPolicy.policy",
    "aws:sns/topicPolicy:TopicPolicy.policy",
    "aws:sns/topic:Topic.policy",
    "aws:sqs/queuePolicy:QueuePolicy.policy",
    "aws:sqs/queue:Queue.policy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy.policy",
    "aws:kms/key:Key.policy",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy.policyDocument",
    "aws:apigateway/restApi:RestApi.policy",
    "aws:s3/bucket:Bucket.policy",
)
"""Census paths of the resource-policy documents the stack's types carry (rules' `guards`)."""

POLICY_DOCUMENT_GUARDS: Final[tuple[str, ...]] = (
    "aws:iam/rolePolicy:RolePolicy.policy",
    "aws:iam/rolePolicy:RolePolicy.policy.**",
    "aws:iam/role:Role.inlinePolicies[].policy",
    *RESOURCE_POLICY_GUARDS,
)
"""Census paths of every identity- and resource-policy document (rules' `guards`)."""


@dataclass(frozen=True, slots=True)
class Document:
    """A policy document and where it came from, for messages."""

    where: str
    statements: tuple[Statement, ...]


def matches_any(name: str, patterns: Iterable[Any]) -> bool:
    """Whether `name` matches one of the fnmatch `patterns` (case-insensitive)."""
    return any(fnmatch.fnmatch(name.lower(), str(pattern).lower()) for pattern in patterns)


def data_lake_slugs() -> list[str]:
    """The bucket-name parts of the taxonomy's data categories (`raw-sequence`, ...)."""
    return [category.bucket_slug for category in CATEGORIES]


def touches_data_lake(statement: Statement) -> bool:
    """Whether the statement's resources include `*` or a data-lake bucket ARN.

    A `NotResource` statement covers every resource it does not list, so it touches the lake
    unless it lists every data-lake bucket's objects (which no rule here assumes): it counts.
    """
    slugs = data_lake_slugs()
    if statement.not_resources:
        return True
    return any(
        resource == "*" or any(f"-{slug}-" in resource for slug in slugs)
        for resource in statement.resources
    )


def is_data_lake_bucket(bucket: StackResource) -> bool:
    """Whether a bucket holds a data category: its resource name or bucket name has the slug."""
    slugs = data_lake_slugs()
    if any(slug in bucket.name for slug in slugs):
        return True
    name = as_text(bucket.props.get("bucket"))
    return any(f"-{slug}-" in f"-{name}-" for slug in slugs)


def bucket_companions(stack: StackView, bucket: StackResource, *types: str) -> list[StackResource]:
    """The configuration resources of `types` whose `bucket` input refers to `bucket`."""
    return stack.referencing(bucket, *types, prop="bucket")


def role_name(role: StackResource) -> str:
    """The role's IAM name when given, else its Pulumi name (auto-names start with it)."""
    return as_text(role.props.get("name")) or role.name


def _inline_documents(owner: StackResource) -> Iterator[Document]:
    for index, inline in enumerate(as_list(owner.props.get("inlinePolicies"))):
        entry = as_mapping(inline)
        label = as_text(entry.get("name")) or str(index)
        yield Document(f"{owner.name} (inline {label})", tuple(statements(entry.get("policy"))))


def role_documents(stack: StackView, role: StackResource) -> Iterator[tuple[Document, str]]:
    """Every identity document a role holds, with the URN to report against.

    Inline policies, `RolePolicy` resources and customer-managed policies attached by
    `RolePolicyAttachment` are joined by reference; AWS-managed ARNs are outside the stack.
    """
    for document in _inline_documents(role):
        yield document, role.urn
    for policy in stack.referencing(role, _ROLE_POLICY, prop="role"):
        yield Document(policy.name, tuple(statements(policy.props.get("policy")))), policy.urn
    for attachment in stack.referencing(role, _ROLE_POLICY_ATTACHMENT, prop="role"):
        for urn in attachment.property_dependencies.get("policyArn", ()):
            managed = stack.by_urn(urn)
            if managed is not None and managed.type == _MANAGED_POLICY:
                document = Document(managed.name, tuple(statements(managed.props.get("policy"))))
                yield document, managed.urn


def documents_of(
    type_token: str, name: str, props: Mapping[str, Any], kinds: Sequence[str]
) -> Iterator[Document]:
    """The policy documents a resource carries; `kinds` picks "identity", "resource", "trust"."""
    if "identity" in kinds:
        if type_token == ROLE:
            owner = StackResource(type_token, name, "", props, {}, None, {})
            yield from _inline_documents(owner)
        prop = IDENTITY_POLICY_PROPS.get(type_token)
        if prop is not None and props.get(prop) is not None:
            yield Document(name, tuple(statements(props.get(prop))))
    if "resource" in kinds:
        prop = RESOURCE_POLICY_PROPS.get(type_token)
        if prop is not None and props.get(prop) is not None:
            yield Document(name, tuple(statements(props.get(prop))))
    if "trust" in kinds:
        prop = TRUST_POLICY_PROPS.get(type_token)
        if prop is not None and props.get(prop) is not None:
            yield Document(f"{name} (trust policy)", tuple(statements(props.get(prop))))
