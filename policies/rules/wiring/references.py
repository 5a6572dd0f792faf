"""What the wiring rules share: every ARN a policy document names, and what in the stack it is.

Each side of a wiring can be right against itself and wrong against the other: a bucket policy
that exempts `role/x-tagger` while the function's role is `role/x-tagger-role` is valid JSON,
valid IAM and useless. These helpers collect every ARN of the stack's own account that a
document names (in `Principal`, `Resource` or a condition value), and resolve it against the
roles, users, buckets, tables, keys, topics and queues the stack creates.

Values unknown during preview are never guessed: a document that cannot be read yet, or a
candidate whose name is not known yet, makes the reference "cannot be checked until update".
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from policies.arns import (
    KINDS,
    PRINCIPAL_KINDS,
    Arn,
    ArnKind,
    is_pattern,
    kind_of,
    matches,
    parse_arn,
)
from policies.framework import StackResource, StackView
from policies.iam import Statement, statements
from policies.props import as_list, as_mapping, as_text, resource_region
from policies.rules.common import (
    IDENTITY_POLICY_PROPS,
    RESOURCE_POLICY_PROPS,
    ROLE,
    TRUST_POLICY_PROPS,
)

__all__ = [
    "AWS_CREATED_ROLES",
    "CONFIG_PROPERTIES",
    "Inventory",
    "Reference",
    "Unknowns",
    "arn_references",
    "own_accounts",
]

_PRINCIPAL_LABELS: Final = {kind.label for kind in PRINCIPAL_KINDS}

AWS_CREATED_ROLES: Final = (
    "arn:aws*:iam::*:role/aws-service-role/*",
    "arn:aws*:iam::*:role/aws-reserved/sso.amazonaws.com/*",
)
"""Roles AWS creates and controls under its own paths: service-linked roles ("The service
controls the attached policies and when the role can be deleted", IAM CreateServiceLinkedRole;
ARNs like `role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk`)
and IAM Identity Center permission-set roles (`role/aws-reserved/sso.amazonaws.com/...`)."""

CONFIG_PROPERTIES: Final[Mapping[str, Mapping[str, Any]]] = {
    "accountIds": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": (
            "The stack's own account ids. Empty: the AWS providers' allowedAccountIds, else the "
            "account most ARNs in the stack's documents name."
        ),
    },
    "externalArns": {
        "type": "array",
        "items": {"type": "string"},
        "default": list(AWS_CREATED_ROLES),
        "description": (
            "ARN patterns (fnmatch) of principals and resources that exist outside the stack "
            "on purpose (a shared logging bucket, a CI role); setting it replaces the default, "
            "the roles AWS itself creates (service-linked and IAM Identity Center roles)."
        ),
    },
}
"""The config both wiring rules take, beside the shared `exclude`."""


@dataclass(frozen=True, slots=True)
class Reference:
    """One ARN a document names, where, and what kind of thing it should be."""

    owner: StackResource
    """The resource that holds the document."""
    prop: str
    """The input holding the document."""
    where: str
    """The document, for messages: resource name and inline or trust label."""
    statement: str
    element: str
    """`Principal`, `Resource` or `Condition <key>`."""
    arn: Arn
    kind: ArnKind
    name: str
    """The name (with IAM path) the ARN gives; may be a pattern."""


@dataclass
class Unknowns:
    """What could not be read during preview; raised once at the end, after all violations."""

    where: list[str] = field(default_factory=list)

    def add(self, where: str) -> None:
        if where not in self.where:
            self.where.append(where)

    def raise_if_any(self) -> None:
        """Let the SDK report the rule as not checkable (advisory) for what was unknown."""
        if self.where:
            error = UnknownValueError(UNKNOWN_STRING_VALUE, [])
            error.message = "cannot be checked until update: " + ", ".join(self.where)
            raise error


def _documents(resource: StackResource, unknowns: Unknowns) -> Iterator[tuple[str, str, Any]]:
    """(input, label, raw document) for every policy document the resource carries.

    A document unknown during preview is recorded in `unknowns` and skipped, so the others
    are still checked.
    """
    labelled = [
        (table.get(resource.type), resource.name)
        for table in (IDENTITY_POLICY_PROPS, RESOURCE_POLICY_PROPS)
    ]
    labelled.append((TRUST_POLICY_PROPS.get(resource.type), f"{resource.name} (trust policy)"))
    for prop, label in labelled:
        if prop is None:
            continue
        try:
            raw = resource.props.get(prop)
        except UnknownValueError:
            unknowns.add(f"{label}.{prop}")
            continue
        if raw is not None:
            yield prop, label, raw
    if resource.type == ROLE:
        try:
            inline_policies = as_list(resource.props.get("inlinePolicies"))
        except UnknownValueError:
            unknowns.add(f"{resource.name}.inlinePolicies")
            return
        for index, inline in enumerate(inline_policies):
            try:
                entry = as_mapping(inline)
                label = as_text(entry.get("name")) or str(index)
                raw = entry.get("policy")
            except UnknownValueError:
                unknowns.add(f"{resource.name}.inlinePolicies[{index}]")
                continue
            yield "inlinePolicies", f"{resource.name} (inline {label})", raw


def _named(statement: Statement) -> Iterator[tuple[str, str]]:
    """(element, value) for every string a statement names in Principal, Resource, Condition."""
    if isinstance(statement.principals, Mapping):
        for value in statement.principals.get("AWS", ()):
            yield "Principal", value
    for value in statement.resources:
        yield "Resource", value
    for keys in statement.conditions.values():
        for key, values in keys.items():
            for value in values:
                yield f"Condition {key}", value


def _wanted(element: str, kind: ArnKind, principals: bool) -> bool:
    """Principal rule: IAM principals outside `Resource`; resource rule: everything else."""
    is_principal = kind.label in _PRINCIPAL_LABELS and element != "Resource"
    return is_principal == principals


def arn_references(
    stack: StackView, accounts: set[str], unknowns: Unknowns, *, principals: bool
) -> Iterator[Reference]:
    """Every own-account ARN the stack's documents name, for the principal or resource rule."""
    for resource in stack.resources:
        for prop, where, raw in _documents(resource, unknowns):
            try:
                found = list(statements(raw))
            except UnknownValueError:
                unknowns.add(f"{where}.{prop}")
                continue
            for statement in found:
                yield from _statement_references(
                    resource, prop, where, statement, accounts, principals
                )


