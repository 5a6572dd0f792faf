"""Decide, without any I/O, which tags an object should carry and whether to write them.

Splitting the decision in two lets the tagger skip S3 entirely for objects it will not touch:
`desired_tags` needs only the key (0 requests), `plan_write` needs the existing tags (1 request)
and says whether the one PutObjectTagging is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from contracts import taxonomy
from contracts.taxonomy import DataCategory, TagKey
from functions.common.object_keys import project_of_key

__all__ = [
    "UNCLASSIFIED_CLASSIFICATION",
    "UNCLASSIFIED_DATA_TYPE",
    "DesiredTags",
    "WritePlan",
    "desired_tags",
    "plan_write",
]

UNCLASSIFIED_DATA_TYPE = "unclassified"
UNCLASSIFIED_CLASSIFICATION = "restricted"
"""Objects nobody has classified are treated as the most sensitive until a person decides."""


@dataclass(frozen=True, slots=True)
class DesiredTags:
    """The taxonomy tags an object should carry; `tags` is None when it should not be tagged."""

    tags: Mapping[str, str] | None
    unclassified_reason: str | None = None
    """Why the object matches no convention; None for classified objects."""

    @property
    def unclassified(self) -> bool:
        """Whether the object matches no naming convention."""
        return self.unclassified_reason is not None


@dataclass(frozen=True, slots=True)
class WritePlan:
    """What to do with one object whose existing tags are known."""

    tags: Mapping[str, str]
    """The full set to send (PutObjectTagging replaces the set, so this is the union)."""
    write: bool
    conflicts: tuple[str, ...]
    """Keys where a person's value differs from the derived one; the person's value stays."""
    refusal: str | None
    """Why the tags cannot be written (over S3's limit, or a set S3 would reject); else None."""


def desired_tags(
    bucket_category: DataCategory | None,
    key: str,
    *,
    environment: str,
    tag_unclassified: bool,
) -> DesiredTags:
    """The tags `key` should carry: derived from the taxonomy, or the unclassified marker set
    (`data-type=unclassified`, `data-classification=restricted`, the environment and the
    project when the key names one) when `tag_unclassified`, or none."""
    derived = taxonomy.derive_object_tags(bucket_category, key, environment=environment)
    if isinstance(derived, taxonomy.Derivation):
        return DesiredTags(tags=derived.tags)
    if not tag_unclassified:
        return DesiredTags(tags=None, unclassified_reason=derived.reason)
    tags = {
        TagKey.DATA_TYPE.value: UNCLASSIFIED_DATA_TYPE,
        TagKey.DATA_CLASSIFICATION.value: UNCLASSIFIED_CLASSIFICATION,
        TagKey.ENVIRONMENT.value: environment,
    }
    project = project_of_key(key)
    if project is not None:
        tags[TagKey.PROJECT.value] = project
    return DesiredTags(tags=MappingProxyType(tags), unclassified_reason=derived.reason)


def plan_write(existing: Mapping[str, str], desired: Mapping[str, str]) -> WritePlan:
    """Merge `desired` into `existing` (existing values win) and check the result is writable."""
    merged = taxonomy.merge_tags(existing, desired)
    if merged.over_limit:
        return WritePlan(
            tags=merged.tags,
            write=False,
            conflicts=merged.conflicts,
            refusal=(
                f"adding the taxonomy tags would exceed S3's limit of {taxonomy.MAX_OBJECT_TAGS} "
                f"tags per object ({len(existing)} already set); no tag was removed"
            ),
        )
    problems = taxonomy.validate_tag_set(merged.tags) if merged.changed else []
    if problems:
        return WritePlan(
            tags=merged.tags,
            write=False,
            conflicts=merged.conflicts,
            refusal="S3 would reject the merged tag set: " + "; ".join(map(str, problems)),
        )
    return WritePlan(
        tags=merged.tags, write=merged.changed, conflicts=merged.conflicts, refusal=None
    )
