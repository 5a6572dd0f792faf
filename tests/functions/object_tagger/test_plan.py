"""The pure tagging decision: what to write, what to keep, what to refuse."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import taxonomy
from functions.object_tagger.plan import desired_tags, plan_write

RAW = taxonomy.category_by_name("raw_sequence")
KEY = "projects/p1/raw/rs_sample.fastq.gz"
DERIVED = {
    "project": "p1",
    "data-type": "raw_sequence",
    "data-classification": "restricted",
    "environment": "prod",
}


def test_classified_key_gets_derived_tags() -> None:
    """A key following the convention gets the taxonomy's derived tags."""
    desired = desired_tags(RAW, KEY, environment="prod", tag_unclassified=False)
    assert dict(desired.tags or {}) == DERIVED
    assert not desired.unclassified


def test_unclassified_key_is_not_tagged_by_default() -> None:
    """Without TAG_UNCLASSIFIED an unclassified key gets no tags, only a reason."""
    desired = desired_tags(RAW, "incoming/readme.txt", environment="prod", tag_unclassified=False)
    assert desired.tags is None
    assert desired.unclassified_reason == "key is not under projects/<project>/"


def test_unclassified_marker_carries_known_project() -> None:
    """With TAG_UNCLASSIFIED the marker set is restricted and keeps the project the key names."""
    desired = desired_tags(
        RAW, "projects/p1/raw/pg_misplaced.bam", environment="dev", tag_unclassified=True
    )
    assert dict(desired.tags or {}) == {
        "data-type": "unclassified",
        "data-classification": "restricted",
        "environment": "dev",
        "project": "p1",
    }
    assert desired.unclassified


def test_unclassified_marker_without_project() -> None:
    """A key outside projects/ gets the marker set without a project tag."""
    desired = desired_tags(None, "loose/file.txt", environment="dev", tag_unclassified=True)
    assert "project" not in (desired.tags or {})


def test_untagged_object_is_written() -> None:
    """An object without tags needs one write with every derived tag."""
    plan = plan_write({}, DERIVED)
    assert plan.write
    assert dict(plan.tags) == DERIVED


def test_correctly_tagged_object_is_not_written() -> None:
    """An object that already carries the derived tags needs no write."""
    assert not plan_write(DERIVED, DERIVED).write


def test_person_set_tags_are_kept() -> None:
    """Tags a person set survive, and a person's differing value wins as a reported conflict."""
    existing = {"owner": "alice", "project": "p2"}
    plan = plan_write(existing, DERIVED)
    assert plan.tags["owner"] == "alice"
    assert plan.tags["project"] == "p2"
    assert plan.conflicts == ("project",)
    assert plan.write


def test_merge_over_ten_tags_is_refused_without_dropping_any() -> None:
    """When the union would exceed ten tags nothing is written and nothing is removed."""
    existing = {f"person-{n}": "x" for n in range(8)}
    plan = plan_write(existing, DERIVED)
    assert not plan.write
    assert plan.refusal is not None
    assert "limit of 10" in plan.refusal
    assert dict(plan.tags) == existing


def test_set_s3_would_reject_is_refused() -> None:
    """A merged set with characters S3 refuses is not sent."""
    plan = plan_write({"note": "a#b"}, DERIVED)
    assert not plan.write
    assert plan.refusal is not None
    assert "reject" in plan.refusal


tag_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12)
tag_values = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", max_size=12)
existing_sets = st.dictionaries(tag_keys, tag_values, max_size=10)
object_keys = st.builds(
    lambda project, area, name: f"projects/{project}/{area}/{name}",
    st.sampled_from(["p1", "cancer-2026", "Bad_Project"]),
    st.sampled_from(["raw", "processed"]),
    st.sampled_from(["rs_a.fastq.gz", "pg_b.bam", "notes.txt", ""]),
)


@settings(max_examples=300, deadline=None)
@given(existing=existing_sets, key=object_keys, tag_unclassified=st.booleans())
def test_merge_keeps_people_stays_in_limits_and_settles(
    existing: dict[str, str], key: str, tag_unclassified: bool
) -> None:
    """For any existing set: nothing a person set changes, at most ten tags are written, and
    writing the plan's tags once leaves nothing further to write (idempotence)."""
    desired = desired_tags(RAW, key, environment="prod", tag_unclassified=tag_unclassified)
    if desired.tags is None:
        return
    plan = plan_write(existing, desired.tags)
    assert all(plan.tags[k] == v for k, v in existing.items())
    assert len(plan.tags) <= taxonomy.MAX_OBJECT_TAGS
    if plan.write:
        assert plan.refusal is None
        assert not plan_write(plan.tags, desired.tags).write
