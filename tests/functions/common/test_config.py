"""Environment parsing: every error names the variable, and good values come back typed."""

from __future__ import annotations

import pytest

import taxonomy
from functions.common.config import (
    ConfigError,
    parse_bool,
    parse_bucket_categories,
    parse_bucket_name,
    parse_environment,
    parse_positive_int,
    parse_prefix,
    parse_topic_arn,
    require,
)

TOPIC = "arn:aws:sns:ap-south-1:123456789012:alerts"


def test_missing_variable_is_named() -> None:
    """A missing variable fails with its name in the message."""
    with pytest.raises(ConfigError, match="TOPIC_ARN") as caught:
        require({}, "TOPIC_ARN")
    assert caught.value.variable == "TOPIC_ARN"


def test_blank_variable_counts_as_missing() -> None:
    """White space alone is not a value."""
    with pytest.raises(ConfigError, match="must not be empty"):
        require({"X": "  "}, "X")


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("FALSE", False), ("True", True)])
def test_bool_accepts_true_and_false(raw: str, expected: bool) -> None:
    """Booleans are spelt true/false in any case."""
    assert parse_bool({"FLAG": raw}, "FLAG") is expected


@pytest.mark.parametrize("raw", ["yes", "1", "on"])
def test_bool_refuses_other_spellings(raw: str) -> None:
    """A guessable but unlisted spelling is refused, not guessed."""
    with pytest.raises(ConfigError, match="FLAG"):
        parse_bool({"FLAG": raw}, "FLAG")


def test_positive_int_bounds() -> None:
    """Integers outside 1..maximum are refused with the bound in the message."""
    assert parse_positive_int({"N": "16"}, "N", maximum=32) == 16
    with pytest.raises(ConfigError, match="between 1 and 32"):
        parse_positive_int({"N": "33"}, "N", maximum=32)
    with pytest.raises(ConfigError, match="between 1 and 32"):
        parse_positive_int({"N": "0"}, "N", maximum=32)
    with pytest.raises(ConfigError, match="integer"):
        parse_positive_int({"N": "many"}, "N", maximum=32)


def test_environment_must_be_in_taxonomy() -> None:
    """Only the taxonomy's environments are accepted."""
    assert parse_environment({"ENVIRONMENT": "prod"}, "ENVIRONMENT") == "prod"
    with pytest.raises(ConfigError, match="dev, staging, prod"):
        parse_environment({"ENVIRONMENT": "production"}, "ENVIRONMENT")


def test_topic_arn_shape() -> None:
    """A topic ARN is checked at cold start, not at the first publish."""
    assert parse_topic_arn({"T": TOPIC}, "T") == TOPIC
    with pytest.raises(ConfigError, match="SNS topic ARN"):
        parse_topic_arn({"T": "alerts"}, "T")


def test_bucket_categories_resolve_to_taxonomy_categories() -> None:
    """Category names become the taxonomy's DataCategory objects."""
    parsed = parse_bucket_categories({"B": '{"gen-prod-raw": "raw_sequence"}'}, "B")
    assert parsed["gen-prod-raw"] is taxonomy.category_by_name("raw_sequence")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "non-empty JSON object"),
        ("{}", "non-empty JSON object"),
        ('{"Bad_Bucket": "raw_sequence"}', "not a valid S3 bucket name"),
        ('{"gen-raw": "raw"}', "unknown category 'raw'"),
        ('{"gen-raw": 3}', "must be a string"),
    ],
)
def test_bucket_categories_errors(raw: str, message: str) -> None:
    """Each way BUCKET_CATEGORIES can be wrong names the variable and the problem."""
    with pytest.raises(ConfigError, match="BUCKET_CATEGORIES") as caught:
        parse_bucket_categories({"BUCKET_CATEGORIES": raw}, "BUCKET_CATEGORIES")
    assert message in str(caught.value)


def test_bucket_name_and_prefix() -> None:
    """Bucket names are validated; prefixes lose their slashes and may be empty."""
    assert parse_bucket_name({"B": "gen-prod-reports"}, "B") == "gen-prod-reports"
    with pytest.raises(ConfigError, match="REPORT_BUCKET"):
        parse_bucket_name({"REPORT_BUCKET": "s3://x"}, "REPORT_BUCKET")
    assert parse_prefix({"P": "/datasync/reports/"}, "P") == "datasync/reports"
    assert parse_prefix({}, "P") == ""
