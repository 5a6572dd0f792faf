"""The tagger's environment: a complete set parses, each bad variable is named."""

from __future__ import annotations

import pytest

from functions.common.config import ConfigError
from functions.object_tagger.config import load_config

GOOD = {
    "ENVIRONMENT": "prod",
    "BUCKET_CATEGORIES": '{"gen-prod-raw-sequence": "raw_sequence"}',
    "TASK_REPORT_BUCKET": "gen-prod-transfer-reports",
    "TASK_REPORT_PREFIX": "datasync/",
    "TOPIC_ARN": "arn:aws:sns:ap-south-1:123456789012:transfer-alerts",
    "TAG_UNCLASSIFIED": "true",
    "MAX_CONCURRENCY": "32",
}


def test_complete_environment_parses() -> None:
    """Every variable lands typed in the frozen config."""
    config = load_config(GOOD)
    assert config.task_report_prefix == "datasync"
    assert config.tag_unclassified is True
    assert config.max_concurrency == 32
    assert config.bucket_categories["gen-prod-raw-sequence"].name == "raw_sequence"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ENVIRONMENT", "qa"),
        ("BUCKET_CATEGORIES", "{}"),
        ("TASK_REPORT_BUCKET", ""),
        ("TOPIC_ARN", "transfer-alerts"),
        ("TAG_UNCLASSIFIED", "maybe"),
        ("MAX_CONCURRENCY", "1000"),
    ],
)
def test_bad_variable_is_named(variable: str, value: str) -> None:
    """Each malformed variable fails the cold start with its own name in the error."""
    with pytest.raises(ConfigError) as caught:
        load_config({**GOOD, variable: value})
    assert caught.value.variable == variable


def test_config_is_frozen() -> None:
    """The parsed config cannot be changed by an invocation."""
    config = load_config(GOOD)
    with pytest.raises(AttributeError):
        config.max_concurrency = 1  # type: ignore[misc]
