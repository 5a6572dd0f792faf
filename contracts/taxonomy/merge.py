"""Merge derived tags into an object's existing tag set without losing anything a person set.

S3 PutObjectTagging replaces the whole set, so the writer must send the union. A key a person
already set keeps the person's value (reported as a conflict); a merge that would exceed S3's
ten-tag limit is refused rather than truncated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from contracts.taxonomy.limits import MAX_OBJECT_TAGS

__all__ = ["MergeResult", "merge_tags"]


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The tag set to write, whether writing is needed, and what could not be applied."""

    tags: Mapping[str, str]
    changed: bool
    conflicts: tuple[str, ...]
    """Keys whose existing value differs from the derived one; the existing value is kept."""
    over_limit: bool
    """True when the union would exceed the S3 limit; `tags` is then the existing set."""


def merge_tags(existing: Mapping[str, str], derived: Mapping[str, str]) -> MergeResult:
    """The union of `existing` and `derived`, existing values winning on conflict."""
    merged = dict(existing)
    conflicts: list[str] = []
    for key, value in derived.items():
        if key not in existing:
            merged[key] = value
        elif existing[key] != value:
            conflicts.append(key)
    if len(merged) > MAX_OBJECT_TAGS:
        return MergeResult(MappingProxyType(dict(existing)), False, tuple(conflicts), True)
    changed = len(merged) != len(existing)
    return MergeResult(MappingProxyType(merged), changed, tuple(conflicts), False)
