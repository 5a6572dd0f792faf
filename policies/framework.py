"""How a rule is declared, configured, exempted and turned into a pulumi-policy Policy.

A rule module declares one `RULE` (or a few) with its metadata and a checker. Resource
checkers receive a `ResourceView` and yield violation messages; stack checkers receive a
`StackView` and yield `(message, urn)`. The framework adds what every rule needs the same way:
the type filter, per-rule `exclude` name patterns, and the config schema the engine validates.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

__all__ = [
    "DOCS_BASE",
    "EnforcementLevel",
    "ResourceRule",
    "ResourceView",
    "Severity",
    "StackRule",
    "StackView",
    "to_policy",
]

DOCS_BASE: Final = (
    "https://github.com/genomics-platform/storage-platform/blob/main/docs/policies.md"
)
"""Where the generated rule table lives; each rule links to its own anchor."""

_EXCLUDE_SCHEMA: Final = {
    "type": "array",
    "items": {"type": "string"},
    "default": [],
    "description": "Resource-name patterns (fnmatch) this rule does not apply to.",
}


@dataclass(frozen=True, slots=True)
class ResourceView:
    """One resource as a rule sees it: inputs by engine name, provider inputs, rule config."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    provider_props: Mapping[str, Any]
    config: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class StackResource:
    """One resource of the stack with its parent and dependencies resolved to URNs."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    provider_props: Mapping[str, Any]
    parent: str | None
    property_dependencies: Mapping[str, tuple[str, ...]]
    dependencies: tuple[str, ...] = ()
    """Every URN the resource waits for: its `depends_on` and its property dependencies."""
    provider_urn: str = ""
    """The URN of the provider resource it is created through (empty: the default provider)."""


@dataclass(frozen=True, slots=True)
class _StackIndex:
    """Lookups over a stack's resources, built once per view (the rules ask them per resource)."""

    by_urn: Mapping[str, StackResource]
    by_type: Mapping[str, tuple[StackResource, ...]]
    referencing: Mapping[tuple[str, str], tuple[StackResource, ...]]
    """(input name, URN) → resources whose input depends on that URN, in registration order."""

    @staticmethod
    def of(resources: tuple[StackResource, ...]) -> _StackIndex:
        by_urn: dict[str, StackResource] = {}
        by_type: dict[str, list[StackResource]] = {}
        referencing: dict[tuple[str, str], list[StackResource]] = {}
        for resource in resources:
            by_urn.setdefault(resource.urn, resource)
            by_type.setdefault(resource.type, []).append(resource)
            for prop, urns in resource.property_dependencies.items():
                for urn in dict.fromkeys(urns):
                    referencing.setdefault((prop, urn), []).append(resource)
        return _StackIndex(
            by_urn,
            {k: tuple(v) for k, v in by_type.items()},
            {k: tuple(v) for k, v in referencing.items()},
        )


