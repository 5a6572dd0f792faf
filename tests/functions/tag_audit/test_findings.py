"""Judging tags against the taxonomy, and an alert that fits SNS whatever the findings."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from functions.common.notify import MAX_MESSAGE_BYTES
from functions.tag_audit.findings import (
    MAX_TRACKED_PROJECTS,
    NO_PROJECT,
    OTHER_PROJECTS,
    AuditTally,
    Finding,
    check_tags,
)

GOOD = {
    "project": "p1",
    "data-type": "raw_sequence",
    "data-classification": "restricted",
    "environment": "prod",
}
RUN_AT = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
REPORT = "s3://gen-prod-reports/tag-audit/2026/03/02/tag-audit-20260302T023000Z.jsonl"


def test_complete_valid_tags_are_clean() -> None:
    """An object with every required key and allowed values is not a finding."""
    assert check_tags("b", "projects/p1/raw/rs_a.fastq", GOOD) is None


def test_missing_required_key_is_a_finding() -> None:
    """Each missing required key is listed."""
    finding = check_tags("b", "k", {k: v for k, v in GOOD.items() if k != "project"})
    assert finding is not None
    assert finding.problems == ("project: required tag is missing",)


def test_untagged_object_lists_every_missing_key() -> None:
    """An object without tags misses all four object keys."""
    finding = check_tags("b", "k", {})
    assert finding is not None
    assert len(finding.problems) == 4


def test_value_outside_vocabulary_is_a_finding() -> None:
    """A value the taxonomy does not allow is a finding even when every key is present."""
    finding = check_tags("b", "k", {**GOOD, "data-classification": "secret"})
    assert finding is not None
    assert "data-classification" in finding.problems[0]


def test_bad_project_slug_is_a_finding() -> None:
    """A project value that is not a slug is a finding."""
    finding = check_tags("b", "k", {**GOOD, "project": "Project One"})
    assert finding is not None
    assert "not a project slug" in finding.problems[0]


def test_tally_counts_per_bucket_and_project_prefix() -> None:
    """Findings are counted per bucket and per projects/<project>/ prefix."""
    tally = AuditTally(sample_size=10)
    tally.record_clean("raw")
    tally.record_finding(Finding("raw", "projects/p1/raw/a", ("x",)))
    tally.record_finding(Finding("raw", "projects/p1/raw/b", ("x",)))
    tally.record_finding(Finding("proc", "loose.txt", ("x",)))
    assert tally.findings == {"raw": 2, "proc": 1}
    assert tally.checked == {"raw": 3, "proc": 1}
    assert tally.by_project == {"projects/p1/": 2, NO_PROJECT: 1}


def test_project_counts_are_bounded() -> None:
    """Beyond MAX_TRACKED_PROJECTS distinct prefixes, further ones share one counter."""
    tally = AuditTally(sample_size=1)
    for n in range(MAX_TRACKED_PROJECTS + 5):
        tally.record_finding(Finding("b", f"projects/p{n}/raw/x", ("x",)))
    assert len(tally.by_project) == MAX_TRACKED_PROJECTS + 1
    assert tally.by_project[OTHER_PROJECTS] == 5


def test_unreadable_objects_are_counted_apart() -> None:
    """Objects whose tags could not be read are not counted as checked or untagged."""
    tally = AuditTally(sample_size=5)
    tally.record_finding(Finding("b", "k", ("tags could not be read",)), readable=False)
    assert (tally.finding_total, tally.unreadable_total, tally.checked_total) == (0, 1, 0)
    assert tally.anything_found


def test_sample_keeps_the_first_findings_only() -> None:
    """The sample stops at its size while counts go on."""
    tally = AuditTally(sample_size=3)
    for n in range(10):
        tally.record_finding(Finding("b", f"k{n}", ("x",)))
    assert [f.key for f in tally.sample] == ["k0", "k1", "k2"]
    assert tally.finding_total == 10


def test_alert_with_100k_findings_fits_sns_and_keeps_the_report_link() -> None:
    """100,000 findings with long keys and a huge sample still give an alert under 256 KB
    that starts with the report's location and says how many are left out."""
    tally = AuditTally(sample_size=10_000)
    long_part = "very-long-folder-name/" * 40
    for n in range(100_000):
        tally.record_finding(
            Finding(
                f"bucket-{n % 5}",
                f"projects/p{n % 70}/{long_part}rs_{n}.fastq",
                ("project: required tag is missing",),
            )
        )
    message = tally.alert(
        environment="prod",
        run_at=RUN_AT,
        report_uri=REPORT,
        report_error=None,
        max_bytes=MAX_MESSAGE_BYTES,
    )
    assert len(message.encode("utf-8")) <= MAX_MESSAGE_BYTES
    assert REPORT in message.splitlines()[1]
    assert "Missing or invalid tags: 100000" in message
    assert "more in the report" in message
    assert "bucket-3: 20000 / 0 / 20000" in message
    assert "By project prefix (top 50 of 70)" in message


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.text(min_size=1, max_size=300), min_size=1, max_size=60),
    budget=st.integers(min_value=2_000, max_value=20_000),
    error=st.text(max_size=3_000),
)
def test_alert_never_exceeds_its_budget(keys: list[str], budget: int, error: str) -> None:
    """For any keys (any Unicode), budget and bucket error text, the alert fits `max_bytes`."""
    tally = AuditTally(sample_size=len(keys))
    tally.bucket_errors["b"] = error
    for key in keys:
        tally.record_finding(Finding("b", key, ("data-type: required tag is missing",)))
    message = tally.alert(
        environment="dev", run_at=RUN_AT, report_uri=REPORT, report_error=None, max_bytes=budget
    )
    assert len(message.encode("utf-8")) <= budget
