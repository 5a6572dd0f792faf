"""Whether a condition really restricts: the one place every IAM rule asks it.

A rule that wants "reads are limited to the caller's project" must not be satisfied by a
condition that only looks like a limit. IAM's documented semantics decide it, read statically
(no request is evaluated; the access-evaluation work owns that):

- A negated operator (`StringNotEquals`, `ArnNotLike`, ...) in an Allow admits every other value.
- `...IfExists` passes when the request lacks the key ("If the key is not present, the
  condition evaluates to true", IAM JSON policy elements: Condition operators).
- `ForAllValues:` passes when the request carries no value for the key (same page: "returns
  true if there are no keys in the request").
- A `...Like` value made only of `*` and `?` matches every value (of its length, for `?`).
- An exemption (a Deny with a negated test on `aws:PrincipalArn` / `aws:PrincipalAccount`) must
  name principals: a wildcard in the account or the role name exempts whole families of them.

Which condition keys a request for an action can carry comes from AWS's Service Authorization
Reference as parliament ships it (`iam_definition.json`), read as data so the pack does not
import parliament's linter.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib.util
import json
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from policies.iam import Statement

__all__ = [
    "EXEMPTION_KEYS",
    "Test",
    "action_carries_key",
    "exemption_weaknesses",
    "gaps",
    "not_elements",
    "pins",
    "preload_action_table",
    "restricting_keys",
    "restriction_gap",
    "tests_of",
    "weakness",
]

EXEMPTION_KEYS: Final = ("aws:principalarn", "aws:principalaccount")
"""Keys whose negated test in a Deny exempts principals from it (lower case)."""

_POLICY_VARIABLE: Final = re.compile(r"\$\{[^}]*\}")
_SET_QUALIFIERS: Final = ("ForAnyValue", "ForAllValues")
_VALUE_OPERATORS: Final = frozenset(
    {
        "StringEquals",
        "StringEqualsIgnoreCase",
        "StringLike",
        "ArnEquals",
        "ArnLike",
        "NumericEquals",
        "DateEquals",
        "IpAddress",
        "BinaryEquals",
    }
)
"""Operators that hold a key to the values they list (Bool and Null only test presence/truth)."""


@dataclass(frozen=True, slots=True)
class Test:
    """One key tested by one operator, with the operator's parts spelled out."""

    operator: str
    key: str
    values: tuple[str, ...]

    @property
    def qualifier(self) -> str:
        """`ForAnyValue`, `ForAllValues` or ""."""
        head, _, _ = self.operator.partition(":")
        return head if head in _SET_QUALIFIERS else ""

    @property
    def base(self) -> str:
        """The operator without set qualifier and `IfExists`: `StringLike`, `ArnNotEquals`."""
        name = self.operator.split(":", 1)[1] if self.qualifier else self.operator
        return name.removesuffix("IfExists")

    @property
    def if_exists(self) -> bool:
        return self.operator.endswith("IfExists")

    @property
    def negated(self) -> bool:
        return "Not" in self.base

    @property
    def by_pattern(self) -> bool:
        return self.base.endswith("Like")


def tests_of(statement: Statement, key: str | None) -> list[Test]:
    """The statement's condition tests, only those on `key` (case-insensitive) when given."""
    wanted = key.lower() if key is not None else None
    return [
        Test(operator, name, values)
        for operator, keys in statement.conditions.items()
        for name, values in keys.items()
        if wanted is None or name.lower() == wanted
    ]


def _wildcard_only(value: str) -> bool:
    return bool(value) and set(value) <= {"*", "?"}


def weakness(test: Test) -> str | None:
    """Why `test`, in an Allow, does not hold its key to the values it lists (None: it does)."""
    if test.negated:
        return f"{test.operator} admits every value it does not list"
    if test.base not in _VALUE_OPERATORS:
        return f"{test.operator} does not compare the key with values"
    if test.if_exists:
        return f"{test.operator} passes when the request lacks the key"
    if test.qualifier == "ForAllValues":
        return f"{test.operator} passes when the request carries no value"
    wild = [v for v in test.values if test.by_pattern and _wildcard_only(v)]
    if wild:
        return f'{test.operator} "{wild[0]}" matches every value'
    if not test.values:
        return f"{test.operator} lists no value"
    return None


def restriction_gap(statement: Statement, key: str) -> str | None:
    """None when one of the statement's tests on `key` restricts it; else what is wrong.

    Conditions are ANDed, so one real restriction suffices; the message names the weakened
    tests so a reviewer sees why `StringLike "*"` does not count.
    """
    found = tests_of(statement, key)
    if not found:
        return "no condition"
    reasons = [weakness(test) for test in found]
    if any(reason is None for reason in reasons):
        return None
    return "; ".join(sorted({reason for reason in reasons if reason is not None}))


def restricting_keys(statement: Statement) -> set[str]:
    """The keys (lower case) some test of the statement really restricts."""
    return {t.key.lower() for t in tests_of(statement, None) if weakness(t) is None}


def pins(statement: Statement, key: str) -> bool:
    """Whether a test holds `key` to exact values (an `...Equals` that restricts, no pattern)."""
    return any(weakness(t) is None and not t.by_pattern for t in tests_of(statement, key))


