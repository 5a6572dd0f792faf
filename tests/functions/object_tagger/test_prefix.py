"""Tagging a lab dataset's prefix with the shared core: listing, fan-out, idempotence, errors."""

from __future__ import annotations

from dataclasses import replace

import pytest

from functions.common.fanout import FanOutError
from functions.common.s3_types import S3Error
from functions.object_tagger.config import TaggerConfig
from functions.object_tagger.core import (
    Outcome,
    TaggingFailedError,
    TaggingSummary,
    tag_prefix,
)
from functions.object_tagger.fanout import lab_execution_name
from tests.functions.common.fakes import FakeMetrics, FakePublisher, InMemoryS3
from tests.functions.object_tagger.support import (
    DATASET_PREFIX,
    DERIVED_P1,
    MACHINE,
    RAW_BUCKET,
    REQUEST_ID,
    FakeStarter,
    prefix_associated,
    tagger_config,
)

IN_DATASET = [f"{DATASET_PREFIX}rs_{n}.fastq.gz" for n in range(4)]
OUTSIDE = "projects/p1/raw/run-43/rs_x.fastq.gz"


def lake() -> InMemoryS3:
    """The dataset's objects, a folder marker, and one object of another run."""
    store = InMemoryS3(page_size=3)
    for key in [*IN_DATASET, DATASET_PREFIX, OUTSIDE]:
        store.add(RAW_BUCKET, key)
    return store


def run(
    store: InMemoryS3,
    *,
    config: TaggerConfig | None = None,
    publisher: FakePublisher | None = None,
    metrics: FakeMetrics | None = None,
    fan_out: FakeStarter | None = None,
    tags: object = None,
) -> TaggingSummary:
    return tag_prefix(
        prefix_associated(tags=tags),
        config=config or tagger_config(),
        store=store,
        publisher=publisher or FakePublisher(),
        metrics=metrics or FakeMetrics(),
        fan_out=fan_out,
    )


def test_every_object_under_the_prefix_gets_taxonomy_tags() -> None:
    """Objects under the prefix get the derived tags; the folder marker and other runs don't."""
    store = lake()
    publisher = FakePublisher()
    summary = run(store, publisher=publisher)
    assert summary.counts[Outcome.TAGGED] == len(IN_DATASET)
    assert all(store.tags_of(RAW_BUCKET, key) == DERIVED_P1 for key in IN_DATASET)
    assert store.tags_of(RAW_BUCKET, OUTSIDE) == {}
    assert store.requests_by_key[("GetObjectTagging", DATASET_PREFIX)] == 0
    [(subject, message)] = publisher.messages
    assert "lab dataset ds-42" in subject
    assert f"listing of s3://{RAW_BUCKET}/{DATASET_PREFIX}" in message


def test_event_tags_are_not_written_and_the_summary_says_so() -> None:
    """Tags carried by the event never reach S3: the taxonomy alone decides (and a person's
    own tags on the object are kept by the merge)."""
    store = lake()
    store.buckets[RAW_BUCKET][IN_DATASET[0]].tags = {"owner": "alice"}
    publisher = FakePublisher()
    run(store, publisher=publisher, tags={"instrument": "novaseq-1", "project": "p9"})
    assert store.tags_of(RAW_BUCKET, IN_DATASET[1]) == DERIVED_P1
    assert store.tags_of(RAW_BUCKET, IN_DATASET[0]) == {**DERIVED_P1, "owner": "alice"}
    assert "the event's 2 tag(s) were not written" in publisher.messages[0][1]


def test_duplicate_event_writes_nothing() -> None:
    """The same event twice: tags are written once, the second run only reads them."""
    store = lake()
    run(store)
    assert store.requests["PutObjectTagging"] == len(IN_DATASET)
    second = run(store)
    assert store.requests["PutObjectTagging"] == len(IN_DATASET)
    assert second.counts[Outcome.UNCHANGED] == len(IN_DATASET)
    assert second.as_dict()["trigger"] == "lab dataset ds-42"


def test_failed_object_fails_after_the_summary() -> None:
    """An S3 failure on one object is published, then raised so the event is retried."""
    store = lake()
    store.failures[("PutObjectTagging", IN_DATASET[2])] = S3Error("slow", code="SlowDown")
    publisher = FakePublisher()
    with pytest.raises(TaggingFailedError, match="1 object"):
        run(store, publisher=publisher)
    assert "FAILED" in publisher.messages[0][0]
    assert store.tags_of(RAW_BUCKET, IN_DATASET[0]) == DERIVED_P1


def test_broken_listing_aborts_after_the_summary() -> None:
    """A listing that breaks off tags what it got, publishes, then fails the invocation."""
    store = lake()
    store.failures[("ListObjectsV2", DATASET_PREFIX)] = S3Error("denied", code="AccessDenied")
    publisher = FakePublisher()
    with pytest.raises(TaggingFailedError, match="aborted"):
        run(store, publisher=publisher)
    assert "stopped listing the dataset's objects" in publisher.messages[0][1]


def fan_out_config(threshold: int) -> TaggerConfig:
    return replace(tagger_config(), fan_out_threshold=threshold, fan_out_state_machine_arn=MACHINE)


def test_above_threshold_fans_out_the_prefix_once() -> None:
    """More objects than the threshold: the fan-out gets the prefix, nothing is tagged here,
    and a duplicate event asks for the same execution name (StartExecution is idempotent)."""
    store = lake()
    starter = FakeStarter()
    summary = run(store, config=fan_out_config(3), fan_out=starter)
    run(store, config=fan_out_config(3), fan_out=starter)
    assert store.requests["GetObjectTagging"] == 0
    assert summary.fanned_out is not None
    [(name, payload), duplicate] = starter.started
    assert duplicate == (name, payload)
    assert name == lab_execution_name(REQUEST_ID)
    assert payload == {
        "mode": "tag",
        "bucket": RAW_BUCKET,
        "prefix": DATASET_PREFIX,
        "modifiedSince": "",
        "source": f"lab dataset ds-42 (request {REQUEST_ID})",
    }
    assert "fanned out" in summary.subject()


def test_at_threshold_tags_in_process() -> None:
    """Exactly the threshold: tagged here from the counted listing, no fan-out."""
    store = lake()
    starter = FakeStarter()
    summary = run(store, config=fan_out_config(len(IN_DATASET)), fan_out=starter)
    assert starter.started == []
    assert summary.counts[Outcome.TAGGED] == len(IN_DATASET)


def test_fan_out_start_failure_fails_after_the_summary() -> None:
    """A failed StartExecution is published, then raised so the event is retried."""
    publisher = FakePublisher()
    with pytest.raises(TaggingFailedError, match="fan-out"):
        run(
            lake(),
            config=fan_out_config(1),
            publisher=publisher,
            fan_out=FakeStarter(FanOutError("throttled")),
        )
    assert "FAILED" in publisher.messages[0][0]


def test_lab_execution_name_is_a_valid_state_machine_name() -> None:
    """Characters Step Functions refuses become '-', and the name stays within 80."""
    assert lab_execution_name("a b/c:d") == "tag-lab-a-b-c-d"
    assert len(lab_execution_name("x" * 200)) == 80
