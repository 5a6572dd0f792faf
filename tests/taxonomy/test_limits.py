"""Tag-set checks: what S3 would refuse, and what the taxonomy does not allow."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from contracts.taxonomy import (
    MAX_OBJECT_TAGS,
    OBJECT_REQUIRED_KEYS,
    RESOURCE_REQUIRED_KEYS,
    validate_tag_set,
    validate_taxonomy_values,
)
from contracts.taxonomy.limits import MAX_KEY_LENGTH, MAX_VALUE_LENGTH
from tests.taxonomy.strategies import tag_sets

VALID = {
    "project": "tb-genomics",
    "data-type": "raw_sequence",
    "data-classification": "restricted",
    "environment": "prod",
}


def _problem_keys(tags: dict[str, str]) -> list[str]:
    return [problem.key for problem in validate_tag_set(tags)]


@settings(max_examples=200, deadline=None)
@given(tags=tag_sets)
def test_sets_within_every_limit_have_no_problem(tags) -> None:
    """Up to ten tags of allowed characters and lengths are accepted as S3 accepts them."""
    assert validate_tag_set(tags) == []


def test_more_than_ten_tags_is_a_problem() -> None:
    """Eleven tags exceed the S3 per-object limit."""
    tags = {f"k{index}": "v" for index in range(MAX_OBJECT_TAGS + 1)}
    assert _problem_keys(tags) == ["*"]


def test_ten_tags_is_within_the_limit() -> None:
    """Ten tags is the limit itself and is accepted."""
    assert validate_tag_set({f"k{index}": "v" for index in range(MAX_OBJECT_TAGS)}) == []


def test_key_longer_than_128_characters_is_a_problem() -> None:
    """A key of 129 characters is longer than S3 allows."""
    key = "k" * (MAX_KEY_LENGTH + 1)
    assert _problem_keys({key: "v"}) == [key]


def test_key_of_128_characters_is_accepted() -> None:
    """A key of exactly 128 characters is the longest S3 allows."""
    assert validate_tag_set({"k" * MAX_KEY_LENGTH: "v"}) == []


def test_empty_key_is_a_problem() -> None:
    """An empty key is refused by S3."""
    assert _problem_keys({"": "v"}) == [""]


def test_value_longer_than_256_characters_is_a_problem() -> None:
    """A value of 257 characters is longer than S3 allows."""
    assert _problem_keys({"k": "v" * (MAX_VALUE_LENGTH + 1)}) == ["k"]


def test_value_of_256_characters_is_accepted() -> None:
    """A value of exactly 256 characters is the longest S3 allows."""
    assert validate_tag_set({"k": "v" * MAX_VALUE_LENGTH}) == []


def test_empty_value_is_accepted() -> None:
    """S3 accepts an empty tag value."""
    assert validate_tag_set({"k": ""}) == []


@pytest.mark.parametrize("key", ["lab#id", "sample<1>", "a,b", "weird*", "quote'd"])
def test_key_with_disallowed_characters_is_a_problem(key: str) -> None:
    """Characters outside letters, digits, white space and `+ - = . _ : / @` are refused."""
    problems = validate_tag_set({key: "v"})
    assert [p.key for p in problems] == [key]
    assert "characters" in problems[0].problem


@pytest.mark.parametrize("value", ["a#b", "50%", "x;y", "[1]"])
def test_value_with_disallowed_characters_is_a_problem(value: str) -> None:
    """A value with a character S3 refuses is reported under its key, showing the value."""
    problems = validate_tag_set({"k": value})
    assert [p.key for p in problems] == ["k"]
    assert repr(value) in problems[0].problem


def test_every_documented_special_character_is_accepted() -> None:
    """`+ - = . _ : / @` and spaces are what S3 documents as allowed, in keys and values."""
    assert validate_tag_set({"a+b-c=d.e_f:g/h@i j": "a+b-c=d.e_f:g/h@i j"}) == []


@pytest.mark.parametrize("key", ["aws:created-by", "AWS:owner", "Aws:x"])
def test_aws_prefix_is_reserved(key: str) -> None:
    """Keys starting with `aws:` in any case are reserved for AWS."""
    problems = validate_tag_set({key: "v"})
    assert any("reserved" in p.problem for p in problems)


def test_aws_inside_a_key_is_not_reserved() -> None:
    """Only the prefix is reserved; `aws:` later in a key is fine."""
    assert validate_tag_set({"lab-aws:x": "v"}) == []


def test_problem_renders_key_and_reason() -> None:
    """A problem reads `<key>: <reason>`, which the audit report shows as is."""
    (problem,) = validate_tag_set({"k": "v" * (MAX_VALUE_LENGTH + 1)})
    assert str(problem) == f"k: value longer than {MAX_VALUE_LENGTH} characters"


def test_complete_object_tags_satisfy_the_taxonomy() -> None:
    """A set with all object keys and vocabulary values has no taxonomy problem."""
    assert validate_taxonomy_values(VALID, OBJECT_REQUIRED_KEYS) == []


@pytest.mark.parametrize("missing", [key.value for key in OBJECT_REQUIRED_KEYS])
def test_missing_required_key_is_reported(missing: str) -> None:
    """Each required object key that is absent is reported by name."""
    tags = {key: value for key, value in VALID.items() if key != missing}
    problems = validate_taxonomy_values(tags, OBJECT_REQUIRED_KEYS)
    assert [(p.key, p.problem) for p in problems] == [(missing, "required tag is missing")]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("environment", "production"),
        ("data-classification", "secret"),
        ("data-type", "fastq"),
        ("managed-by", "terraform"),
    ],
)
def test_value_outside_the_vocabulary_is_reported(key: str, value: str) -> None:
    """A closed-vocabulary key with a value outside it is reported, showing the value."""
    problems = validate_taxonomy_values({**VALID, key: value}, OBJECT_REQUIRED_KEYS)
    assert [p.key for p in problems] == [key]
    assert repr(value) in problems[0].problem


def test_project_that_is_not_a_slug_is_reported() -> None:
    """`project` is free text but must be a slug, since it is also an ABAC principal tag."""
    problems = validate_taxonomy_values({**VALID, "project": "TB Genomics"}, OBJECT_REQUIRED_KEYS)
    assert [p.key for p in problems] == ["project"]


def test_required_keys_are_those_passed() -> None:
    """Resource checks ask for resource keys: an object set lacks owner and cost-center."""
    problems = validate_taxonomy_values(VALID, RESOURCE_REQUIRED_KEYS)
    assert sorted(p.key for p in problems) == ["cost-center", "managed-by", "owner"]