def gaps(statement: Statement, keys: list[str], prefix: str) -> list[str]:
    """`<key>` or `<key> (<why>)` for each of `keys` whose `prefix`/<key> test does not restrict."""
    found = []
    for key in keys:
        gap = restriction_gap(statement, f"{prefix}/{key}")
        if gap is not None:
            found.append(key if gap == "no condition" else f"{key} ({gap})")
    return found


# ---- exemptions ----


def _principal_weakness(key: str, value: str) -> str | None:
    """Why one exempted value names more than specific principals (None: it is specific)."""
    plain = _POLICY_VARIABLE.sub("VARIABLE", value)
    if key.lower() == "aws:principalaccount":
        specific = plain == "VARIABLE" or (plain.isdigit() and len(plain) == 12)
        return None if specific else f"account {value!r}"
    parts = plain.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return f"{value!r} is not a principal ARN"
    account, resource = parts[4], parts[5]
    if "*" in account or "?" in account or not account:
        return f"{value!r} has a wildcard account"
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role":
        rest = rest.split("/", 1)[0]
    elif kind == "root" and not rest:
        return None
    if not rest or "*" in rest or "?" in rest:
        return f"{value!r} has a wildcard {kind or 'principal'} name"
    return None


def exemption_weaknesses(statement: Statement) -> Iterator[str]:
    """In a Deny, each exempted principal value that names a family instead of principals."""
    if statement.effect != "Deny":
        return
    for test in tests_of(statement, None):
        if test.key.lower() not in EXEMPTION_KEYS or not test.negated:
            continue
        for value in test.values:
            reason = _principal_weakness(test.key, value)
            if reason is not None:
                yield f"{test.operator} {test.key} {reason}"


def not_elements(statement: Statement) -> list[str]:
    """The `Not*` elements the statement uses: everything except what they list."""
    return [
        name
        for name, present in (
            ("NotAction", statement.not_actions),
            ("NotResource", statement.not_resources),
            ("NotPrincipal", statement.not_principals),
        )
        if present
    ]


# ---- AWS's action and condition-key table ----


def _table_path() -> Path:
    spec = importlib.util.find_spec("parliament")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("parliament is not installed; run `make setup`")
    return Path(next(iter(spec.submodule_search_locations))) / "iam_definition.json"


def _pattern(key: str) -> str:
    """`s3:ExistingObjectTag/<key>` or `ec2:ResourceTag/${TagKey}` → a lower-case fnmatch."""
    head, sep, _ = key.partition("/")
    if sep and ("<" in key or "${" in key):
        return f"{head}/*".lower()
    return key.lower()


_TABLE_LOCK: Final = threading.Lock()
_TABLE: list[Mapping[str, frozenset[str]]] = []
"""The parsed table, once loaded (a list so the loader can fill it without `global`)."""


def _action_keys() -> Mapping[str, frozenset[str]]:
    """`service:action` (lower case) → condition-key patterns its requests can carry.

    The pack answers several requests at once on its gRPC worker threads; the table is 10 MB of
    JSON, so it is parsed once under a lock (`functools.cache` alone lets two threads that miss
    together both parse it, 0.7 s each).
    """
    if not _TABLE:
        with _TABLE_LOCK:
            if not _TABLE:
                _TABLE.append(_load_action_keys())
    return _TABLE[0]


def preload_action_table() -> threading.Thread:
    """Start parsing AWS's table in the background (the pack calls it as it starts).

    The engine sends the first requests only once the program has imported its providers, a
    second or more after the pack started; parsing then, instead of inside the first IAM
    request, takes the 0.7 s off the preview's critical path.
    """
    thread = threading.Thread(target=_action_keys, name="action-table", daemon=True)
    thread.start()
    return thread


def _load_action_keys() -> Mapping[str, frozenset[str]]:
    services: list[Mapping[str, Any]] = json.loads(_table_path().read_text(encoding="utf-8"))
    table: dict[str, frozenset[str]] = {}
    for service in services:
        resources = {r["resource"]: r.get("condition_keys", []) for r in service["resources"]}
        for privilege in service["privileges"]:
            keys: set[str] = set()
            for entry in privilege["resource_types"]:
                keys.update(entry.get("condition_keys", []))
                keys.update(resources.get(entry["resource_type"].rstrip("*"), []))
            action = f"{service['prefix']}:{privilege['privilege']}".lower()
            table[action] = frozenset(_pattern(k) for k in keys)
    return table


@functools.cache
def _expand(action: str) -> tuple[str, ...]:
    """The actions of AWS's table that `action` names; cached, since every IAM rule asks about
    the same few actions for every document (matching a pattern scans the whole table)."""
    pattern = action.lower()
    if not any(c in pattern for c in "*?["):
        return (pattern,) if pattern in _action_keys() else ()
    return tuple(name for name in _action_keys() if fnmatch.fnmatchcase(name, pattern))


def action_carries_key(action: str, key: str) -> bool | None:
    """Whether a request for `action` (wildcards allowed: some action it covers) can carry the
    service-specific `key`; None when AWS's table does not know the action."""
    expanded = _expand(action)
    if not expanded:
        return None
    wanted = key.lower()
    return any(
        fnmatch.fnmatchcase(wanted, pattern)
        for name in expanded
        for pattern in _action_keys()[name]
    )
