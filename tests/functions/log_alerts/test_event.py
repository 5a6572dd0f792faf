"""Decoding the subscription delivery: valid batches, control messages, malformed payloads."""

from __future__ import annotations

import base64
import gzip

import pytest

from functions.common.events import MalformedEventError
from functions.log_alerts.event import parse_event
from tests.functions.log_alerts.support import APP_GROUP, STREAM, delivery, encode


def test_data_message_decodes_to_batch() -> None:
    """Group, stream, filters and each event's text and time survive decoding."""
    batch = parse_event(delivery(["ERROR one", "ERROR two"]))
    assert batch.log_group == APP_GROUP
    assert batch.log_stream == STREAM
    assert batch.subscription_filters == ("gen-test-errors",)
    assert [e.message for e in batch.events] == ["ERROR one", "ERROR two"]
    assert batch.events[1].timestamp_ms == 1767225601000


def test_control_message_is_an_empty_batch() -> None:
    """The destination check CloudWatch Logs sends carries nothing to report."""
    batch = parse_event(
        encode({"messageType": "CONTROL_MESSAGE", "logGroup": "", "logStream": "", "logEvents": []})
    )
    assert batch.events == ()


def test_missing_awslogs_is_named() -> None:
    """An event without `awslogs` names that field."""
    with pytest.raises(MalformedEventError, match="'awslogs'"):
        parse_event({"Records": []})


def test_non_base64_data_is_named() -> None:
    """Data that is not base64 is refused with what was expected."""
    with pytest.raises(MalformedEventError, match="base64 text"):
        parse_event({"awslogs": {"data": "not base64!"}})


def test_non_gzip_data_is_named() -> None:
    """Base64 of something other than gzip is refused."""
    data = base64.b64encode(b"plain text").decode()
    with pytest.raises(MalformedEventError, match="gzip"):
        parse_event({"awslogs": {"data": data}})


def test_non_json_payload_is_named() -> None:
    """Gzip of something other than JSON is refused."""
    data = base64.b64encode(gzip.compress(b"{not json")).decode()
    with pytest.raises(MalformedEventError, match="JSON"):
        parse_event({"awslogs": {"data": data}})


def test_unknown_message_type_is_named() -> None:
    """A payload with another messageType is refused, naming the field."""
    with pytest.raises(MalformedEventError, match="messageType"):
        parse_event(encode({"messageType": "OTHER", "logEvents": []}))


def test_log_event_without_message_names_its_index() -> None:
    """A log event lacking its message names the event's position."""
    document = {
        "messageType": "DATA_MESSAGE",
        "logGroup": APP_GROUP,
        "logStream": STREAM,
        "logEvents": [{"id": "1", "timestamp": 1}, {"id": "2", "timestamp": 2}],
    }
    with pytest.raises(MalformedEventError, match=r"logEvents\[0\]\.message"):
        parse_event(encode(document))
