"""docs/onboarding.md's commands, applied to the prod stack, give the project what it promises.

The `pulumi config set --path` lines of the page's `onboarding` block are applied the way the
CLI applies a path to the stack file (`name[index].field`, appending at the end of a list),
then the stack is rendered under mocks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tools.preview.program import ProgramRun, run_program
from tools.preview.pulumi_yaml import config_value, load_yaml
from tools.preview.stack_config import load_stack_config

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "onboarding.md"
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")


def _commands() -> list[tuple[str, str]]:
    block = re.search(r"```bash onboarding\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert block is not None, "docs/onboarding.md lost its onboarding block"
    found = []
    for line in block.group(1).splitlines():
        match = re.fullmatch(r"pulumi config set --path '([^']+)' (\S+) --stack prod", line)
        assert match is not None, f"not a --path set for prod: {line}"
        found.append((match.group(1), match.group(2)))
    return found


def _set_path(config: dict[str, Any], path: str, value: str) -> None:
    """`pulumi config set --path`: walk `name[i].field`, creating lists and maps as needed."""
    match = re.fullmatch(r"([\w-]+:\w+)((?:\.\w+|\[\d+\])*)", path)
    assert match is not None, f"not a config path: {path}"
    key, rest = match.groups()
    steps: list[str | int] = [int(index) if index else name for name, index in _STEP.findall(rest)]
    if not steps:
        config[key] = value
        return
    node: Any = config.setdefault(key, [] if isinstance(steps[0], int) else {})
    for step, following in zip(steps, [*steps[1:], None], strict=True):
        if following is None:
            _put(node, step, value)
            return
        if isinstance(node, list) and step == len(node):
            node.append([] if isinstance(following, int) else {})
        elif isinstance(node, dict) and step not in node:
            node[step] = [] if isinstance(following, int) else {}
        node = node[step]


def _put(node: Any, step: str | int, value: str) -> None:
    if isinstance(node, list) and step == len(node):
        node.append(value)
    else:
        node[step] = value


@pytest.fixture(scope="module")
def onboarded() -> ProgramRun:
    """Prod after the page's commands."""
    stack_file = load_yaml((ROOT / "Pulumi.prod.yaml").read_text(encoding="utf-8"))["config"]
    for path, value in _commands():
        _set_path(stack_file, path, value)
    config = load_stack_config(ROOT, "prod")
    config.update({key: config_value(value).text for key, value in stack_file.items()})
    return run_program(ROOT, "genomics", "prod", config)


def _named(run: ProgramRun, type_token: str, name: str) -> list[Any]:
    return [r for r in run.resources if r.type == type_token and name in r.name]


def test_the_commands_append_the_project_and_its_group() -> None:
    """The page's paths land where the settings expect them."""
    stack_file = load_yaml((ROOT / "Pulumi.prod.yaml").read_text(encoding="utf-8"))["config"]
    for path, value in _commands():
        _set_path(stack_file, path, value)
    assert stack_file["genomics:projects"][-1] == "new-cohort"
    assert stack_file["genomics:researchGroups"][-1] == {
        "name": "new-cohort-lab",
        "projects": ["new-cohort"],
        "classifications": ["internal", "confidential"],
    }


def test_the_project_gets_its_workspace(onboarded: ProgramRun) -> None:
    """Namespace, quota, limits, service account and the 100 GiB claim."""
    for type_token in (
        "kubernetes:core/v1:Namespace",
        "kubernetes:core/v1:ResourceQuota",
        "kubernetes:core/v1:PersistentVolumeClaim",
    ):
        assert _named(onboarded, type_token, "new-cohort"), type_token
    (claim,) = _named(onboarded, "kubernetes:core/v1:PersistentVolumeClaim", "new-cohort")
    assert claim.inputs["spec"]["resources"]["requests"]["storage"] == "100Gi"


def test_the_group_gets_a_role_that_reads_only_its_project(onboarded: ProgramRun) -> None:
    """The group's role exists and its policy pins the session tag to the new project."""
    (policy,) = _named(onboarded, "aws:iam/rolePolicy:RolePolicy", "new-cohort-lab")
    document = policy.inputs["policy"]
    text = document if isinstance(document, str) else json.dumps(document)
    assert "new-cohort" in text
    for other in ("tb-genomics", "rare-disease", "cancer-cohort"):
        assert other not in text
    assert _named(onboarded, "aws:iam/role:Role", "new-cohort-lab")


def test_the_project_is_catalogued(onboarded: ProgramRun) -> None:
    """DataZone gets a project for it."""
    assert _named(onboarded, "aws:datazone/project:Project", "new-cohort")
