"""The tagger's core on in-memory fakes: outcomes, request budget, idempotence, failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.common.datasync_types import DataSyncError, ExecutionInfo
from functions.common.s3_types import S3Error
from functions.object_tagger.config import TaggerConfig
from functions.object_tagger.core import (
    PROBLEM_SAMPLE_SIZE,
    Outcome,
    TaggingFailedError,
    TaggingSummary,
    tag_execution,
)
from tests.functions.common.fakes import FakeMetrics, FakePublisher, InMemoryS3
from tests.functions.object_tagger.support import (
    DERIVED_P1,
    RAW_BUCKET,
    REPORT_BUCKET,
    STARTED,
    FakeDataSync,
    lake_with_report,
    report_document,
    report_key,
    state_change,
    tagger_config,
)

RS = "projects/p1/raw/rs_{}.fastq.gz"


def run(
    store: InMemoryS3,
    *,
    config: TaggerConfig | None = None,
    datasync: FakeDataSync | None = None,
    publisher: FakePublisher | None = None,
    metrics: FakeMetrics | None = None,
) -> TaggingSummary:
    return tag_execution(
        state_change(),
        config=config or tagger_config(),
        datasync=datasync or FakeDataSync(),
        store=store,
        publisher=publisher or FakePublisher(),
        metrics=metrics or FakeMetrics(),
    )


def test_transferred_objects_get_taxonomy_tags() -> None:
    """Every object the report lists ends up with the derived tags."""
    keys = [RS.format(n) for n in range(5)]
    store = lake_with_report(keys)
    summary = run(store)
    assert all(store.tags_of(RAW_BUCKET, key) == DERIVED_P1 for key in keys)
    assert summary.counts[Outcome.TAGGED] == 5


def test_untagged_object_costs_one_read_and_one_write() -> None:
    """An untagged object takes exactly GetObjectTagging + PutObjectTagging (2 requests)."""
    store = lake_with_report([RS.format(1)])
    run(store)
    assert store.requests_by_key[("GetObjectTagging", RS.format(1))] == 1
    assert store.requests_by_key[("PutObjectTagging", RS.format(1))] == 1


def test_correctly_tagged_object_costs_one_read() -> None:
    """An object that already has its tags takes exactly one GetObjectTagging and no write."""
    store = lake_with_report([RS.format(1)])
    store.buckets[RAW_BUCKET][RS.format(1)].tags = dict(DERIVED_P1)
    summary = run(store)
    assert store.requests_by_key[("GetObjectTagging", RS.format(1))] == 1
    assert store.requests["PutObjectTagging"] == 0
    assert summary.counts[Outcome.UNCHANGED] == 1


def test_duplicate_event_writes_nothing() -> None:
    """Handling the same event twice writes tags once; the second run only reads."""
    keys = [RS.format(n) for n in range(20)]
    store = lake_with_report(keys)
    run(store)
    writes_after_first = store.requests["PutObjectTagging"]
    second = run(store)
    assert writes_after_first == 20
    assert store.requests["PutObjectTagging"] == 20
    assert second.counts[Outcome.UNCHANGED] == 20


def test_person_set_tags_survive() -> None:
    """A person's tags stay, a person's differing value is kept and reported as a conflict."""
    store = lake_with_report([RS.format(1)])
    store.buckets[RAW_BUCKET][RS.format(1)].tags = {"owner": "alice", "project": "p9"}
    publisher = FakePublisher()
    run(store, publisher=publisher)
    tags = store.tags_of(RAW_BUCKET, RS.format(1))
    assert tags["owner"] == "alice"
    assert tags["project"] == "p9"
    assert tags["data-type"] == "raw_sequence"
    assert "kept person-set value of project" in publisher.messages[0][1]


def test_over_ten_tags_is_refused_and_reported_without_failing() -> None:
    """A merge over S3's limit writes nothing, keeps every tag, is reported and counted as a
    tagging failure, but does not fail the invocation (a retry could not fix it)."""
    store = lake_with_report([RS.format(1)])
    person_tags = {f"person-{n}": "x" for n in range(8)}
    store.buckets[RAW_BUCKET][RS.format(1)].tags = dict(person_tags)
    publisher, metrics = FakePublisher(), FakeMetrics()
    summary = run(store, publisher=publisher, metrics=metrics)
    assert store.tags_of(RAW_BUCKET, RS.format(1)) == person_tags
    assert store.requests["PutObjectTagging"] == 0
    assert summary.counts[Outcome.REFUSED] == 1
    assert metrics.values["TaggingFailures"] == 1
    assert "limit of 10" in publisher.messages[0][1]


def test_unclassified_object_is_reported_and_left_alone_by_default() -> None:
    """Without TAG_UNCLASSIFIED an unclassified object costs no request and is listed."""
    odd = "projects/p1/raw/pg_wrong_bucket.bam"
    store = lake_with_report([odd])
    publisher, metrics = FakePublisher(), FakeMetrics()
    summary = run(store, publisher=publisher, metrics=metrics)
    assert store.requests_by_key[("GetObjectTagging", odd)] == 0
    assert store.tags_of(RAW_BUCKET, odd) == {}
    assert summary.counts[Outcome.UNCLASSIFIED] == 1
    assert metrics.values["ObjectsUnclassified"] == 1
    assert odd in publisher.messages[0][1]


def test_unclassified_object_is_marked_when_enabled() -> None:
    """With TAG_UNCLASSIFIED the object gets data-type=unclassified, restricted, its project."""
    odd = "projects/p1/raw/pg_wrong_bucket.bam"
    store = lake_with_report([odd])
    summary = run(store, config=tagger_config(tag_unclassified=True))
    assert store.tags_of(RAW_BUCKET, odd) == {
        "data-type": "unclassified",
        "data-classification": "restricted",
        "environment": "prod",
        "project": "p1",
    }
    assert summary.unclassified_written == 1


def test_partial_failure_publishes_summary_then_raises() -> None:
    """One failing object does not stop the others; the summary is sent, then the call fails."""
    keys = [RS.format(n) for n in range(10)]
    store = lake_with_report(keys)
    store.failures[("PutObjectTagging", keys[3])] = S3Error("SlowDown", code="SlowDown")
    publisher, metrics = FakePublisher(), FakeMetrics()
    with pytest.raises(TaggingFailedError, match="1 object"):
        run(store, publisher=publisher, metrics=metrics)
    assert len(publisher.messages) == 1
    subject, message = publisher.messages[0]
    assert "FAILED" in subject
    assert keys[3] in message
    assert metrics.values == {"ObjectsTagged": 9, "ObjectsUnclassified": 0, "TaggingFailures": 1}
    assert all(store.tags_of(RAW_BUCKET, k) == DERIVED_P1 for k in keys if k != keys[3])


def test_vanished_object_is_reported_not_failed() -> None:
    """An object deleted after the transfer is reported, and does not fail the invocation."""
    store = lake_with_report([RS.format(1), RS.format(2)])
    del store.buckets[RAW_BUCKET][RS.format(2)]
    summary = run(store)
    assert summary.counts[Outcome.MISSING] == 1
    assert summary.succeeded


def test_without_report_the_destination_is_listed_since_the_start() -> None:
    """With no task report, objects modified since the execution started are tagged, older not."""
    store = InMemoryS3()
    store.buckets[REPORT_BUCKET] = {}
    store.add(RAW_BUCKET, RS.format("new"), last_modified=STARTED + timedelta(minutes=3))
    store.add(RAW_BUCKET, RS.format("old"), last_modified=STARTED - timedelta(days=2))
    store.add(RAW_BUCKET, "projects/p1/raw/", last_modified=STARTED + timedelta(minutes=3))
    summary = run(store)
    assert store.tags_of(RAW_BUCKET, RS.format("new")) == DERIVED_P1
    assert store.tags_of(RAW_BUCKET, RS.format("old")) == {}
    assert summary.counts[Outcome.TAGGED] == 1
    assert summary.counts[Outcome.UNCLASSIFIED] == 0
    assert summary.source.startswith("listing of s3://")


def test_listing_stays_under_the_destination_prefix() -> None:
    """The fallback lists only the task's destination prefix, not sibling prefixes."""
    store = InMemoryS3()
    store.buckets[REPORT_BUCKET] = {}
    store.add(RAW_BUCKET, "landing/" + RS.format(1), last_modified=STARTED)
    store.add(RAW_BUCKET, "landing2/" + RS.format(2), last_modified=STARTED)
    run(store, config=tagger_config(tag_unclassified=True), datasync=FakeDataSync(prefix="landing"))
    assert store.tags_of(RAW_BUCKET, "landing/" + RS.format(1))["data-type"] == "unclassified"
    assert store.tags_of(RAW_BUCKET, "landing2/" + RS.format(2)) == {}


