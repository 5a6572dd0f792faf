"""ARNs as the wiring rules read them, and which stack resource each kind of ARN names.

A policy document names roles, users, buckets, tables, keys, topics and queues by ARN. Whether
that ARN is something the stack creates is a join between the ARN's resource part and the
inputs (or, during an update, the outputs) of the stack's resources. The kinds here say, per
ARN shape, which resource types to look at and which of their inputs hold the name.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from policies.props import as_text

__all__ = [
    "KINDS",
    "PRINCIPAL_KINDS",
    "Arn",
    "ArnKind",
    "is_pattern",
    "kind_of",
    "matches",
    "parse_arn",
    "strings_in",
]

_ARN: Final = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[^:]*):"
    r"(?P<account>[^:]*):(?P<resource>.+)$"
)


@dataclass(frozen=True, slots=True)
class Arn:
    """One ARN split into its parts (`resource` keeps its type prefix, e.g. `role/x`)."""

    text: str
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(text: str) -> Arn | None:
    """`text` as an ARN, or None when it is not one (service names, `*`, account ids)."""
    match = _ARN.match(text.strip())
    if match is None:
        return None
    return Arn(text=text.strip(), **match.groupdict())


@dataclass(frozen=True, slots=True)
class ArnKind:
    """One shape of ARN and the stack resources that can be what it names."""

    label: str
    """How messages call it: role, bucket, topic, ..."""
    service: str
    prefix: str
    """The resource part's type prefix (`role/`), empty when the part is the bare name."""
    resource_types: tuple[str, ...]
    name_inputs: tuple[str, ...]
    """Inputs that hold the exact physical name."""
    prefix_inputs: tuple[str, ...] = ()
    """Inputs that hold a name prefix the provider completes with a random suffix."""
    path_input: str = ""
    """For IAM identities: the input holding the path that sits between prefix and name."""
    separator: str = "/"
    """What ends the name inside the resource part (`/` for object keys, `:` for SNS ids)."""
    identity_outputs: tuple[str, ...] = ("arn",)
    """Outputs that, when present (during an update), give the ARN or id outright."""
    id_is_output: bool = False
    """The name part is an id AWS assigns (KMS key ids), so only outputs or references match."""
    keeps_prefix: bool = False
    """The name input includes the type prefix (KMS aliases are named `alias/...`)."""

    def name_in(self, arn: Arn) -> str | None:
        """The name (with IAM path) the ARN gives, or None when the ARN is not of this kind."""
        if arn.service != self.service or not arn.resource.startswith(self.prefix):
            return None
        rest = arn.resource[len(self.prefix) :]
        if not self.path_input:
            rest = rest.split(self.separator, 1)[0]
        return self.prefix + rest if self.keeps_prefix else rest

    def names_of(self, props: Mapping[str, Any]) -> tuple[set[str], set[str]]:
        """The exact names and the name prefixes a resource of this kind declares."""
        path = as_text(props.get(self.path_input)) if self.path_input else ""
        path = path.strip("/")
        lead = f"{path}/" if path else ""
        exact = {lead + as_text(props.get(key)) for key in self.name_inputs if props.get(key)}
        prefixes = {lead + as_text(props.get(key)) for key in self.prefix_inputs if props.get(key)}
        return exact, prefixes


_ROLE: Final = ArnKind(
    "role",
    "iam",
    "role/",
    ("aws:iam/role:Role",),
    ("name",),
    ("namePrefix",),
    path_input="path",
)
_ASSUMED_ROLE: Final = ArnKind(
    "assumed role", "sts", "assumed-role/", ("aws:iam/role:Role",), ("name",), ("namePrefix",)
)
"""`assumed-role/<role>/<session>`: the role's name without its path."""
_USER: Final = ArnKind("user", "iam", "user/", ("aws:iam/user:User",), ("name",), path_input="path")

PRINCIPAL_KINDS: Final = (_ROLE, _ASSUMED_ROLE, _USER)
"""ARN shapes that name an IAM principal."""

KINDS: Final = (
    *PRINCIPAL_KINDS,
    ArnKind(
        "bucket",
        "s3",
        "",
        ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"),
        ("bucket",),
        ("bucketPrefix",),
    ),
    ArnKind("table", "dynamodb", "table/", ("aws:dynamodb/table:Table",), ("name",)),
    ArnKind(
        "key",
        "kms",
        "key/",
        ("aws:kms/key:Key",),
        (),
        identity_outputs=("arn", "keyId"),
        id_is_output=True,
    ),
    ArnKind(
        "key alias",
        "kms",
        "alias/",
        ("aws:kms/alias:Alias",),
        ("name",),
        ("namePrefix",),
        keeps_prefix=True,
    ),
    ArnKind(
        "topic",
        "sns",
        "",
        ("aws:sns/topic:Topic",),
        ("name",),
        ("namePrefix",),
        separator=":",
    ),
    ArnKind("queue", "sqs", "", ("aws:sqs/queue:Queue",), ("name",), ("namePrefix",)),
)
"""Every ARN shape the wiring rules resolve; IAM principals first."""


def kind_of(arn: Arn, kinds: tuple[ArnKind, ...] = KINDS) -> tuple[ArnKind, str] | None:
    """The kind of `arn` among `kinds` and the name it gives, or None."""
    for kind in kinds:
        name = kind.name_in(arn)
        if name is not None:
            return kind, name
    return None


def is_pattern(text: str) -> bool:
    """Whether an ARN part uses IAM's wildcards."""
    return "*" in text or "?" in text


def matches(pattern: str, value: str) -> bool:
    """IAM ARN matching: `*` and `?` wildcards, case-sensitive as ARNs are."""
    return fnmatch.fnmatchcase(value, pattern)


def strings_in(value: Any) -> Iterator[str]:
    """Every string inside a decoded document value (single values and lists alike)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)
