"""The GitHub Actions workflow is valid and previews every pull request with the pack."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "pulumi.yml"
CHECK = str(Path(sys.executable).with_name("check-jsonschema"))


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHECK, "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_workflow_matches_the_github_schema() -> None:
    """check-jsonschema's vendored GitHub workflow schema accepts the file."""
    result = _validate(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    """The same check fails on a workflow with a job missing `runs-on`, so it can fail."""
    broken = tmp_path / "broken.yml"
    shutil.copy(WORKFLOW, broken)
    document = yaml.safe_load(broken.read_text())
    del document["jobs"]["checks"]["runs-on"]
    broken.write_text(yaml.safe_dump(document))
    assert _validate(broken).returncode != 0


def _steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    steps = job["steps"]
    assert isinstance(steps, list)
    return [s for s in steps if str(s.get("uses", "")).startswith(action)]


def test_pull_requests_preview_each_stack_with_the_policy_pack() -> None:
    """The PR job runs `pulumi preview` for dev and prod with `policyPacks: policies`."""
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    preview = jobs["preview"]
    (step,) = _steps_using(preview, "pulumi/actions")
    assert step["with"]["command"] == "preview"
    assert step["with"]["policyPacks"] == "policies"
    assert preview["strategy"]["matrix"]["stack"] == ["dev", "prod"]


def test_main_deploys_dev_only() -> None:
    """Pushes to main run `pulumi up` on the dev stack, never prod."""
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    (step,) = _steps_using(jobs["deploy-dev"], "pulumi/actions")
    assert step["with"]["command"] == "up"
    assert str(step["with"]["stack-name"]).endswith("/dev")


def test_pull_requests_keep_the_access_report_of_each_stack() -> None:
    """The PR job runs `make access` for its stack and uploads build/access-<stack>.json."""
    preview = yaml.safe_load(WORKFLOW.read_text())["jobs"]["preview"]
    runs = [str(s.get("run", "")) for s in preview["steps"]]
    assert "make access STACK=${{ matrix.stack }}" in runs
    (upload,) = _steps_using(preview, "actions/upload-artifact")
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "build/access-${{ matrix.stack }}.json"
