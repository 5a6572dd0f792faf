"""The offline preview end to end: program under mocks, real pack over gRPC, report, JSON."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="module")
def prod_preview(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, dict[str, Any]]:
    """The prod stack previewed once: exit code, printed report, JSON document."""
    out = tmp_path_factory.mktemp("prod") / "prod.json"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["--stack", "prod", "--json", str(out)])
    return code, buffer.getvalue(), json.loads(out.read_text())


def test_prod_stack_previews_clean(prod_preview: tuple[int, str, dict[str, Any]]) -> None:
    """The prod stack builds under mocks and passes every mandatory policy."""
    code, printed, _ = prod_preview
    assert code == 0, printed
    assert "PASSED: stack prod" in printed


def _function_env(document: dict[str, Any], suffix: str) -> dict[str, str]:
    (function,) = [
        r
        for r in document["resources"]
        if r["type"] == "aws:lambda/function:Function" and r["inputs"]["name"].endswith(suffix)
    ]
    variables: dict[str, str] = function["inputs"]["environment"]["variables"]
    return variables


def test_scratch_clean_up_root_is_where_scratch_volumes_live(
    prod_preview: tuple[int, str, dict[str, Any]],
) -> None:
    """The clean-up's root joined to its mount is the efs-scratch StorageClass's base path."""
    _, _, document = prod_preview
    (storage_class,) = [
        r
        for r in document["resources"]
        if r["type"] == "kubernetes:storage.k8s.io/v1:StorageClass"
        and r["inputs"]["metadata"]["name"] == "efs-scratch"
    ]
    (access_point,) = [
        r
        for r in document["resources"]
        if r["type"] == "aws:efs/accessPoint:AccessPoint" and r["name"].endswith("scratch-ap")
    ]
    env = _function_env(document, "scratch-cleanup")
    roots = json.loads(env["SCRATCH_ROOTS"])
    mounted = access_point["inputs"]["rootDirectory"]["path"]
    assert [f"{mounted}/{root}" for root in roots] == [
        storage_class["inputs"]["parameters"]["basePath"]
    ]


def test_scratch_clean_up_never_removes_a_volume_root(
    prod_preview: tuple[int, str, dict[str, Any]],
) -> None:
    """The clean-up protects exactly as many levels below its root as the efs-scratch
    StorageClass's subPathPattern creates, so no live volume's root directory is removed."""
    _, _, document = prod_preview
    (storage_class,) = [
        r
        for r in document["resources"]
        if r["type"] == "kubernetes:storage.k8s.io/v1:StorageClass"
        and r["inputs"]["metadata"]["name"] == "efs-scratch"
    ]
    pattern = storage_class["inputs"]["parameters"]["subPathPattern"]
    env = _function_env(document, "scratch-cleanup")
    assert int(env["VOLUME_ROOT_DEPTH"]) == len(pattern.split("/")) == 2


def test_every_function_sets_a_metrics_namespace(
    prod_preview: tuple[int, str, dict[str, Any]],
) -> None:
    """Powertools cannot flush metrics without a namespace; every deployed function has one."""
    _, _, document = prod_preview
    functions = [r for r in document["resources"] if r["type"] == "aws:lambda/function:Function"]
    assert len(functions) >= 7
    for function in functions:
        variables = function["inputs"]["environment"]["variables"]
        assert variables["POWERTOOLS_METRICS_NAMESPACE"].startswith("GenomicsPlatform/")


def test_dev_stack_previews_clean(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The dev stack builds under mocks and passes every mandatory policy."""
    code = main(["--stack", "dev", "--json", str(tmp_path / "dev.json")])
    assert code == 0, capsys.readouterr().out
