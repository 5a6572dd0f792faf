"""The JSON-lines report: where it goes, what a line holds, and that it is uploaded whole."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from functions.tag_audit.findings import Finding
from functions.tag_audit.report import CONTENT_TYPE, JsonLinesReport, report_key
from tests.functions.common.fakes import InMemoryS3


def test_report_key_is_dated_and_named_after_the_run() -> None:
    """Reports sort by date, and a retried run writes the same key."""
    run_at = datetime(2026, 3, 2, 2, 30, 5, tzinfo=UTC)
    assert (
        report_key("tag-audit", run_at) == "tag-audit/2026/03/02/tag-audit-20260302T023005Z.jsonl"
    )
    assert report_key("", run_at) == "2026/03/02/tag-audit-20260302T023005Z.jsonl"


def test_lines_are_uploaded_as_json_lines() -> None:
    """Every written record is one JSON object per line in the uploaded object."""
    store = InMemoryS3()
    store.buckets["reports"] = {}
    with JsonLinesReport() as report:
        report.write(Finding("b", "k1", ("project: required tag is missing",)).as_record())
        report.write(Finding("b", "k2", ("x",), {"owner": "ålice"}).as_record())
        uri = report.upload(store, "reports", "r.jsonl")
    assert uri == "s3://reports/r.jsonl"
    lines = store.uploads[("reports", "r.jsonl")].decode("utf-8").splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["k1", "k2"]
    assert json.loads(lines[1])["tags"] == {"owner": "ålice"}
    assert CONTENT_TYPE == "application/x-ndjson"


def test_report_counts_lines() -> None:
    """The report knows how many findings it holds."""
    with JsonLinesReport() as report:
        for n in range(3):
            report.write({"n": n})
        assert report.lines == 3
