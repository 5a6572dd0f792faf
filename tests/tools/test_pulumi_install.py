"""`pulumi install` / `pulumi up` on a fresh clone find the program's and the pack's packages.

With the uv toolchain, Pulumi's Python language host runs `uv sync` with
`UV_PROJECT_ENVIRONMENT` set to the `virtualenv` option (sdk/python/toolchain/uv.go); uv
finds the nearest `pyproject.toml` with a `[project]` section and its `uv.lock`. The pip
toolchain would instead look for a requirements.txt, which this project does not have.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "pulumi.yml"
MIN_UV = (0, 4, 26)
"""`minUvVersion` in Pulumi's uv toolchain."""


def _runtime(path: Path) -> dict[str, Any]:
    runtime: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))["runtime"]
    return runtime


def _environment(project_file: Path) -> Path:
    options = _runtime(project_file)["options"]
    assert options["toolchain"] == "uv", f"{project_file.name} must use the uv toolchain"
    return (project_file.parent / str(options["virtualenv"])).resolve()


def test_program_and_pack_install_into_the_one_locked_environment() -> None:
    """Both files name the uv toolchain and the same `.venv`, the one `make setup` builds."""
    program = _environment(ROOT / "Pulumi.yaml")
    pack = _environment(ROOT / "policies" / "PulumiPolicy.yaml")
    assert program == pack == (ROOT / ".venv").resolve()


def test_uv_finds_a_project_and_its_lock_from_both_directories() -> None:
    """`uv sync` from the root or from policies/ reaches pyproject's [project] and uv.lock."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "dependencies" in pyproject["project"]
    lock = (ROOT / "uv.lock").read_text(encoding="utf-8")
    for package in ("pulumi", "pulumi-aws", "pulumi-policy"):
        assert f'name = "{package}"' in lock
    assert not (ROOT / "policies" / "pyproject.toml").exists(), "would shadow the root project"


def test_the_pinned_uv_is_new_enough_for_pulumi() -> None:
    """Pulumi refuses uv older than 0.4.26; the Makefile pins the uv that setup installs."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^UV_VERSION := (\d+)\.(\d+)\.(\d+)$", makefile, re.MULTILINE)
    assert match is not None
    assert tuple(int(part) for part in match.groups()) >= MIN_UV


def _steps(job: dict[str, Any]) -> list[str]:
    return [str(step.get("uses") or step.get("run")) for step in job["steps"]]


def test_every_job_that_sets_up_has_node_first_and_uv_on_path_for_pulumi() -> None:
    """`make setup` runs `npm ci`, so Node.js is set up before it; a job that runs the
    Pulumi CLI puts setup's uv on PATH, which the uv toolchain calls."""
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    for name, job in jobs.items():
        steps = _steps(job)
        first_make = next(i for i, step in enumerate(steps) if step.startswith("make "))
        node = [i for i, step in enumerate(steps) if step.startswith("actions/setup-node")]
        assert node, f"{name}: Node.js is never set up"
        assert node[0] < first_make, f"{name}: Node.js is set up after `make`"
        pulumi = [i for i, step in enumerate(steps) if step.startswith("pulumi/actions")]
        if pulumi:
            path = [i for i, step in enumerate(steps) if ".tools/bin" in step]
            assert path, f"{name}: uv is not put on PATH for Pulumi"
            assert path[0] < pulumi[0], f"{name}: uv is put on PATH after Pulumi runs"
