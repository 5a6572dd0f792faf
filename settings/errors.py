"""Settings errors that tell an engineer which key is wrong, what it holds and how to fix it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SettingsError", "SettingsProblem", "list_items", "set_command"]


def list_items(example: str) -> list[str] | None:
    """The items of a list of scalars written as JSON (`'["a","b"]'` or `["a","b"]`)."""
    text = example.strip()
    if len(text) > 1 and text[0] == text[-1] == "'":
        text = text[1:-1]
    if not text.startswith("["):
        return None
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(items, list) or not items:
        return None
    if not all(isinstance(item, str | int | float | bool) for item in items):
        return None
    return [item if isinstance(item, str) else json.dumps(item) for item in items]


def set_command(namespace: str, key: str, example: str) -> str:
    """The `pulumi config set` command(s) that store `example` as the CLI expects.

    A list of scalars is set item by item with `--path`: `pulumi config set key '["a"]'`
    stores the string `["a"]`, which the CLI refuses for a key Pulumi.yaml declares as
    `type: array` ("must be of type 'array<string>'").
    """
    items = list_items(example)
    if items is None:
        return f"pulumi config set {namespace}:{key} {example}"
    return "; ".join(
        f"pulumi config set --path '{namespace}:{key}[{index}]' {item}"
        for index, item in enumerate(items)
    )


@dataclass(frozen=True, slots=True)
class SettingsProblem:
    """One invalid setting: the key path, the value found, what is expected, an example."""

    key: str
    value: object
    expected: str
    example: str
    fix: str | None = None
    """A whole remedy, when `pulumi config set <key> <example>` is not the fix."""
    namespace: str | None = None
    """The key's own namespace when it is not the project's (e.g. `aws` for `aws:region`)."""

    def render(self, namespace: str) -> str:
        """One line a person can act on, e.g. `genomics:eksVersion = '1.2': expected ...`."""
        namespace = self.namespace or namespace
        shown = "<missing>" if self.value is _MISSING else repr(self.value)
        fix = self.fix or set_command(namespace, self.key, self.example)
        return f"{namespace}:{self.key} = {shown}: expected {self.expected} (fix: {fix})"


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()
MISSING: object = _MISSING
"""Marker for a required key that has no value in the stack."""


class SettingsError(ValueError):
    """The stack's settings are invalid; carries every problem found, not only the first."""

    def __init__(self, problems: Sequence[SettingsProblem], namespace: str) -> None:
        self.problems = tuple(problems)
        self.namespace = namespace
        lines = [f"{len(self.problems)} invalid setting(s) in this stack:"]
        lines += [f"  - {problem.render(namespace)}" for problem in self.problems]
        super().__init__("\n".join(lines))