@dataclass(frozen=True, slots=True)
class StackView:
    """The whole stack, with lookups for joining companions by reference."""

    resources: tuple[StackResource, ...]
    config: Mapping[str, Any]
    _index: list[_StackIndex] = field(default_factory=list, init=False, repr=False, compare=False)
    """The lookups, built on first use (one slot: the view itself is frozen)."""
    _closures: dict[str, frozenset[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """URN → every URN it waits for, transitively; filled as `waits_for` is asked."""

    @property
    def _lookups(self) -> _StackIndex:
        if not self._index:
            self._index.append(_StackIndex.of(self.resources))
        return self._index[0]

    def of_type(self, *types: str) -> list[StackResource]:
        """Resources of any of `types`, in registration order."""
        if len(types) == 1:
            return list(self._lookups.by_type.get(types[0], ()))
        wanted = set(types)
        return [r for r in self.resources if r.type in wanted]

    def by_urn(self, urn: str) -> StackResource | None:
        """The resource with `urn`."""
        return self._lookups.by_urn.get(urn)

    def referencing(self, target: StackResource, *types: str, prop: str) -> list[StackResource]:
        """Resources of `types` whose input `prop` depends on `target` (a join by reference)."""
        wanted = set(types)
        return [
            r for r in self._lookups.referencing.get((prop, target.urn), ()) if r.type in wanted
        ]

    def waits_for(self, resource: StackResource, prerequisite: StackResource) -> bool:
        """Whether the engine creates `resource` only after `prerequisite` exists.

        The engine starts a resource once every resource it depends on (explicit `depends_on`
        and property dependencies alike) is done, so the relation is transitive.
        """
        return prerequisite.urn in self._waited_for(resource)

    def _waited_for(self, resource: StackResource) -> frozenset[str]:
        """Every URN `resource` waits for, directly or through what it waits for."""
        known = self._closures.get(resource.urn)
        if known is not None and self.by_urn(resource.urn) is resource:
            return known
        by_urn = self._lookups.by_urn
        seen: set[str] = set()
        pending = list(resource.dependencies)
        while pending:
            urn = pending.pop()
            if urn in seen:
                continue
            seen.add(urn)
            cached = self._closures.get(urn)
            if cached is not None:
                seen |= cached
                continue
            found = by_urn.get(urn)
            if found is not None:
                pending.extend(found.dependencies)
        closure = frozenset(seen)
        if self.by_urn(resource.urn) is resource:
            self._closures[resource.urn] = closure
        return closure


ResourceCheck = Callable[[ResourceView], Iterable[str]]
StackCheck = Callable[[StackView], Iterable[tuple[str, str | None]]]


@dataclass(frozen=True, slots=True)
class _Meta:
    name: str
    description: str
    severity: Severity
    enforcement: EnforcementLevel
    remediation: str
    concern: str
    config_properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    controls: tuple[str, ...] = ()
    """AWS Security Hub controls the rule corresponds to: `FSBP S3.5`, `CIS v3.0.0 2.1.1`."""
    guards: tuple[str, ...] = ()
    """Inputs the rule judges, as census paths (`<type>.<input>[].<nested>`; `*` any one name,
    a trailing `.**` a whole block): the property census (`policies/census.json`) counts them as
    guarded."""

    @property
    def url(self) -> str:
        return f"{DOCS_BASE}#{self.name}"

    def properties(self) -> dict[str, dict[str, Any]]:
        """Every config property of the rule: the shared `exclude` plus its own."""
        own = {key: dict(spec) for key, spec in self.config_properties.items()}
        return {"exclude": dict(_EXCLUDE_SCHEMA), **own}

    def schema(self) -> PolicyConfigSchema:
        return PolicyConfigSchema(properties=self.properties())

    def defaults(self) -> dict[str, Any]:
        return {
            key: spec["default"] for key, spec in self.properties().items() if "default" in spec
        }


@dataclass(frozen=True, slots=True)
class ResourceRule(_Meta):
    """A rule that looks at one resource at a time."""

    resource_types: tuple[str, ...] = ()
    """Types the rule applies to; a type prefix ending in `*` matches a whole package."""
    check: ResourceCheck | None = None

    def applies_to(self, type_token: str) -> bool:
        """Whether resources of `type_token` are this rule's business."""
        return any(fnmatch.fnmatchcase(type_token, pattern) for pattern in self.resource_types)


@dataclass(frozen=True, slots=True)
class StackRule(_Meta):
    """A rule that looks at the whole stack, for absence checks and joins."""

    check: StackCheck | None = None


def _config(meta: _Meta, raw: Mapping[str, Any] | None) -> dict[str, Any]:
    return {**meta.defaults(), **dict(raw or {})}


def _excluded(name: str, config: Mapping[str, Any]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in config.get("exclude", []))


def _plain(value: Any) -> Any:
    """The policy SDK hands props as a proxy; rules read them as a mapping."""
    return value if value is not None else {}


def to_policy(rule: ResourceRule | StackRule) -> ResourceValidationPolicy | StackValidationPolicy:
    """The pulumi-policy object the pack registers for `rule`."""
    common: dict[str, Any] = {
        "name": rule.name,
        "description": rule.description,
        "enforcement_level": rule.enforcement,
        "config_schema": rule.schema(),
        "severity": rule.severity,
        "remediation_steps": rule.remediation,
        "url": rule.url,
        "tags": [rule.concern],
    }
    if isinstance(rule, ResourceRule):
        check = rule.check
        assert check is not None, f"{rule.name} has no check"

        def validate_resource(args: ResourceValidationArgs, report: ReportViolation) -> None:
            if not rule.applies_to(args.resource_type):
                return
            config = _config(rule, args.get_config())
            if _excluded(args.name, config):
                return
            provider = args.provider.props if args.provider is not None else {}
            view = ResourceView(
                args.resource_type, args.name, args.urn, _plain(args.props), provider, config
            )
            for message in check(view):
                report(message, None)

        return ResourceValidationPolicy(validate=validate_resource, **common)

    stack_check = rule.check
    assert stack_check is not None, f"{rule.name} has no check"

    def validate_stack(args: StackValidationArgs, report: ReportViolation) -> None:
        config = _config(rule, args.get_config())
        view = StackView(
            tuple(r for r in _stack_resources(args.resources) if not _excluded(r.name, config)),
            config,
        )
        for message, urn in stack_check(view):
            report(message, urn)

    return StackValidationPolicy(validate=validate_stack, **common)


_LAST_STACK = threading.local()
"""Per gRPC worker thread: the SDK's resource list of the last `AnalyzeStack` and its views."""


def _stack_resources(resources: Sequence[Any]) -> tuple[StackResource, ...]:
    """`resources` as `StackResource`s, converted once per `AnalyzeStack` request.

    The pack hands every stack policy of one request the same list (policies.sdk_decoding), so
    the conversion is kept by the list's identity; the entry holds the list alive, so its
    identity cannot be reused by another request's list while it is kept.
    """
    last: tuple[Sequence[Any], tuple[StackResource, ...]] | None = getattr(
        _LAST_STACK, "entry", None
    )
    if last is not None and last[0] is resources:
        return last[1]
    converted = tuple(_stack_resource(r) for r in resources)
    _LAST_STACK.entry = (resources, converted)
    return converted


def _stack_resource(resource: Any) -> StackResource:
    return StackResource(
        type=resource.resource_type,
        name=resource.name,
        urn=resource.urn,
        props=_plain(resource.props),
        provider_props=resource.provider.props if resource.provider is not None else {},
        parent=resource.parent.urn if resource.parent is not None else None,
        property_dependencies={
            key: tuple(dep.urn for dep in deps)
            for key, deps in resource.property_dependencies.items()
        },
        dependencies=tuple(dep.urn for dep in resource.dependencies),
        provider_urn=resource.provider.urn if resource.provider is not None else "",
    )
