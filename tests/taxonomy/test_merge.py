"""Merging derived tags into an object's existing set: nothing a person set is ever lost."""

from __future__ import annotations

from hypothesis import given, settings

from contracts.taxonomy import MAX_OBJECT_TAGS, merge_tags
from tests.taxonomy.strategies import tag_sets

PROPERTY = settings(max_examples=200, deadline=None)
DERIVED = {
    "project": "p1",
    "data-type": "raw_sequence",
    "data-classification": "restricted",
    "environment": "prod",
}


@PROPERTY
@given(existing=tag_sets, derived=tag_sets)
def test_merge_never_drops_an_existing_key(existing, derived) -> None:
    """Every key already on the object is in the result (S3 replaces the whole set)."""
    result = merge_tags(existing, derived)
    assert set(existing) <= set(result.tags)


@PROPERTY
@given(existing=tag_sets, derived=tag_sets)
def test_merge_never_changes_an_existing_value(existing, derived) -> None:
    """A value a person set survives even when the derived value differs."""
    result = merge_tags(existing, derived)
    assert all(result.tags[key] == value for key, value in existing.items())


@PROPERTY
@given(existing=tag_sets, derived=tag_sets)
def test_merge_is_idempotent(existing, derived) -> None:
    """Merging the result again gives the same set and reports no change, so re-runs are free."""
    first = merge_tags(existing, derived)
    second = merge_tags(first.tags, derived)
    assert dict(second.tags) == dict(first.tags)
    assert second.changed is False


@PROPERTY
@given(existing=tag_sets, derived=tag_sets)
def test_merge_never_exceeds_the_s3_limit(existing, derived) -> None:
    """The set to write never holds more tags than S3 accepts on an object."""
    assert len(merge_tags(existing, derived).tags) <= MAX_OBJECT_TAGS


@PROPERTY
@given(existing=tag_sets, derived=tag_sets)
def test_merge_adds_every_missing_key_when_within_the_limit(existing, derived) -> None:
    """Below the limit, each derived key the object lacks is added with the derived value."""
    result = merge_tags(existing, derived)
    if not result.over_limit:
        assert all(
            result.tags[key] == value for key, value in derived.items() if key not in existing
        )


@PROPERTY
@given(existing=tag_sets, derived=tag_sets)
def test_changed_means_the_set_differs(existing, derived) -> None:
    """`changed` is true exactly when the set to write differs from the object's set."""
    result = merge_tags(existing, derived)
    assert result.changed == (dict(result.tags) != dict(existing))


def test_merge_into_untagged_object_writes_derived_tags() -> None:
    """An object without tags receives the derived set and needs a write."""
    result = merge_tags({}, DERIVED)
    assert dict(result.tags) == DERIVED
    assert result.changed is True
    assert result.conflicts == ()


def test_conflicting_existing_value_is_kept_and_reported() -> None:
    """A key whose existing value differs keeps the person's value and is listed as a conflict."""
    result = merge_tags({"project": "legacy-study"}, DERIVED)
    assert result.tags["project"] == "legacy-study"
    assert result.conflicts == ("project",)


def test_equal_existing_value_is_not_a_conflict() -> None:
    """A key already holding the derived value is neither a conflict nor a change."""
    result = merge_tags(dict(DERIVED), DERIVED)
    assert result.conflicts == ()
    assert result.changed is False


def test_over_limit_merge_is_refused_and_returns_the_existing_set() -> None:
    """A union over ten tags is refused whole (not truncated) and the existing set is kept."""
    existing = {f"lab-key-{index}": "x" for index in range(8)}
    result = merge_tags(existing, DERIVED)
    assert result.over_limit is True
    assert dict(result.tags) == existing
    assert result.changed is False


def test_union_of_exactly_ten_tags_is_accepted() -> None:
    """Ten tags is the S3 limit itself, so a union of ten is written."""
    existing = {f"lab-key-{index}": "x" for index in range(6)}
    result = merge_tags(existing, DERIVED)
    assert result.over_limit is False
    assert len(result.tags) == MAX_OBJECT_TAGS


def test_merge_does_not_mutate_its_inputs() -> None:
    """The caller's mappings are left as they were; the result is a new mapping."""
    existing = {"owner": "lab"}
    merge_tags(existing, DERIVED)
    assert existing == {"owner": "lab"}
