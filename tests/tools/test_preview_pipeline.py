"""The offline preview end to end: program under mocks, real pack over gRPC, report, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.preview.__main__ import main
from tools.preview.run import preview
from tools.preview.stack_config import load_stack_config

pytestmark = pytest.mark.policy

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bad_program"
PACK = Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture(scope="module")
def bad_result():
    """The bad fixture program previewed once through the real pack."""
    config = load_stack_config(FIXTURE, "bad")
    return preview(FIXTURE, "bad-fixture", "bad", config, PACK)


def _mandatory(result) -> set[tuple[str, str]]:
    return {(v.policy, v.urn.rsplit("::", 1)[-1]) for v in result.mandatory}


def test_bad_program_breaks_each_headline_rule(bad_result) -> None:
    """Each deliberately broken resource yields its mandatory violation through gRPC."""
    assert {
        ("s3-bucket-tls-only", "raw"),
        ("aws-resource-required-tags", "raw"),
        ("aws-resource-required-tags", "researcher"),
        ("iam-s3-read-requires-object-tag", "researcher-read"),
    } <= _mandatory(bad_result)


def test_every_registration_reaches_the_pack(bad_result) -> None:
    """The provider, bucket, role and role policy were all recorded with their provider."""
    by_name = {r.name: r for r in bad_result.resources}
    assert set(by_name) == {"untagged", "raw", "researcher", "researcher-read"}
    assert by_name["raw"].provider.startswith(by_name["untagged"].urn)


def test_role_policy_depends_on_its_role(bad_result) -> None:
    """Property dependencies are recorded, so stack rules can join by reference."""
    by_name = {r.name: r for r in bad_result.resources}
    assert by_name["researcher-read"].property_dependencies["role"] == (by_name["researcher"].urn,)


def test_cli_exits_1_and_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A mandatory violation exits 1; the JSON holds resources and violations as analyzed."""
    out = tmp_path / "preview.json"
    code = main(["--stack", "bad", "--project-dir", str(FIXTURE), "--json", str(out)])
    printed = capsys.readouterr().out
    assert code == 1
    assert "FAILED: stack bad" in printed
    assert "MANDATORY" in printed
    document = json.loads(out.read_text())
    assert {"stack", "project", "resources", "policy"} <= set(document)
    raw = next(r for r in document["resources"] if r["name"] == "raw")
    assert raw["inputs"]["bucket"] == "bad-prod-raw-sequence-ap-south-1"
    assert set(raw) >= {"urn", "type", "name", "parent", "provider", "dependencies", "inputs"}
    violation = document["policy"]["violations"][0]
    assert set(violation) == {"policy", "enforcement", "severity", "urn", "message"}


def test_prod_stack_previews_clean(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The prod stack builds under mocks and passes every mandatory policy."""
    code = main(["--stack", "prod", "--json", str(tmp_path / "prod.json")])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "PASSED: stack prod" in printed


def test_dev_stack_previews_clean(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The dev stack builds under mocks and passes every mandatory policy."""
    code = main(["--stack", "dev", "--json", str(tmp_path / "dev.json")])
    assert code == 0, capsys.readouterr().out
