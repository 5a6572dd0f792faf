"""Derive an object's tags from its bucket, its key prefix and its naming convention.

Object keys follow the EFS layout DataSync copies: `projects/<project>/<area>/<file>`, where the
file name starts with its category prefix (`rs_`, `pg_`, ...). The bucket says which category it
holds; when the name carries no prefix the bucket decides, and when both speak and disagree the
object is unclassified rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from contracts.names import is_project_slug
from contracts.taxonomy.categories import DataCategory, category_for_object_name
from contracts.taxonomy.keys import ENVIRONMENTS, TagKey

__all__ = ["PROJECTS_ROOT", "Derivation", "Unclassified", "derive_object_tags"]

PROJECTS_ROOT: Final = "projects"
"""First key segment under which every project's data lives, mirroring `/projects` on EFS."""


@dataclass(frozen=True, slots=True)
class Derivation:
    """Tags derived for one object, all taxonomy keys present and valid."""

    tags: Mapping[str, str]
    category: DataCategory


@dataclass(frozen=True, slots=True)
class Unclassified:
    """An object that matches no convention, with the reason a person can act on."""

    reason: str


def derive_object_tags(
    bucket_category: DataCategory | None,
    key: str,
    *,
    environment: str,
) -> Derivation | Unclassified:
    """Derive the taxonomy tags of object `key` stored in a bucket of `bucket_category`.

    `bucket_category` is None for a bucket outside the lake's categories. The function is pure
    and total: every input yields either a Derivation or an Unclassified with a reason.
    """
    if environment not in ENVIRONMENTS:
        raise ValueError(f"environment {environment!r} is not one of {', '.join(ENVIRONMENTS)}")
    segments = key.split("/")
    if len(segments) < 3 or segments[0] != PROJECTS_ROOT:
        return Unclassified(f"key is not under {PROJECTS_ROOT}/<project>/")
    project, file_name = segments[1], segments[-1]
    if not is_project_slug(project):
        return Unclassified(f"project segment {project!r} is not a project slug")
    if not file_name:
        return Unclassified("key names a folder, not an object")
    named = category_for_object_name(file_name)
    if named is not None and bucket_category is not None and named.name != bucket_category.name:
        return Unclassified(
            f"name prefix {named.name_prefix!r} says {named.name} but the bucket holds "
            f"{bucket_category.name}"
        )
    category = named or bucket_category
    if category is None:
        return Unclassified("neither the bucket nor the file name declares a data category")
    tags = MappingProxyType(
        {
            TagKey.PROJECT.value: project,
            TagKey.DATA_TYPE.value: category.name,
            TagKey.DATA_CLASSIFICATION.value: category.classification,
            TagKey.ENVIRONMENT.value: environment,
        }
    )
    return Derivation(tags=tags, category=category)
