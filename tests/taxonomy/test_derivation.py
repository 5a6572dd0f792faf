"""Object tag derivation: from bucket category, key prefix and naming convention to tags."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.taxonomy import (
    CATEGORIES,
    OBJECT_REQUIRED_KEYS,
    Derivation,
    Unclassified,
    category_by_name,
    derive_object_tags,
    validate_tag_set,
    validate_taxonomy_values,
)
from tests.taxonomy.strategies import (
    bucket_categories,
    categories,
    environments,
    file_names,
    project_keys,
    project_slugs,
    unprefixed_file_names,
)

PROPERTY = settings(max_examples=200, deadline=None)
RAW = category_by_name("raw_sequence")
PROCESSED = category_by_name("processed_genome")


def _derived(result: Derivation | Unclassified) -> Derivation:
    assert isinstance(result, Derivation), result
    return result


@PROPERTY
@given(bucket=bucket_categories, key=st.text(), environment=environments)
def test_derivation_is_total_for_any_key(bucket, key, environment) -> None:
    """Any key in any bucket yields a Derivation or an Unclassified, never an exception."""
    result = derive_object_tags(bucket, key, environment=environment)
    assert isinstance(result, Derivation | Unclassified)


@PROPERTY
@given(bucket=bucket_categories, key=project_keys(), environment=environments)
def test_derivation_is_total_for_convention_shaped_keys(bucket, key, environment) -> None:
    """Keys shaped like the convention (the inputs that reach the deep branches) never raise."""
    result = derive_object_tags(bucket, key, environment=environment)
    assert isinstance(result, Derivation | Unclassified)


@PROPERTY
@given(bucket=bucket_categories, key=project_keys(), environment=environments)
def test_derived_tags_are_accepted_by_s3(bucket, key, environment) -> None:
    """Every derived tag set passes the S3 limits, so the tagger never sends a refused set."""
    result = derive_object_tags(bucket, key, environment=environment)
    if isinstance(result, Derivation):
        assert validate_tag_set(result.tags) == []


@PROPERTY
@given(bucket=bucket_categories, key=project_keys(), environment=environments)
def test_derived_tags_satisfy_the_taxonomy(bucket, key, environment) -> None:
    """Every derived tag set carries every object key with a value from the vocabulary."""
    result = derive_object_tags(bucket, key, environment=environment)
    if isinstance(result, Derivation):
        assert validate_taxonomy_values(result.tags, OBJECT_REQUIRED_KEYS) == []


@PROPERTY
@given(bucket=categories, key=project_keys(), environment=environments)
def test_project_comes_from_the_second_key_segment(bucket, key, environment) -> None:
    """The `project` tag is the segment after `projects/`, whatever the rest of the key says."""
    result = derive_object_tags(bucket, key, environment=environment)
    if isinstance(result, Derivation):
        assert result.tags["project"] == key.split("/")[1]


@PROPERTY
@given(bucket=bucket_categories, key=project_keys(), environment=environments)
def test_environment_tag_is_the_deploying_environment(bucket, key, environment) -> None:
    """The `environment` tag is the stack's environment, not something read from the key."""
    result = derive_object_tags(bucket, key, environment=environment)
    if isinstance(result, Derivation):
        assert result.tags["environment"] == environment


@PROPERTY
@given(category=categories, project=project_slugs, environment=environments)
def test_name_prefix_classifies_when_the_bucket_is_outside_the_lake(
    category, project, environment
) -> None:
    """A `rs_`/`pg_`/... prefix decides the category when the bucket declares none."""
    key = f"projects/{project}/area/{category.name_prefix}sample.dat"
    result = _derived(derive_object_tags(None, key, environment=environment))
    assert result.category == category
    assert result.tags["data-type"] == category.name
    assert result.tags["data-classification"] == category.classification


@PROPERTY
@given(
    bucket=categories,
    named=categories,
    project=project_slugs,
    environment=environments,
)
def test_prefix_disagreeing_with_bucket_is_unclassified(
    bucket, named, project, environment
) -> None:
    """A name prefix of another category than the bucket's is unclassified, never guessed."""
    key = f"projects/{project}/area/{named.name_prefix}sample.dat"
    result = derive_object_tags(bucket, key, environment=environment)
    if named == bucket:
        assert _derived(result).category == bucket
    else:
        assert isinstance(result, Unclassified)
        assert named.name in result.reason
        assert bucket.name in result.reason


