"""IAM policy documents as the pack reads them: statements, actions, conditions."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from policies.props import as_list, as_mapping, decoded

__all__ = [
    "Statement",
    "condition_keys",
    "condition_values",
    "covers_all_actions",
    "covers_service",
    "denies_without_tls",
    "grants",
    "grants_any",
    "is_public_principal",
    "statements",
]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement, normalised: lists everywhere, conditions as operator → key → values."""

    sid: str
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principals: Mapping[str, tuple[str, ...]] | str | None
    conditions: Mapping[str, Mapping[str, tuple[str, ...]]]
    not_principals: Mapping[str, tuple[str, ...]] | str | None = None


def _principals(principal: Any) -> Mapping[str, tuple[str, ...]] | str | None:
    """`"*"`, or principal type → names (one or many); None when the element is absent."""
    principal = decoded(principal)
    if isinstance(principal, Mapping):
        return {str(k): tuple(str(v) for v in as_list(vs)) for k, vs in principal.items()}
    return principal if isinstance(principal, str) else None


def statements(document: Any) -> Iterator[Statement]:
    """The statements of a policy document given as JSON text or an object."""
    for raw in as_list(as_mapping(document).get("Statement")):
        if not isinstance(raw, Mapping):
            continue
        conditions = {
            str(op): {
                str(k): tuple(str(v) for v in as_list(vs)) for k, vs in as_mapping(keys).items()
            }
            for op, keys in as_mapping(raw.get("Condition")).items()
        }
        yield Statement(
            sid=str(raw.get("Sid", "")),
            effect=str(raw.get("Effect", "")),
            actions=tuple(str(a) for a in as_list(raw.get("Action"))),
            not_actions=tuple(str(a) for a in as_list(raw.get("NotAction"))),
            resources=tuple(str(r) for r in as_list(raw.get("Resource"))),
            not_resources=tuple(str(r) for r in as_list(raw.get("NotResource"))),
            principals=_principals(raw.get("Principal")),
            conditions=conditions,
            not_principals=_principals(raw.get("NotPrincipal")),
        )


def grants(statement: Statement, action: str) -> bool:
    """Whether the statement's Action (with IAM wildcards, case-insensitive) covers `action`."""
    if statement.not_actions:
        return not any(fnmatch.fnmatch(action.lower(), a.lower()) for a in statement.not_actions)
    return any(fnmatch.fnmatch(action.lower(), a.lower()) for a in statement.actions)


def _wildcard_only(text: str) -> bool:
    return bool(text) and set(text) <= {"*", "?"} and "*" in text


def covers_all_actions(action: str) -> bool:
    """Whether an action pattern matches every action of every service: `*`, `*:*`, `**`."""
    service, _, name = action.partition(":")
    return _wildcard_only(service) and (not name or _wildcard_only(name))


def covers_service(action: str, service: str) -> bool:
    """Whether an action pattern matches every action of `service`: `s3:*`, `S3:**`, `*`."""
    head, _, name = action.partition(":")
    if covers_all_actions(action):
        return True
    return head.lower() == service.lower() and _wildcard_only(name)


def condition_keys(statement: Statement) -> set[str]:
    """Every condition key the statement tests, lower-cased (IAM keys are case-insensitive)."""
    return {key.lower() for keys in statement.conditions.values() for key in keys}


def grants_any(statement: Statement, actions: Iterable[str]) -> bool:
    """Whether the statement covers at least one of `actions`."""
    return any(grants(statement, action) for action in actions)


def condition_values(statement: Statement, key: str, operator: str | None = None) -> set[str]:
    """Values the statement tests `key` against (any operator unless one is named)."""
    wanted = key.lower()
    return {
        value
        for op, keys in statement.conditions.items()
        if operator is None or op == operator
        for name, values in keys.items()
        if name.lower() == wanted
        for value in values
    }


def is_public_principal(statement: Statement) -> bool:
    """Whether the statement names everyone: `"*"` or `{"AWS": "*"}`."""
    if statement.principals == "*":
        return True
    return isinstance(statement.principals, Mapping) and "*" in statement.principals.get("AWS", ())


def denies_without_tls(statement: Statement, actions: Iterable[str]) -> bool:
    """A Deny for everyone covering all of `actions` when `aws:SecureTransport` is false."""
    # BoolIfExists denies as well: in a Deny, a missing key makes the condition true.
    insecure = {
        value.lower()
        for operator in ("Bool", "BoolIfExists")
        for value in condition_values(statement, "aws:SecureTransport", operator)
    }
    return (
        statement.effect == "Deny"
        and is_public_principal(statement)
        and all(grants(statement, action) for action in actions)
        and "false" in insecure
    )
