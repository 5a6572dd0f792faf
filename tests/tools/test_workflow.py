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
    assert [e["stack"] for e in preview["strategy"]["matrix"]["include"]] == ["dev", "prod"]


def test_main_deploys_dev_first() -> None:
    """Pushes to main run `pulumi up` on the dev stack in the deploy-dev job."""
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    (step,) = _steps_using(jobs["deploy-dev"], "pulumi/actions")
    assert step["with"]["command"] == "up"
    assert str(step["with"]["stack-name"]).endswith("/dev")


# ---- runners agree with the stacks' settings ----

ROOT = WORKFLOW.parents[2]
_MATRIX_RUNNER = "${{ matrix.runner }}"


def _jobs() -> dict[str, Any]:
    jobs: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    return jobs


def _stack_jobs(jobs: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(job, stack, runs-on labels) for every job step that runs Pulumi against a stack,
    with matrix values substituted the way GitHub expands them."""
    found: list[tuple[str, str, list[str]]] = []
    for name, job in jobs.items():
        steps = _steps_using(job, "pulumi/actions")
        if not steps:
            continue
        runs_on = job["runs-on"]
        labels = [runs_on] if isinstance(runs_on, str) else list(runs_on)
        stack_name = str(steps[0]["with"]["stack-name"])
        matrix = job.get("strategy", {}).get("matrix", {})
        for entry in matrix.get("include", [{}]):
            stack = stack_name.rsplit("/", 1)[-1].replace(
                "${{ matrix.stack }}", entry.get("stack", "")
            )
            resolved = [entry["runner"] if label == _MATRIX_RUNNER else label for label in labels]
            found.append((name, stack, resolved))
    return found


def _settings(stack: str) -> Any:
    from settings import settings_from_config
    from tools.preview.stack_config import load_stack_config

    return settings_from_config(load_stack_config(ROOT, stack))


def test_every_job_that_reaches_a_stack_runs_on_that_stacks_runner() -> None:
    """A job running Pulumi for a stack runs on the runner its genomics:deployRunner names: a
    self-hosted runner in the VPC while the endpoint is private."""
    found = _stack_jobs(_jobs())
    assert {stack for _, stack, _ in found} == {"dev", "prod"}
    for job, stack, labels in found:
        settings = _settings(stack)
        if settings.deploy_runner_label == "github-hosted":
            assert settings.eks_public_access_cidrs, (job, stack)
        else:
            assert labels == ["self-hosted", settings.deploy_runner_label], (job, stack)


def test_runner_check_fails_for_a_github_hosted_deploy_job() -> None:
    """The agreement check is not vacuous: prod on ubuntu-latest disagrees with its settings."""
    jobs = _jobs()
    jobs["deploy-prod"]["runs-on"] = "ubuntu-latest"
    (_, _, labels) = next(f for f in _stack_jobs(jobs) if f[0] == "deploy-prod")
    assert labels != ["self-hosted", _settings("prod").deploy_runner_label]


def test_prod_deploys_after_dev_behind_the_prod_environment() -> None:
    """Pushes to main run `pulumi up` on prod only after dev, in the `prod` environment (whose
    required reviewers gate the job), never on pull requests."""
    job = _jobs()["deploy-prod"]
    (step,) = _steps_using(job, "pulumi/actions")
    assert step["with"]["command"] == "up"
    assert str(step["with"]["stack-name"]).endswith("/prod")
    assert job["environment"] == "prod"
    assert job["needs"] == "deploy-dev"
    assert "github.event_name == 'push'" in job["if"]
    assert "refs/heads/main" in job["if"]


def test_fork_pull_requests_never_reach_the_in_vpc_runners() -> None:
    """The preview job on self-hosted runners only runs for branches of this repository."""
    condition = " ".join(str(_jobs()["preview"]["if"]).split())
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition


def test_pull_requests_keep_the_access_report_of_each_stack() -> None:
    """The PR job runs `make access` for its stack and uploads build/access-<stack>.json."""
    preview = yaml.safe_load(WORKFLOW.read_text())["jobs"]["preview"]
    runs = [str(s.get("run", "")) for s in preview["steps"]]
    assert "make access STACK=${{ matrix.stack }}" in runs
    (upload,) = _steps_using(preview, "actions/upload-artifact")
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "build/access-${{ matrix.stack }}.json"