def _statement_references(
    resource: StackResource,
    prop: str,
    where: str,
    statement: Statement,
    accounts: set[str],
    principals: bool,
) -> Iterator[Reference]:
    for element, value in _named(statement):
        arn = parse_arn(value)
        if arn is None or "${" in arn.text:
            continue
        if arn.account and arn.account not in accounts:
            continue
        found = kind_of(arn)
        if found is None:
            continue
        kind, name = found
        if not _wanted(element, kind, principals) or name.strip("*") == "":
            continue
        if kind.service != "s3" and not arn.account:
            continue
        yield Reference(
            resource, prop, where, statement.sid or "(no Sid)", element, arn, kind, name
        )


def own_accounts(stack: StackView, configured: Sequence[Any]) -> set[str]:
    """The stack's own account ids: configured, else the providers', else the most named."""
    if configured:
        return {str(account) for account in configured}
    allowed: set[str] = set()
    for resource in stack.resources:
        try:
            listed = as_list(resource.provider_props.get("allowedAccountIds"))
            allowed.update(str(account) for account in listed)
        except UnknownValueError:
            continue
    if allowed:
        return allowed
    counts: Counter[str] = Counter()
    for resource in stack.resources:
        try:
            for _, _, raw in _documents(resource, Unknowns()):
                for statement in statements(raw):
                    for _, value in _named(statement):
                        arn = parse_arn(value)
                        if arn is not None and arn.account.isdigit():
                            counts[arn.account] += 1
        except UnknownValueError:
            continue
    return {counts.most_common(1)[0][0]} if counts else set()


@dataclass(frozen=True, slots=True)
class _Candidate:
    resource: StackResource
    exact: frozenset[str]
    prefixes: frozenset[str]
    outputs: frozenset[str]
    region: str


@dataclass
class Inventory:
    """The stack's roles, users, buckets, ... with the names they will have, per ARN kind."""

    stack: StackView
    candidates: dict[str, list[_Candidate]] = field(default_factory=dict)
    unknown: dict[str, list[str]] = field(default_factory=dict)
    """Per kind label: resources whose name is not known during preview."""

    @classmethod
    def of(cls, stack: StackView, kinds: Iterable[ArnKind] = KINDS) -> Inventory:
        inventory = cls(stack)
        for kind in kinds:
            found: list[_Candidate] = []
            for resource in stack.of_type(*kind.resource_types):
                try:
                    found.append(_candidate(kind, resource))
                except UnknownValueError:
                    inventory.unknown.setdefault(kind.label, []).append(resource.name)
            inventory.candidates[kind.label] = found
        return inventory

    def resolve(self, reference: Reference) -> list[StackResource] | None:
        """The stack resources `reference` can name; None when unknown names leave it open."""
        matched = [
            c.resource
            for c in self.candidates.get(reference.kind.label, [])
            if _matches(c, reference, self.stack)
        ]
        if matched or not self.unknown.get(reference.kind.label):
            return matched
        return None

    def nearest(self, reference: Reference) -> list[str]:
        """Names of this kind the stack does create that look like the one named."""
        names = sorted(
            name
            for c in self.candidates.get(reference.kind.label, [])
            for name in c.exact | {p + "…" for p in c.prefixes}
        )
        return difflib.get_close_matches(reference.name, names, n=2, cutoff=0.8)


def _candidate(kind: ArnKind, resource: StackResource) -> _Candidate:
    exact, prefixes = kind.names_of(resource.props)
    if not exact and not prefixes and not kind.id_is_output:
        # Pulumi auto-names a resource `<logical name>-<7 random characters>`.
        prefixes = {resource.name + "-"}
    outputs = {
        as_text(resource.props.get(key)) for key in kind.identity_outputs if key in resource.props
    }
    region = resource_region(resource.props, resource.provider_props)
    return _Candidate(resource, frozenset(exact), frozenset(prefixes), frozenset(outputs), region)


def _matches(candidate: _Candidate, reference: Reference, stack: StackView) -> bool:
    arn, name = reference.arn, reference.name
    if arn.region and candidate.region and not matches(arn.region, candidate.region):
        return False
    if any(matches(arn.text, out) or matches(name, out) for out in candidate.outputs if out):
        return True
    if reference.kind.id_is_output:
        # A key id exists only once the key does; the document must take it from the key.
        owner = reference.owner
        deps = owner.property_dependencies.get(reference.prop, ()) or owner.dependencies
        return candidate.resource.urn in deps and not candidate.outputs
    if any(matches(name, exact) for exact in candidate.exact):
        return True
    return any(_prefix_fits(name, prefix) for prefix in candidate.prefixes)


def _prefix_fits(name: str, prefix: str) -> bool:
    """Whether a name (or pattern) can be `prefix` completed by the provider's random suffix."""
    if not is_pattern(name):
        return name.startswith(prefix) and len(name) > len(prefix)
    head = name.split("*", 1)[0].split("?", 1)[0]
    return prefix.startswith(head) or head.startswith(prefix)
