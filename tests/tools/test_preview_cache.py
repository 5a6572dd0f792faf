"""The preview store answers exactly as a fresh run would, and only when nothing changed.

A stored report is printed again for the same inputs; a pack-only change replays the stored
registrations through the current pack; any change to what the program, the pack or their
environment reads changes the key. The bad fixture has mandatory violations from resource and
stack rules, so agreement is checked on a report that says something.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tools.preview.__main__ import main
from tools.preview.cache import CACHE_ENV, cache_keys
from tools.preview.stack_config import load_stack_config

pytestmark = pytest.mark.policy

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "bad_program"
PACK = ROOT / "policies"


def _preview(
    capsys: pytest.CaptureFixture[str], folder: Path, *extra: str
) -> tuple[int, list[str], dict[str, Any]]:
    """Exit code, printed lines without the two timing lines, the JSON without its timings."""
    out = folder / "preview.json"  # one path for every run: the report prints it
    argv = ["--stack", "bad", "--project-dir", str(FIXTURE), "--json", str(out), *extra]
    code = main(argv)
    printed = capsys.readouterr().out.splitlines()
    document = json.loads(out.read_text(encoding="utf-8"))
    timings = document.pop("timings")
    assert printed[-2].startswith("Time: program ")
    assert printed[-1].startswith("FAILED: stack bad")
    return code, [*printed[:-2], printed[-1].rsplit(" (", 1)[0]], {**document, "_t": timings}


def _without_timings(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "_t"}


def _in_any_order(document: dict[str, Any]) -> dict[str, Any]:
    """The document with registrations and violations sorted.

    Two live runs can register siblings in either order (pulumi sends each registration from
    a thread of its executor), so they are compared as sets; a stored report is compared with
    the run that stored it exactly.
    """
    policy = document["policy"]
    violations = sorted(policy["violations"], key=lambda v: json.dumps(v, sort_keys=True))
    return {
        **_without_timings(document),
        "resources": sorted(document["resources"], key=lambda r: str(r["urn"])),
        "providers": sorted(document["providers"], key=lambda r: str(r["urn"])),
        "policy": {**policy, "violations": violations},
    }


def test_a_stored_report_is_the_fresh_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored report is the run that stored it, byte for byte; a fresh run says the same."""
    monkeypatch.delenv(CACHE_ENV, raising=False)
    store = ["--cache-dir", str(tmp_path / "store")]
    fresh = _preview(capsys, tmp_path, "--no-cache")
    stored = _preview(capsys, tmp_path, *store)
    again = _preview(capsys, tmp_path, *store)
    assert fresh[0] == stored[0] == again[0] == 1
    assert any(line.startswith("MANDATORY (") for line in fresh[1])
    assert stored[1] == again[1]
    assert _without_timings(stored[2]) == _without_timings(again[2])
    assert sorted(fresh[1]) == sorted(again[1])
    assert _in_any_order(fresh[2]) == _in_any_order(again[2])
    assert fresh[2]["policy"]["violations"]
    # The program's message and outputs are printed from the store as from the run.
    assert "  warning: the bad fixture is insecure on purpose" in again[1]
    assert any(line.startswith("  researcherRoleName  ") for line in again[1])
    assert [fresh[2]["_t"]["source"], stored[2]["_t"]["source"]] == ["run", "run"]
    assert again[2]["_t"]["source"] == "stored report (inputs unchanged)"


def test_a_pack_config_change_replays_the_stored_registrations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the pack's config changed: the stored stack is replayed, and the verdict is new."""
    monkeypatch.delenv(CACHE_ENV, raising=False)
    store = ["--cache-dir", str(tmp_path / "store")]
    relaxed = tmp_path / "relaxed.json"
    relaxed.write_text(json.dumps({"s3-bucket-tls-only": "advisory"}), encoding="utf-8")
    _preview(capsys, tmp_path, *store)
    replayed = _preview(capsys, tmp_path, *store, "--policy-pack-config", str(relaxed))
    fresh = _preview(capsys, tmp_path, "--no-cache", "--policy-pack-config", str(relaxed))
    assert replayed[2]["_t"]["source"] == "stored registrations replayed (only the pack changed)"
    assert sorted(replayed[1]) == sorted(fresh[1])
    assert _in_any_order(replayed[2]) == _in_any_order(fresh[2])
    tls = {
        v["enforcement"]
        for v in fresh[2]["policy"]["violations"]
        if v["policy"] == "s3-bucket-tls-only"
    }
    assert tls == {"advisory"}


def _keys(project: Path, pack: Path, pack_config: Path | None = None) -> tuple[str, str]:
    keys = cache_keys(
        project, "bad-fixture", "bad", load_stack_config(project, "bad"), pack, pack_config
    )
    return keys.program, keys.report


def test_the_keys_follow_every_input(tmp_path: Path) -> None:
    """Program sources and stack files move both keys; pack sources and config only the report's."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    pack_root = tmp_path / "repo"
    shutil.copytree(PACK, pack_root / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    (pack_root / "taxonomy.py").write_text("CATEGORIES = ()\n", encoding="utf-8")
    pack = pack_root / "policies"
    base = _keys(project, pack)
    assert _keys(project, pack) == base

    program = project / "__main__.py"
    program.write_text(program.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    edited = _keys(project, pack)
    assert edited[0] != base[0]
    assert edited[1] != base[1]

    stack_file = project / "Pulumi.bad.yaml"
    stack_file.write_text(
        stack_file.read_text(encoding="utf-8") + "  bad-fixture:extra: value\n", encoding="utf-8"
    )
    configured_stack = _keys(project, pack)
    assert configured_stack[0] != edited[0]
    assert configured_stack[1] != edited[1]

    (project / "helpers.py").write_text("X = 1\n", encoding="utf-8")
    added = _keys(project, pack)
    assert added[0] != configured_stack[0]

    rule = pack / "framework.py"
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    pack_edited = _keys(project, pack)
    assert pack_edited[0] == added[0]
    assert pack_edited[1] != added[1]

    (pack_root / "taxonomy.py").write_text("CATEGORIES = (1,)\n", encoding="utf-8")
    shared_edited = _keys(project, pack)
    assert shared_edited[0] == added[0]
    assert shared_edited[1] != pack_edited[1]

    config = tmp_path / "pack-config.json"
    config.write_text("{}", encoding="utf-8")
    configured = _keys(project, pack, config)
    config.write_text('{"all": "advisory"}', encoding="utf-8")
    assert _keys(project, pack, config)[1] != configured[1]
    assert configured[0] == added[0]


def test_the_keys_follow_python_and_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another interpreter or another locked package set is another preview."""
    import sys

    import tools.preview.cache as cache

    base = _keys(FIXTURE, PACK)
    monkeypatch.setattr(sys, "version", "3.11.0 (another build)")
    assert _keys(FIXTURE, PACK)[0] != base[0]
    monkeypatch.undo()
    lock = ROOT / "uv.lock"
    monkeypatch.setattr(cache, "_ROOT", ROOT / "tests" / "fixtures")  # no uv.lock there
    assert not (ROOT / "tests" / "fixtures" / "uv.lock").exists()
    assert lock.exists()
    assert _keys(FIXTURE, PACK)[0] != base[0]
