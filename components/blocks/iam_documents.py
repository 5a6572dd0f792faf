"""Small typed builders for IAM policy documents that every component renders the same way.

Policies are data, not pasted JSON: a `PolicyDocument` holds `Statement`s, a statement holds
`Condition`s, and `render()` turns the whole tree, Outputs included, into the JSON string a
resource argument takes. Mistakes that JSON would accept silently fail here at construction
(an unknown effect or operator, two values for one condition key, a statement without actions),
and the tag-key helpers spell condition keys from the taxonomy so no component retypes them.

Typical use::

    doc = PolicyDocument(
        Statement(
            sid="ReadOwnProject",
            effect="Allow",
            actions=("s3:GetObject",),
            resources=(objects_in(bucket.arn),),
            conditions=(
                Condition(
                    "StringEquals",
                    existing_object_tag(TagKey.PROJECT),
                    principal_tag(TagKey.PROJECT),
                ),
            ),
        )
    )
    aws.iam.RolePolicy("x", role=role.id, policy=doc.render())
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias, get_args

import pulumi

from contracts.taxonomy import TagKey

PARTITION: Final = "aws"
"""Data residency pins the platform to the India regions, all in the commercial partition."""

JsonDocument: TypeAlias = dict[str, Any]
"""A policy document built as a plain dictionary; leaves may be `pulumi.Input` values."""


def render_json(document: JsonDocument) -> pulumi.Output[str]:
    """A plain-dictionary document as the JSON string AWS expects, resolving outputs inside it."""
    return pulumi.Output.json_dumps(document)


def managed_policy_arn(path_and_name: str) -> str:
    """The ARN of an AWS managed policy, e.g. `service-role/AmazonEFSCSIDriverPolicy`."""
    return f"arn:{PARTITION}:iam::aws:policy/{path_and_name}"


__all__ = [
    "ANY_PRINCIPAL",
    "PARTITION",
    "Condition",
    "Effect",
    "JsonDocument",
    "Operator",
    "PolicyDocument",
    "Principal",
    "Statement",
    "deny_insecure_transport",
    "existing_object_tag",
    "kms_via_service",
    "managed_policy_arn",
    "objects_in",
    "principal_tag",
    "render_json",
    "request_object_tag",
    "request_tag",
    "service_trust_policy",
]

POLICY_VERSION: Final = "2012-10-17"
"""The only policy language version that supports policy variables such as `${aws:...}`."""

Effect: TypeAlias = Literal["Allow", "Deny"]

Operator: TypeAlias = Literal[
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "StringEqualsIfExists",
    "StringNotEqualsIfExists",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "ArnNotEqualsIfExists",
    "NumericLessThan",
    "Bool",
    "Null",
    "ForAllValues:StringEquals",
    "ForAllValues:StringLike",
    "ForAnyValue:StringEquals",
    "ForAnyValue:StringNotEquals",
]
"""Condition operators the platform uses; add one here (checked by mypy) before using it."""

_OPERATORS: Final = frozenset(get_args(Operator))

PrincipalKind: TypeAlias = Literal["AWS", "Service", "Federated", "*"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a resource or trust policy speaks about: `AWS`, `Service`, `Federated` or anyone."""

    kind: PrincipalKind
    identifiers: tuple[pulumi.Input[str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind == "*" and self.identifiers:
            raise ValueError("Principal('*') takes no identifiers; it means every principal")
        if self.kind != "*" and not self.identifiers:
            raise ValueError(f"Principal({self.kind!r}) needs at least one identifier")

    def _render(self) -> Any:
        if self.kind == "*":
            return "*"
        return {self.kind: _one_or_many(self.identifiers)}


ANY_PRINCIPAL: Final = Principal("*")
"""Every principal; bucket-policy denies use it so that no one escapes the rule."""


@dataclass(frozen=True, slots=True, init=False)
class Condition:
    """One condition test: `operator` applied to `key` with one or more `values` (OR-ed).

    Tests in one statement are AND-ed; that is why a deny that must fire on either of two
    facts needs two statements, not two conditions.
    """

    operator: Operator
    key: str
    values: tuple[pulumi.Input[str], ...]

    def __init__(self, operator: Operator, key: str, *values: pulumi.Input[str]) -> None:
        if operator not in _OPERATORS:
            raise ValueError(f"unknown condition operator {operator!r}; use one of Operator")
        if not key:
            raise ValueError("a condition needs a key such as aws:SecureTransport")
        if not values:
            raise ValueError(f"condition {operator} on {key} needs at least one value")
        object.__setattr__(self, "operator", operator)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "values", tuple(values))


@dataclass(frozen=True, slots=True)
class Statement:
    """One policy statement. Resources are omitted for trust policies, principals for IAM ones."""

    sid: str
    effect: Effect
    actions: tuple[str, ...]
    resources: tuple[pulumi.Input[str], ...] = ()
    principal: Principal | None = None
    conditions: tuple[Condition, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.sid.isalnum():
            raise ValueError(f"statement id {self.sid!r} must be letters and digits only")
        if self.effect not in ("Allow", "Deny"):
            raise ValueError(f"statement {self.sid}: effect must be Allow or Deny")
        if not self.actions:
            raise ValueError(f"statement {self.sid}: list at least one action")
        bad = [a for a in self.actions if ":" not in a or a.startswith("*")]
        if bad:
            raise ValueError(f"statement {self.sid}: {bad} are not service:Action names")
        seen: set[tuple[str, str]] = set()
        for condition in self.conditions:
            pair = (condition.operator, condition.key)
            if pair in seen:
                raise ValueError(
                    f"statement {self.sid}: {condition.operator} on {condition.key} appears "
                    "twice; give one Condition several values instead"
                )
            seen.add(pair)

    def _render(self) -> dict[str, Any]:
        rendered: dict[str, Any] = {"Sid": self.sid, "Effect": self.effect}
        if self.principal is not None:
            rendered["Principal"] = self.principal._render()
        rendered["Action"] = _one_or_many(self.actions)
        if self.resources:
            rendered["Resource"] = _one_or_many(self.resources)
        if self.conditions:
            block: dict[str, dict[str, Any]] = {}
            for condition in self.conditions:
                block.setdefault(condition.operator, {})[condition.key] = _one_or_many(
                    condition.values
                )
            rendered["Condition"] = block
        return rendered


class PolicyDocument:
    """An ordered set of statements with unique ids, rendered as policy JSON."""

    def __init__(self, *statements: Statement) -> None:
        if not statements:
            raise ValueError("a policy document needs at least one statement")
        sids = [s.sid for s in statements]
        duplicates = sorted({s for s in sids if sids.count(s) > 1})
        if duplicates:
            raise ValueError(f"statement ids must be unique; repeated: {duplicates}")
        self.statements: tuple[Statement, ...] = statements

    def __add__(self, other: PolicyDocument) -> PolicyDocument:
        return PolicyDocument(*self.statements, *other.statements)

    def structure(self) -> dict[str, Any]:
        """The document as nested dicts and lists; values may still be Outputs."""
        return {"Version": POLICY_VERSION, "Statement": [s._render() for s in self.statements]}

    def render(self) -> pulumi.Output[str]:
        """The JSON string, once every Output inside has resolved."""
        return pulumi.Output.json_dumps(self.structure())

    def to_json(self) -> str:
        """The JSON string of a document made only of plain strings (tests, docs, linting)."""
        return json.dumps(self.structure())


def _one_or_many(values: Sequence[Any]) -> Any:
    return values[0] if len(values) == 1 else list(values)


# ---- condition keys from the taxonomy ----


def principal_tag(key: TagKey) -> str:
    """The policy variable holding the caller's principal (role or session) tag `key`."""
    return f"${{aws:PrincipalTag/{key.value}}}"


def existing_object_tag(key: TagKey) -> str:
    """Condition key for a tag already on the object (reads, tag reads; not ListBucket)."""
    return f"s3:ExistingObjectTag/{key.value}"


def request_object_tag(key: TagKey) -> str:
    """Condition key for a tag sent with an upload (`x-amz-tagging`) or a tag write."""
    return f"s3:RequestObjectTag/{key.value}"


def request_tag(key: TagKey) -> str:
    """Condition key for a tag passed in a request, e.g. a session tag on sts:TagSession."""
    return f"aws:RequestTag/{key.value}"


# ---- resources and recurring statements ----


def objects_in(bucket_arn: pulumi.Input[str], prefix: str = "") -> pulumi.Output[str]:
    """ARN pattern of the objects of a bucket, optionally under `prefix` (ending in `/`)."""
    if prefix and not prefix.endswith("/"):
        raise ValueError(f"object prefix {prefix!r} must end with '/'")
    return pulumi.Output.concat(bucket_arn, "/", prefix, "*")


def kms_via_service(service: str, regions: Iterable[str]) -> Condition:
    """Limit KMS use to requests a service such as `s3` makes on the caller's behalf."""
    endpoints = [f"{service}.{region}.amazonaws.com" for region in regions]
    return Condition("StringEquals", "kms:ViaService", *endpoints)


def deny_insecure_transport(
    sid: str, actions: Sequence[str], resources: Sequence[pulumi.Input[str]]
) -> Statement:
    """Deny every principal any of `actions` on `resources` over plain HTTP.

    Resource policies (buckets, topics, file systems, keys) all use this form; pass the
    service's wildcard action (e.g. `s3:*`) because a deny must not leave a gap.
    """
    return Statement(
        sid=sid,
        effect="Deny",
        principal=ANY_PRINCIPAL,
        actions=tuple(actions),
        resources=tuple(resources),
        conditions=(Condition("Bool", "aws:SecureTransport", "false"),),
    )


def service_trust_policy(
    service: str,
    source_account: pulumi.Input[str] | None,
    *,
    sid: str = "TrustService",
    tag_session: bool = False,
    source_arn: pulumi.Input[str] | None = None,
    conditions: Sequence[Condition] = (),
) -> PolicyDocument:
    """Trust policy letting AWS `service` (e.g. `s3.amazonaws.com`) assume a role.

    `aws:SourceAccount` stops the confused deputy: the service may act only for resources of
    this account, not for a stranger who names the role in their own configuration. Pass
    `None` only for the few services that assume a role without naming a source (EC2 instance
    profiles of EKS nodes, the EKS control plane); the argument is required so that leaving the
    guard out is a visible choice. `source_arn` narrows the trust further to the resources
    matching the (`ArnLike`) pattern; `tag_session` adds `sts:TagSession` for services that
    pass session tags (EKS Pod Identity, DataZone); `conditions` are AND-ed to the others.
    """
    guards: list[Condition] = []
    if source_account is not None:
        guards.append(Condition("StringEquals", "aws:SourceAccount", source_account))
    if source_arn is not None:
        guards.append(Condition("ArnLike", "aws:SourceArn", source_arn))
    actions = ("sts:AssumeRole", "sts:TagSession") if tag_session else ("sts:AssumeRole",)
    return PolicyDocument(
        Statement(
            sid=sid,
            effect="Allow",
            principal=Principal("Service", (service,)),
            actions=actions,
            conditions=(*guards, *conditions),
        )
    )
