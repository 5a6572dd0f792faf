"""The preview record is replayable, the pack's decoding shortcut is faithful, the CLI is terse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policies.sdk_decoding import DISABLE_ENV
from tools.preview.__main__ import main
from tools.preview.replay import RecordError, load_record, replay
from tools.preview.report import PreviewResult

pytestmark = pytest.mark.policy

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bad_program"
PACK = Path(__file__).resolve().parents[2] / "policies"


def _outcome(violations: Any) -> list[tuple[str, str, str, str]]:
    return [(v.policy, v.enforcement, v.urn, v.message) for v in violations]


def _document_outcome(document: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (v["policy"], v["enforcement"], v["urn"], v["message"])
        for v in document["policy"]["violations"]
    ]


@pytest.fixture(scope="module")
def bad_record(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The bad fixture previewed live once; its record on disk and decoded."""
    out = tmp_path_factory.mktemp("record") / "bad.json"
    assert main(["--stack", "bad", "--project-dir", str(FIXTURE), "--json", str(out)]) == 1
    return out, json.loads(out.read_text(encoding="utf-8"))


def test_record_holds_what_stack_rules_join_on(bad_record: tuple[Path, dict[str, Any]]) -> None:
    """Property dependencies, the providers the requests carried, and the config are kept."""
    _, document = bad_record
    by_name = {r["name"]: r for r in document["resources"]}
    assert by_name["researcher-read"]["propertyDependencies"]["role"] == [
        by_name["researcher"]["urn"]
    ]
    providers = {p["urn"]: p for p in document["providers"]}
    assert by_name["untagged"]["urn"] in providers
    assert providers[by_name["untagged"]["urn"]]["inputs"]["region"] == "ap-south-1"
    assert document["config"]["aws:region"] == "ap-south-1"


def test_replaying_the_record_gives_the_live_violations(
    bad_record: tuple[Path, dict[str, Any]],
) -> None:
    """The JSON alone, sent through the pack again, yields exactly the live run's diagnostics."""
    path, document = bad_record
    live = _document_outcome(document)
    assert any(policy == "s3-bucket-tls-only" for policy, *_ in live)  # a stack rule fired
    replayed = replay(path, PACK)
    assert _outcome(replayed.violations) == live


def test_replay_of_prod_matches_its_live_run(tmp_path: Path) -> None:
    """The prod record replays to the live verdict: same resources, same diagnostics."""
    out = tmp_path / "prod.json"
    code = main(["--stack", "prod", "--quiet", "--json", str(out)])
    document = json.loads(out.read_text(encoding="utf-8"))
    replayed = replay(out, PACK)
    assert len(replayed.resources) == len(document["resources"])
    assert _outcome(replayed.violations) == _document_outcome(document)
    assert (1 if replayed.mandatory else 0) == code


def test_decoding_once_per_request_changes_no_diagnostic(
    bad_record: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pack's per-request decoding memo and the SDK's per-policy decoding agree."""
    path, document = bad_record
    monkeypatch.setenv(DISABLE_ENV, "1")
    per_policy = replay(path, PACK)
    assert _outcome(per_policy.violations) == _document_outcome(document)


def test_a_file_that_is_not_a_record_is_refused(tmp_path: Path) -> None:
    """A clear error, not a traceback, for a JSON file some other tool wrote."""
    other = tmp_path / "other.json"
    other.write_text('{"resources": []}', encoding="utf-8")
    with pytest.raises(RecordError, match="not a preview record"):
        load_record(other)


def test_cli_replay_exits_like_the_live_run(
    bad_record: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    """`--replay` reports and exits as the live run did, and writes nothing."""
    path, _ = bad_record
    before = path.read_bytes()
    assert main(["--replay", str(path), "--quiet"]) == 1
    printed = capsys.readouterr().out
    assert "FAILED: stack bad" in printed
    assert path.read_bytes() == before


def test_quiet_prints_the_report_summary_and_verdict_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CI logs get the policy report, counts per severity and the time split; no tree."""
    json_path = str(tmp_path / "b.json")
    code = main(["--stack", "bad", "--project-dir", str(FIXTURE), "--json", json_path, "--quiet"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "cloud resources," not in printed  # the tree's last line
    assert "MANDATORY (" in printed
    summary = next(line for line in printed.splitlines() if line.startswith("Violations: "))
    assert "mandatory high" in summary or "mandatory critical" in summary
    assert any(line.startswith("Time: program ") for line in printed.splitlines())
    assert printed.rstrip().splitlines()[-1].startswith("FAILED: stack bad")


def test_summary_counts_each_enforcement_and_severity() -> None:
    """The counts line adds up to the violations it summarises, per (enforcement, severity)."""
    from tools.preview.analyzer import PackInfo, Violation
    from tools.preview.report import render_summary

    violations = [
        Violation("a", "mandatory", "high", "u1", "m"),
        Violation("b", "mandatory", "high", "u2", "m"),
        Violation("c", "advisory", "low", "u3", "m"),
    ]
    result = PreviewResult("p", "s", [], PackInfo("pack", "1", ()), violations)
    assert render_summary(result) == "Violations: mandatory high 2, advisory low 1"
