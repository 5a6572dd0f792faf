"""The clean-up's environment (lexical path checks) and phase events."""

from __future__ import annotations

import json

import pytest

from functions.common.config import ConfigError
from functions.common.events import MalformedEventError
from functions.efs_cleanup.config import load_config
from functions.efs_cleanup.event import CleanupRequest, Phase, parse_event
from tests.functions.efs_cleanup.support import TOPIC

ENV = {"MOUNT_PATH": "/mnt/scratch", "SCRATCH_ROOTS": '["tmp"]', "TOPIC_ARN": TOPIC}


def test_defaults() -> None:
    """Unset variables: dry run, 7 days, 60 s safety, `.cleanup-state.json`, 4 workers."""
    config = load_config(ENV)
    assert config.dry_run is True
    assert (config.retention_days, config.safety_seconds, config.workers) == (7, 60, 4)
    assert config.state_file == ".cleanup-state.json"
    assert config.s3_copy is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MOUNT_PATH", "mnt/scratch"),
        ("MOUNT_PATH", "/"),
        ("SCRATCH_ROOTS", '"tmp"'),
        ("SCRATCH_ROOTS", "[]"),
        ("SCRATCH_ROOTS", '["/etc"]'),
        ("SCRATCH_ROOTS", '["."]'),
        ("SCRATCH_ROOTS", '["a/.."]'),
        ("SCRATCH_ROOTS", '["../outside"]'),
        ("SCRATCH_ROOTS", '["a", "a/b"]'),
        ("SCRATCH_ROOTS", "[1]"),
        ("RETENTION_DAYS", "0"),
        ("STATE_FILE", "tmp/state.json"),
        ("STATE_FILE", "../state.json"),
        ("WORKERS", "33"),
        ("TIME_BUDGET_SAFETY_SECONDS", "-5"),
    ],
)
def test_bad_variable_is_named(variable: str, value: str) -> None:
    """A malformed variable (absolute roots, the mount itself, escapes, overlaps, a state
    file inside a root, ...) fails at cold start naming itself."""
    with pytest.raises(ConfigError) as caught:
        load_config({**ENV, variable: value})
    assert caught.value.variable == variable


def test_roots_are_normalised() -> None:
    """`./tmp/` and `tmp` name the same root."""
    config = load_config({**ENV, "SCRATCH_ROOTS": json.dumps(["./tmp/", "scratch/x"])})
    assert config.scratch_roots == ("tmp", "scratch/x")


def test_s3_copy_mode_needs_its_buckets() -> None:
    """VERIFY_S3_COPY=true without S3_COPY_BUCKETS names the missing variable."""
    with pytest.raises(ConfigError, match="S3_COPY_BUCKETS"):
        load_config({**ENV, "VERIFY_S3_COPY": "true"})


def test_s3_copy_mode_reads_its_mapping() -> None:
    """The area → bucket map and the key prefix land typed in the config."""
    config = load_config(
        {
            **ENV,
            "VERIFY_S3_COPY": "true",
            "S3_COPY_BUCKETS": '{"raw": "gen-prod-raw-sequence"}',
            "S3_COPY_KEY_PREFIX": "/projects/",
        }
    )
    assert config.s3_copy is not None
    assert dict(config.s3_copy.buckets) == {"raw": "gen-prod-raw-sequence"}
    assert config.s3_copy.key_prefix == "projects"


@pytest.mark.parametrize("bad", ['{"raw": "Not_A_Bucket"}', '{"../x": "bucket-a"}', "[]"])
def test_bad_s3_mapping_is_refused(bad: str) -> None:
    """Invalid bucket names, areas or shapes are refused naming S3_COPY_BUCKETS."""
    with pytest.raises(ConfigError, match="S3_COPY_BUCKETS"):
        load_config({**ENV, "VERIFY_S3_COPY": "true", "S3_COPY_BUCKETS": bad})


@pytest.mark.parametrize("phase", list(Phase))
def test_each_phase_parses(phase: Phase) -> None:
    """`announce`, `clean` and `resume` are the phases the schedules send."""
    assert parse_event({"phase": phase.value}) == CleanupRequest(phase)


@pytest.mark.parametrize(
    "event", [{}, {"phase": "CLEAN"}, {"phase": "purge"}, {"phase": "clean", "dryRun": 0}, []]
)
def test_malformed_events_are_refused(event: object) -> None:
    """Missing or unknown phases and dry-run switch-offs name the field."""
    with pytest.raises(MalformedEventError, match=r"phase|dryRun|event"):
        parse_event(event)
