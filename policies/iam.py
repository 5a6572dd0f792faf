"""IAM policy documents as the pack reads them: statements, actions, conditions."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from policies.props import as_list, as_mapping

__all__ = ["Statement", "condition_keys", "grants", "statements"]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement, normalised: lists everywhere, conditions as operator → key → values."""

    sid: str
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    principals: Mapping[str, tuple[str, ...]] | str | None
    conditions: Mapping[str, Mapping[str, tuple[str, ...]]]


def statements(document: Any) -> Iterator[Statement]:
    """The statements of a policy document given as JSON text or an object."""
    for raw in as_list(as_mapping(document).get("Statement")):
        if not isinstance(raw, Mapping):
            continue
        principal = raw.get("Principal")
        principals: Mapping[str, tuple[str, ...]] | str | None
        if isinstance(principal, Mapping):
            principals = {k: tuple(str(v) for v in as_list(vs)) for k, vs in principal.items()}
        else:
            principals = principal if isinstance(principal, str) else None
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
            principals=principals,
            conditions=conditions,
        )


def grants(statement: Statement, action: str) -> bool:
    """Whether the statement's Action (with IAM wildcards, case-insensitive) covers `action`."""
    if statement.not_actions:
        return not any(fnmatch.fnmatch(action.lower(), a.lower()) for a in statement.not_actions)
    return any(fnmatch.fnmatch(action.lower(), a.lower()) for a in statement.actions)


def condition_keys(statement: Statement) -> set[str]:
    """Every condition key the statement tests, lower-cased (IAM keys are case-insensitive)."""
    return {key.lower() for keys in statement.conditions.values() for key in keys}