def test_empty_report_with_transferred_files_falls_back_to_listing() -> None:
    """A report that lists nothing while DataSync counted files is not trusted: list instead."""
    store = InMemoryS3()
    store.add(REPORT_BUCKET, report_key(), body=report_document([]))
    store.add(RAW_BUCKET, RS.format(1), last_modified=STARTED)
    summary = run(store, datasync=FakeDataSync(files_transferred=1))
    assert store.tags_of(RAW_BUCKET, RS.format(1)) == DERIVED_P1
    assert "listing of" in summary.source


def test_all_report_parts_are_read() -> None:
    """Large executions have several transferred-report files; every one is read."""
    store = lake_with_report([RS.format(1)])
    store.add(RAW_BUCKET, RS.format(2), last_modified=STARTED)
    store.add(REPORT_BUCKET, report_key(part=2), body=report_document([f"/{RS.format(2)}"]))
    summary = run(store)
    assert summary.counts[Outcome.TAGGED] == 2


def test_unreadable_report_aborts_after_the_summary() -> None:
    """A report that cannot be read stops the run; the summary says so before it fails."""
    store = lake_with_report([RS.format(1)])
    store.failures[("GetObject", report_key())] = S3Error("AccessDenied", code="AccessDenied")
    publisher = FakePublisher()
    with pytest.raises(TaggingFailedError, match="aborted"):
        run(store, publisher=publisher)
    assert "Aborted: stopped reading" in publisher.messages[0][1]


