"""S3 object-tag limits and value checks, so no writer ever sends a tag set S3 would refuse."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from contracts.names import is_project_slug
from contracts.taxonomy.keys import ALLOWED_VALUES, TagKey

__all__ = [
    "MAX_KEY_LENGTH",
    "MAX_OBJECT_TAGS",
    "MAX_VALUE_LENGTH",
    "TagProblem",
    "validate_tag_set",
    "validate_taxonomy_values",
]

MAX_OBJECT_TAGS: Final = 10
MAX_KEY_LENGTH: Final = 128
MAX_VALUE_LENGTH: Final = 256
_ALLOWED_CHARACTERS: Final = re.compile(r"^[\w\s+\-=.:/@]*$", re.UNICODE)
"""Letters, digits, white space and `+ - = . _ : / @`, as S3 documents for tag keys and values."""


@dataclass(frozen=True, slots=True)
class TagProblem:
    """One reason a tag set cannot be written or does not satisfy the taxonomy."""

    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.key}: {self.problem}"


def validate_tag_set(tags: Mapping[str, str]) -> list[TagProblem]:
    """Problems that would make S3 reject `tags` (count, lengths, characters, reserved prefix)."""
    problems: list[TagProblem] = []
    if len(tags) > MAX_OBJECT_TAGS:
        problems.append(
            TagProblem("*", f"{len(tags)} tags exceed the S3 limit of {MAX_OBJECT_TAGS} per object")
        )
    for key, value in tags.items():
        if not 1 <= len(key) <= MAX_KEY_LENGTH:
            problems.append(TagProblem(key, f"key length must be 1-{MAX_KEY_LENGTH}"))
        if len(value) > MAX_VALUE_LENGTH:
            problems.append(TagProblem(key, f"value longer than {MAX_VALUE_LENGTH} characters"))
        if key.lower().startswith("aws:"):
            problems.append(TagProblem(key, "the aws: prefix is reserved for AWS"))
        if not _ALLOWED_CHARACTERS.fullmatch(key):
            problems.append(TagProblem(key, "key has characters S3 does not allow in tags"))
        if not _ALLOWED_CHARACTERS.fullmatch(value):
            problems.append(TagProblem(key, f"value {value!r} has characters S3 does not allow"))
    return problems


def validate_taxonomy_values(
    tags: Mapping[str, str], required: tuple[TagKey, ...]
) -> list[TagProblem]:
    """Problems against the taxonomy: missing required keys and values outside the vocabulary."""
    problems = [TagProblem(key, "required tag is missing") for key in required if key not in tags]
    for key, allowed in ALLOWED_VALUES.items():
        if key in tags and tags[key] not in allowed:
            problems.append(
                TagProblem(key, f"value {tags[key]!r} is not one of {', '.join(allowed)}")
            )
    project = tags.get(TagKey.PROJECT)
    if project is not None and not is_project_slug(project):
        problems.append(TagProblem(TagKey.PROJECT, f"value {project!r} is not a project slug"))
    return problems
