"""The audit's environment and schedule event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from functions.common.config import ConfigError
from functions.common.events import MalformedEventError
from functions.tag_audit.config import load_config
from functions.tag_audit.event import parse_event

GOOD = {
    "ENVIRONMENT": "dev",
    "BUCKET_CATEGORIES": '{"gen-dev-raw-sequence": "raw_sequence"}',
    "REPORT_BUCKET": "gen-dev-reports",
    "REPORT_PREFIX": "tag-audit",
    "TOPIC_ARN": "arn:aws:sns:ap-south-1:123456789012:alerts",
    "MAX_CONCURRENCY": "64",
    "ALERT_SAMPLE_SIZE": "50",
}
NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)


def test_complete_environment_parses() -> None:
    """Every variable lands typed in the frozen config."""
    config = load_config(GOOD)
    assert (config.max_concurrency, config.alert_sample_size) == (64, 50)
    assert config.report_prefix == "tag-audit"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("REPORT_BUCKET", "Reports"), ("ALERT_SAMPLE_SIZE", "0"), ("MAX_CONCURRENCY", "")],
)
def test_bad_variable_is_named(variable: str, value: str) -> None:
    """A malformed variable fails naming itself."""
    with pytest.raises(ConfigError) as caught:
        load_config({**GOOD, variable: value})
    assert caught.value.variable == variable


def test_scheduled_event_time_names_the_run() -> None:
    """An EventBridge scheduled event's `time` is the run time, converted to UTC."""
    event = {
        "source": "aws.events",
        "detail-type": "Scheduled Event",
        "time": "2026-03-02T08:00:00+05:30",
    }
    assert parse_event(event, now=NOW).run_at == datetime(2026, 3, 2, 2, 30, tzinfo=UTC)


def test_scheduler_event_without_time_uses_now() -> None:
    """EventBridge Scheduler's empty input runs the audit as of the invocation."""
    ist = timezone(timedelta(hours=5, minutes=30))
    assert parse_event({}, now=NOW.astimezone(ist)).run_at == NOW


@pytest.mark.parametrize("time", ["yesterday", 20260302, "2026-03-02T02:30:00"])
def test_bad_time_is_named(time: object) -> None:
    """A `time` that is not a zoned ISO 8601 date-time is refused naming the field."""
    with pytest.raises(MalformedEventError) as caught:
        parse_event({"time": time}, now=NOW)
    assert caught.value.field == "time"


def test_non_object_event_is_refused() -> None:
    """The event must be a JSON object."""
    with pytest.raises(MalformedEventError, match="'event'"):
        parse_event("run", now=NOW)
