"""Parsing the DataSync state-change event and the lab's prefix event into typed models."""

from __future__ import annotations

import pytest

from components.lab.sync_workflow import EVENT_SOURCE, PREFIX_ASSOCIATED
from functions.common.events import MalformedEventError
from functions.object_tagger.event import (
    LAB_DETAIL_TYPE,
    LAB_SOURCE,
    DatasetPrefixAssociated,
    ExecutionStateChange,
    parse_event,
    parse_lab_event,
    parse_tagger_event,
)
from tests.functions.object_tagger.support import (
    DATASET_PREFIX,
    EXEC_ID,
    EXECUTION_ARN,
    RAW_BUCKET,
    REQUEST_ID,
    TASK_ARN,
    TASK_ID,
    lab_event,
    state_change_event,
)


def test_real_shaped_event_parses() -> None:
    """The execution ARN, its task and ids, and the state are read from the event."""
    change = parse_event(state_change_event())
    assert change.execution_arn == EXECUTION_ARN
    assert change.task_arn == TASK_ARN
    assert (change.task_id, change.execution_id) == (TASK_ID, EXEC_ID)
    assert change.succeeded


def test_other_states_parse_but_do_not_succeed() -> None:
    """An ERROR state is a valid event the tagger ignores."""
    assert not parse_event(state_change_event("ERROR")).succeeded


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": "aws.s3"}, "source"),
        ({"detail-type": "Object Created"}, "detail-type"),
        ({"detail": "SUCCESS"}, "detail"),
        ({"detail": {}}, "detail.State"),
        ({"resources": "arn"}, "resources"),
        ({"resources": []}, "resources"),
        ({"resources": [TASK_ARN]}, "resources"),
    ],
)
def test_malformed_event_names_the_field(change: dict[str, object], field: str) -> None:
    """Each way the event can be wrong raises MalformedEventError naming that field."""
    with pytest.raises(MalformedEventError) as caught:
        parse_event({**state_change_event(), **change})
    assert caught.value.field == field


def test_non_object_event_is_refused() -> None:
    """A list is not an EventBridge event."""
    with pytest.raises(MalformedEventError, match="'event'"):
        parse_event([state_change_event()])


def test_lab_event_parses_into_bucket_prefix_and_tags() -> None:
    """The lab sync workflow's event becomes the dataset's bucket, prefix and carried tags."""
    event = parse_lab_event(lab_event(), buckets={RAW_BUCKET})
    assert (event.bucket, event.prefix) == (RAW_BUCKET, DATASET_PREFIX)
    assert (event.dataset_id, event.project, event.request_id) == ("ds-42", "p1", REQUEST_ID)
    assert dict(event.tags) == {"instrument": "novaseq-1"}
    assert event.s3_uri == f"s3://{RAW_BUCKET}/{DATASET_PREFIX}"


def test_lab_event_names_match_the_publishing_workflow() -> None:
    """Source and detail type are the ones components/lab/sync_workflow.py publishes."""
    assert LAB_SOURCE == EVENT_SOURCE
    assert LAB_DETAIL_TYPE == PREFIX_ASSOCIATED


def _without(field: str) -> dict[str, object]:
    event = lab_event()
    detail = event["detail"]
    assert isinstance(detail, dict)
    del detail[field]
    return event


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({**lab_event(), "detail-type": "Lab Metadata Recorded"}, "detail-type"),
        ({**lab_event(), "detail": None}, "detail"),
        (_without("datasetId"), "detail.datasetId"),
        (_without("project"), "detail.project"),
        (_without("s3Uri"), "detail.s3Uri"),
        (_without("requestId"), "detail.requestId"),
        (_without("tags"), "detail.tags"),
        (lab_event(tags=["a"]), "detail.tags"),
        (lab_event(tags={"owner": 7}), "detail.tags.owner"),
        (lab_event(uri=f"{RAW_BUCKET}/{DATASET_PREFIX}"), "detail.s3Uri"),
        (lab_event(uri=f"s3://{RAW_BUCKET}/"), "detail.s3Uri"),
        (lab_event(uri=f"s3://{RAW_BUCKET}//"), "detail.s3Uri"),
        (lab_event(uri=f"s3://{RAW_BUCKET}/projects/p1/raw/rs_a.fastq.gz"), "detail.s3Uri"),
        (lab_event(uri=f"s3://other-bucket/{DATASET_PREFIX}"), "detail.s3Uri"),
    ],
)
def test_malformed_lab_event_names_the_field(event: dict[str, object], field: str) -> None:
    """Each way the lab event can be wrong (or name a bucket this tagger does not tag) raises
    MalformedEventError naming that field, so no prefix is ever guessed."""
    with pytest.raises(MalformedEventError) as caught:
        parse_tagger_event(event, buckets={RAW_BUCKET})
    assert caught.value.field == field


def test_tagger_event_is_told_apart_by_source() -> None:
    """Both event kinds parse through one entry; any other source is refused naming both."""
    assert isinstance(
        parse_tagger_event(state_change_event(), buckets={RAW_BUCKET}), ExecutionStateChange
    )
    assert isinstance(
        parse_tagger_event(lab_event(), buckets={RAW_BUCKET}), DatasetPrefixAssociated
    )
    with pytest.raises(MalformedEventError, match=r"genomics\.lab") as caught:
        parse_tagger_event({**lab_event(), "source": "aws.s3"}, buckets={RAW_BUCKET})
    assert caught.value.field == "source"
