"""Environment parsing: every error names the variable, and good values come back typed."""

from __future__ import annotations

import pytest

from contracts import taxonomy
from functions.common.config import (
    ConfigError,
    LakeSettings,
    parse_bool,
    parse_bucket_categories,
    parse_bucket_name,
    parse_environment,
    parse_fan_out,
    parse_lake_settings,
    parse_positive_int,
    parse_prefix,
    parse_topic_arn,
    require,
)

TOPIC = "arn:aws:sns:ap-south-1:123456789012:alerts"
MACHINE = "arn:aws:states:ap-south-1:123456789012:stateMachine:fan-out"
LAKE = {
    "ENVIRONMENT": "dev",
    "BUCKET_CATEGORIES": '{"gen-dev-raw": "raw_sequence"}',
    "TOPIC_ARN": TOPIC,
    "MAX_CONCURRENCY": "16",
}


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


def test_fan_out_unset_means_no_fan_out() -> None:
    """Neither fan-out variable set (or both blank) parses to (None, None)."""
    assert parse_fan_out({}) == (None, None)
    assert parse_fan_out({"FAN_OUT_THRESHOLD": " ", "FAN_OUT_STATE_MACHINE_ARN": ""}) == (
        None,
        None,
    )


def test_fan_out_pair_parses_together() -> None:
    """Both variables set come back as the threshold and the state machine ARN."""
    env = {"FAN_OUT_THRESHOLD": "5000", "FAN_OUT_STATE_MACHINE_ARN": MACHINE}
    assert parse_fan_out(env) == (5000, MACHINE)


def test_fan_out_threshold_without_arn_names_the_arn() -> None:
    """A threshold without its state machine fails naming FAN_OUT_STATE_MACHINE_ARN."""
    with pytest.raises(ConfigError, match="is required when FAN_OUT_THRESHOLD is set") as caught:
        parse_fan_out({"FAN_OUT_THRESHOLD": "5000"})
    assert caught.value.variable == "FAN_OUT_STATE_MACHINE_ARN"


def test_fan_out_arn_without_threshold_names_the_threshold() -> None:
    """A state machine without a threshold fails naming FAN_OUT_THRESHOLD."""
    with pytest.raises(ConfigError) as caught:
        parse_fan_out({"FAN_OUT_STATE_MACHINE_ARN": MACHINE})
    assert caught.value.variable == "FAN_OUT_THRESHOLD"


def test_fan_out_arn_must_be_a_state_machine() -> None:
    """An ARN of another kind is refused with the expected shape in the message."""
    with pytest.raises(ConfigError, match="must be a state machine ARN"):
        parse_fan_out({"FAN_OUT_THRESHOLD": "10", "FAN_OUT_STATE_MACHINE_ARN": TOPIC})


def test_lake_settings_parse_typed() -> None:
    """The shared variables land typed, and an unset fan-out leaves both fields None."""
    settings = LakeSettings(**parse_lake_settings(LAKE))
    assert settings.environment == "dev"
    assert settings.bucket_categories["gen-dev-raw"] is taxonomy.category_by_name("raw_sequence")
    assert (settings.topic_arn, settings.max_concurrency) == (TOPIC, 16)
    assert (settings.fan_out_threshold, settings.fan_out_state_machine_arn) == (None, None)


def test_lake_settings_include_fan_out() -> None:
    """The fan-out pair is part of the shared settings."""
    env = {**LAKE, "FAN_OUT_THRESHOLD": "7", "FAN_OUT_STATE_MACHINE_ARN": MACHINE}
    fields = parse_lake_settings(env)
    assert (fields["fan_out_threshold"], fields["fan_out_state_machine_arn"]) == (7, MACHINE)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ENVIRONMENT", "qa"),
        ("BUCKET_CATEGORIES", "{}"),
        ("TOPIC_ARN", "alerts"),
        ("MAX_CONCURRENCY", "257"),
    ],
)
def test_lake_settings_name_the_bad_variable(variable: str, value: str) -> None:
    """Each malformed shared variable fails with its own name."""
    with pytest.raises(ConfigError) as caught:
        parse_lake_settings({**LAKE, variable: value})
    assert caught.value.variable == variable
