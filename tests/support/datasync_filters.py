"""DataSync SIMPLE_PATTERN filter matching, written from AWS's documented rules.

From "Filtering data transferred by AWS DataSync" (DataSync User Guide) and the FilterRule
API reference:
- a filter is patterns delimited by `|`; filters are case sensitive;
- patterns are relative to the source location's path; `/dir` names a folder directly under
  it, and `/dir` and `/dir/` both match the folder and its content;
- `*` is the wildcard, matching any run of characters; an include pattern may use it only as
  its rightmost character (`/dir*` is valid, `/*/dir` is not);
- `\\` escapes a special character (`*`, `|`, `\\`); the patterns here never need it;
- a file is transferred when it matches an include pattern (or there are none) and no
  exclude pattern.
Characters of a path are literal: a file named `rs_*.fastq` is not a pattern.
"""

from __future__ import annotations

import re

__all__ = ["InvalidFilterError", "filters_of", "is_transferred", "matches", "patterns"]


class InvalidFilterError(ValueError):
    """A filter DataSync would not accept (or would read differently than written)."""


def patterns(value: str) -> list[str]:
    """The patterns of a filter value (`|`-delimited)."""
    if "\\" in value:
        raise InvalidFilterError(f"escapes are not modelled here: {value!r}")
    return [p for p in value.split("|") if p]


def _check_include(pattern: str) -> None:
    if "*" in pattern[:-1]:
        raise InvalidFilterError(
            f"include pattern {pattern!r}: the wildcard may only be the rightmost character"
        )


def matches(pattern: str, path: str) -> bool:
    """Whether `pattern` matches `path` (relative to the location, leading `/`): the path
    itself, or any folder above it, matches the pattern."""
    body = pattern.rstrip("/") if pattern not in ("/", "") else pattern
    regex = "".join(".*" if c == "*" else re.escape(c) for c in body)
    return re.fullmatch(f"{regex}(/.*)?", path, flags=re.DOTALL) is not None


def is_transferred(path: str, *, includes: str | None, excludes: str | None) -> bool:
    """Whether DataSync copies the file at `path` under the task's filters."""
    include_patterns = patterns(includes) if includes else []
    for pattern in include_patterns:
        _check_include(pattern)
    included = not include_patterns or any(matches(p, path) for p in include_patterns)
    excluded = any(matches(p, path) for p in (patterns(excludes) if excludes else []))
    return included and not excluded


def filters_of(task_inputs: dict[str, object]) -> tuple[str | None, str | None]:
    """(includes, excludes) values of a rendered DataSync task."""

    def value(key: str) -> str | None:
        rule = task_inputs.get(key)
        return str(rule["value"]) if isinstance(rule, dict) and "value" in rule else None

    return value("includes"), value("excludes")
