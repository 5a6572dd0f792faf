"""Settings errors that tell an engineer which key is wrong, what it holds and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SettingsError", "SettingsProblem"]


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
        fix = self.fix or f"pulumi config set {namespace}:{self.key} {self.example}"
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
