"""Hypothesis strategies for keys and tag sets shaped like the lake's real ones."""

from __future__ import annotations

from hypothesis import strategies as st

from contracts import taxonomy
from contracts.names import PROJECT_SLUG_PATTERN
from contracts.taxonomy import CATEGORIES, ENVIRONMENTS, MAX_OBJECT_TAGS, TagKey

__all__ = [
    "bucket_categories",
    "categories",
    "environments",
    "file_names",
    "project_keys",
    "project_slugs",
    "tag_sets",
    "unprefixed_file_names",
]

categories = st.sampled_from(CATEGORIES)
bucket_categories = st.none() | categories
environments = st.sampled_from(ENVIRONMENTS)
project_slugs = st.from_regex(PROJECT_SLUG_PATTERN, fullmatch=True)

_NAME_CHARACTERS = st.characters(
    exclude_characters="/", exclude_categories=["Cs"], min_codepoint=32
)
_PREFIXES = tuple(c.name_prefix for c in CATEGORIES if c.name_prefix)

unprefixed_file_names = st.text(_NAME_CHARACTERS, min_size=1, max_size=40).filter(
    lambda name: taxonomy.category_for_object_name(name) is None
)
"""File names that carry no category prefix, so only the bucket can classify them."""

file_names = unprefixed_file_names | st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(_PREFIXES),
    st.text(_NAME_CHARACTERS, max_size=30),
)
"""File names with or without a category prefix."""

_areas = st.lists(st.text(_NAME_CHARACTERS, min_size=1, max_size=12), min_size=1, max_size=3)


@st.composite
def project_keys(draw: st.DrawFn) -> str:
    """`projects/<slug>/<area...>/<file>`: the EFS layout DataSync copies into the lake."""
    return "/".join(["projects", draw(project_slugs), *draw(_areas), draw(file_names)])


_TAG_TEXT = st.text(
    st.characters(categories=("Ll", "Lu", "Nd"), include_characters="-_.:/=+@ "),
    max_size=20,
)
_TAG_KEYS = st.sampled_from([*(key.value for key in TagKey), "sample-id", "lab-note"]) | (
    _TAG_TEXT.filter(lambda key: bool(key) and not key.lower().startswith("aws:"))
)
"""Mostly taxonomy keys, so existing and derived sets often share keys (the conflict case)."""

tag_sets = st.dictionaries(_TAG_KEYS, _TAG_TEXT, max_size=MAX_OBJECT_TAGS)
"""Tag sets S3 could hold: at most ten tags of allowed characters, no reserved keys."""