@PROPERTY
@given(
    bucket=categories,
    project=project_slugs,
    name=unprefixed_file_names,
    environment=environments,
)
def test_bucket_classifies_names_without_prefix(bucket, project, name, environment) -> None:
    """A file name without a category prefix takes its bucket's category."""
    result = _derived(
        derive_object_tags(bucket, f"projects/{project}/area/{name}", environment=environment)
    )
    assert result.category == bucket


@PROPERTY
@given(project=project_slugs, name=unprefixed_file_names, environment=environments)
def test_no_bucket_and_no_prefix_is_unclassified(project, name, environment) -> None:
    """With neither bucket nor prefix declaring a category, the object is unclassified."""
    result = derive_object_tags(None, f"projects/{project}/area/{name}", environment=environment)
    assert isinstance(result, Unclassified)


@PROPERTY
@given(
    bucket=bucket_categories,
    root=st.text(max_size=12).filter(lambda root: root != "projects"),
    project=project_slugs,
    name=file_names,
    environment=environments,
)
def test_keys_outside_projects_are_unclassified(bucket, root, project, name, environment) -> None:
    """Only keys under `projects/` belong to a project; any other first segment is unclassified."""
    result = derive_object_tags(bucket, f"{root}/{project}/{name}", environment=environment)
    assert isinstance(result, Unclassified)
    assert "projects/" in result.reason


def test_key_naming_only_a_project_is_unclassified() -> None:
    """`projects/<p>` names the project itself, not an object inside it."""
    result = derive_object_tags(RAW, "projects/p1", environment="prod")
    assert isinstance(result, Unclassified)


def test_minimal_convention_key_is_classified() -> None:
    """`projects/<p>/<file>` (three segments) is the shortest key the convention accepts."""
    result = _derived(derive_object_tags(RAW, "projects/p1/rs_a.fastq", environment="prod"))
    assert result.tags["project"] == "p1"


@pytest.mark.parametrize("project", ["TB", "tb_genomics", "-tb", "tb-", "", "a" * 41])
def test_non_slug_project_segment_is_unclassified(project: str) -> None:
    """A project segment that is not a slug is unclassified rather than written into a tag."""
    result = derive_object_tags(RAW, f"projects/{project}/raw/rs_a.fastq", environment="prod")
    assert isinstance(result, Unclassified)
    assert "slug" in result.reason


def test_folder_marker_is_unclassified() -> None:
    """A key ending in `/` names a folder placeholder, which carries no data to tag."""
    result = derive_object_tags(RAW, "projects/p1/raw/", environment="prod")
    assert isinstance(result, Unclassified)
    assert "folder" in result.reason


def test_exact_tags_for_a_raw_sequence_object() -> None:
    """A raw sequence object gets exactly the four object keys with the raw category's values."""
    result = _derived(
        derive_object_tags(RAW, "projects/tb-genomics/raw/rs_s1.fastq.gz", environment="prod")
    )
    assert dict(result.tags) == {
        "project": "tb-genomics",
        "data-type": "raw_sequence",
        "data-classification": "restricted",
        "environment": "prod",
    }


def test_derived_tags_cannot_be_mutated() -> None:
    """The derived mapping is read-only, so no caller can alter what the taxonomy decided."""
    result = _derived(derive_object_tags(PROCESSED, "projects/p1/a/x.bam", environment="dev"))
    with pytest.raises(TypeError):
        result.tags["project"] = "other"  # type: ignore[index]


@pytest.mark.parametrize("environment", ["production", "", "PROD"])
def test_unknown_environment_is_a_programming_error(environment: str) -> None:
    """An environment outside the taxonomy raises: it is a deployment bug, not object data."""
    with pytest.raises(ValueError, match="environment"):
        derive_object_tags(RAW, "projects/p1/raw/rs_a.fastq", environment=environment)


def test_every_category_has_a_distinct_prefix() -> None:
    """Prefixes are unique, so a file name can never claim two categories."""
    prefixes = [c.name_prefix for c in CATEGORIES if c.name_prefix]
    assert len(prefixes) == len(set(prefixes))