def test_execution_lookup_failure_aborts_after_the_summary() -> None:
    """If DataSync cannot describe the execution the summary says so, then the call fails."""

    class Broken(FakeDataSync):
        def describe_execution(self, execution_arn: str) -> ExecutionInfo:
            raise DataSyncError("throttled", code="ThrottlingException")

    publisher = FakePublisher()
    with pytest.raises(TaggingFailedError):
        run(lake_with_report([]), datasync=Broken(), publisher=publisher)
    assert "could not describe the execution" in publisher.messages[0][1]


def test_problem_list_is_capped() -> None:
    """The summary lists the first problems only, but counts all of them."""
    keys = [f"loose/file-{n}.txt" for n in range(PROBLEM_SAMPLE_SIZE + 30)]
    store = lake_with_report(keys)
    summary = run(store)
    assert len(summary.problems) == PROBLEM_SAMPLE_SIZE
    assert summary.problem_total == PROBLEM_SAMPLE_SIZE + 30
    assert f"first {PROBLEM_SAMPLE_SIZE} of {PROBLEM_SAMPLE_SIZE + 30}" in summary.message()


def test_metrics_cover_each_outcome() -> None:
    """ObjectsTagged, ObjectsUnclassified and TaggingFailures are emitted with the counts."""
    store = lake_with_report([RS.format(1), RS.format(2), "loose/x.txt"])
    metrics = FakeMetrics()
    run(store, metrics=metrics)
    assert metrics.values == {"ObjectsTagged": 2, "ObjectsUnclassified": 1, "TaggingFailures": 0}


initial_tags = st.sampled_from(
    [
        {},
        dict(DERIVED_P1),
        {"owner": "alice"},
        {"project": "p2"},
        {f"t{n}": "x" for n in range(8)},
    ]
)
names = st.sampled_from(["rs_{}.fastq.gz", "pg_{}.bam", "notes_{}.txt"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    objects=st.lists(st.tuples(names, initial_tags), min_size=1, max_size=25),
    tag_unclassified=st.booleans(),
)
def test_request_budget_and_idempotence_for_any_mix(
    objects: list[tuple[str, dict[str, str]]], tag_unclassified: bool
) -> None:
    """For any mix of objects: at most 2 requests per object, a write only where tags changed,
    and a second run over the same event writes nothing."""
    keys = [f"projects/p1/raw/{name.format(n)}" for n, (name, _) in enumerate(objects)]
    store = lake_with_report(keys)
    for key, (_, tags) in zip(keys, objects, strict=True):
        store.buckets[RAW_BUCKET][key].tags = dict(tags)
    config = tagger_config(tag_unclassified=tag_unclassified)
    run(store, config=config)
    for key in keys:
        per_key = sum(
            count
            for (operation, k), count in store.requests_by_key.items()
            if k == key and operation in ("GetObjectTagging", "PutObjectTagging")
        )
        assert per_key <= 2
    writes = store.requests["PutObjectTagging"]
    run(store, config=config)
    assert store.requests["PutObjectTagging"] == writes
