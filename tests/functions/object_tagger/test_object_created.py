"""The tagger on S3 `Object Created` events: people's uploads get the platform's tags."""

from __future__ import annotations

from typing import Any

import pytest

from functions.common.events import MalformedEventError
from functions.common.s3_types import S3Error
from functions.object_tagger.core import TaggingFailedError, tag_object
from functions.object_tagger.event import ObjectCreated, parse_tagger_event
from tests.functions.common.fakes import FakeMetrics, InMemoryS3
from tests.functions.object_tagger.support import DERIVED_P1, RAW_BUCKET, tagger_config

KEY = "projects/p1/uploads/rs_patient7.fastq.gz"


def object_created_event(bucket: str = RAW_BUCKET, key: str = KEY) -> dict[str, Any]:
    """An `Object Created` event as S3 sends it to EventBridge (a completed multipart upload)."""
    return {
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "time": "2026-12-02T18:00:00Z",
        "region": "ap-south-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {"key": key, "size": 9_000_000_000, "etag": "d41d8cd9-1", "sequencer": "1"},
            "request-id": "N4N7GDK58NMKJ12R",
            "requester": "123456789012",
            "reason": "CompleteMultipartUpload",
        },
    }


def test_the_event_parses_into_the_object_it_names() -> None:
    """Bucket, key, size and the creating operation come from the event's detail."""
    event = parse_tagger_event(object_created_event(), buckets={RAW_BUCKET})
    assert event == ObjectCreated(
        event_id="17793124-05d4-b198-2fde-7ededc63b103",
        bucket=RAW_BUCKET,
        key=KEY,
        size=9_000_000_000,
        reason="CompleteMultipartUpload",
    )


def test_an_event_of_a_bucket_the_tagger_does_not_tag_is_refused() -> None:
    """A foreign bucket is a configuration error, named in the message."""
    with pytest.raises(MalformedEventError, match=r"detail\.bucket\.name"):
        parse_tagger_event(object_created_event(bucket="someone-else"), buckets={RAW_BUCKET})


def test_an_event_without_a_key_names_the_field() -> None:
    event = object_created_event()
    del event["detail"]["object"]["key"]
    with pytest.raises(MalformedEventError, match=r"detail\.object"):
        parse_tagger_event(event, buckets={RAW_BUCKET})


def test_an_untagged_upload_gets_the_derived_tags() -> None:
    """The uploader sent no tags; the object ends with the taxonomy's tags for its key."""
    store = InMemoryS3()
    store.add(RAW_BUCKET, KEY)
    event = parse_tagger_event(object_created_event(), buckets={RAW_BUCKET})
    assert isinstance(event, ObjectCreated)
    result = tag_object(event, config=tagger_config(), store=store, metrics=FakeMetrics())
    assert result["outcome"] == "tagged"
    assert store.tags_of(RAW_BUCKET, KEY) == DERIVED_P1


def test_an_s3_failure_raises_so_the_event_is_retried() -> None:
    store = InMemoryS3()
    store.add(RAW_BUCKET, KEY)
    store.failures[("PutObjectTagging", KEY)] = S3Error("slow down", code="SlowDown")
    event = parse_tagger_event(object_created_event(), buckets={RAW_BUCKET})
    assert isinstance(event, ObjectCreated)
    with pytest.raises(TaggingFailedError):
        tag_object(event, config=tagger_config(), store=store, metrics=FakeMetrics())
