"""The reaper's environment and schedule event."""

from __future__ import annotations

import pytest

from functions.common.config import ConfigError
from functions.common.events import MalformedEventError
from functions.ebs_reaper.config import load_config
from functions.ebs_reaper.event import Mode, ReapRequest, parse_event
from tests.functions.ebs_reaper.fakes import BASE_ENV


def test_defaults_err_on_the_side_of_keeping_data() -> None:
    """Unset variables mean dry run, snapshot first, 30 days' grace and a cap of 20."""
    env = {k: v for k, v in BASE_ENV.items() if k != "DRY_RUN"}
    config = load_config(env)
    assert config.dry_run is True
    assert config.snapshot_before_delete is True
    assert config.include_kubernetes_volumes is False
    assert (config.grace_days, config.max_deletions_per_run) == (30, 20)
    assert (config.opt_out_tag_key, config.mark_tag_key) == ("reaper:keep", "unattached-since")
    assert (config.seen_tag_key, config.max_observation_gap_days) == ("unattached-seen", 2)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DRY_RUN", "yes"),
        ("GRACE_DAYS", "0"),
        ("GRACE_DAYS", "thirty"),
        ("MAX_DELETIONS_PER_RUN", "-1"),
        ("MAX_DELETIONS_PER_RUN", "501"),
        ("SNAPSHOT_RETENTION_DAYS", ""),
        ("OPT_OUT_TAG_KEY", "aws:keep"),
        ("MARK_TAG_KEY", "x" * 129),
        ("EXPECTED_ACCOUNT_ID", "12345"),
        ("EXPECTED_REGION", "Mumbai"),
        ("TOPIC_ARN", "ops"),
        ("SEEN_TAG_KEY", "unattached-since"),
        ("MAX_OBSERVATION_GAP_DAYS", "0"),
        ("MAX_OBSERVATION_GAP_DAYS", "8"),
    ],
)
def test_bad_variable_is_named(variable: str, value: str) -> None:
    """A malformed variable fails at cold start naming itself."""
    with pytest.raises(ConfigError) as caught:
        load_config({**BASE_ENV, variable: value})
    assert caught.value.variable == variable


@pytest.mark.parametrize("variable", ["EXPECTED_ACCOUNT_ID", "EXPECTED_REGION", "TOPIC_ARN"])
def test_safety_variables_have_no_default(variable: str) -> None:
    """The expected account and region (and the topic) must be set explicitly."""
    env = {k: v for k, v in BASE_ENV.items() if k != variable}
    with pytest.raises(ConfigError, match=variable):
        load_config(env)


def test_mark_and_opt_out_keys_must_differ() -> None:
    """One key for both would make every marked volume opt out, so it is refused."""
    with pytest.raises(ConfigError, match="MARK_TAG_KEY"):
        load_config({**BASE_ENV, "MARK_TAG_KEY": "reaper:keep"})


def test_event_without_a_mode_only_observes() -> None:
    """EventBridge's envelope alone (or a hand-made `{}`) asks for the mode that cannot delete."""
    assert parse_event({"source": "aws.scheduler", "detail": {}}) == ReapRequest()
    assert ReapRequest().mode is Mode.OBSERVE


def test_event_names_its_mode() -> None:
    """`reap` is the monthly deletion run; anything but the two modes names the field."""
    assert parse_event({"mode": "reap"}).mode is Mode.REAP
    with pytest.raises(MalformedEventError, match="mode"):
        parse_event({"mode": "delete"})


def test_event_can_force_dry_run() -> None:
    """`dryRun: true` is the one override an event may make."""
    assert parse_event({"dryRun": True}).force_dry_run is True


@pytest.mark.parametrize("event", [{"dryRun": False}, {"dryRun": "true"}, ["dryRun"]])
def test_event_cannot_turn_dry_run_off_or_be_malformed(event: object) -> None:
    """Anything but `true` (or a non-object) is a MalformedEventError naming the field."""
    with pytest.raises(MalformedEventError, match=r"dryRun|event"):
        parse_event(event)
