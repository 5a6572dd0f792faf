"""Read a stack's config the way the Pulumi CLI does: project defaults, then the stack file.

Values reach the program as strings; lists and objects as JSON text, exactly as the CLI sets
PULUMI_CONFIG for a Python program.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ProjectFile", "StackConfigError", "load_project", "load_stack_config"]


class StackConfigError(ValueError):
    """The project or stack file is missing or malformed."""


@dataclass(frozen=True, slots=True)
class ProjectFile:
    """What the preview needs from Pulumi.yaml."""

    name: str
    config_schema: dict[str, Any]
    """Key → declaration (type, default, description) or a plain project-wide value."""


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise StackConfigError(f"{path} does not exist")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise StackConfigError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise StackConfigError(f"{path} must hold a mapping")
    return data


def load_project(project_dir: Path) -> ProjectFile:
    """Pulumi.yaml's project name and `config:` declarations."""
    data = _read_yaml(project_dir / "Pulumi.yaml")
    schema = data.get("config") or {}
    return ProjectFile(name=str(data["name"]), config_schema=dict(schema))


def _as_config_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _qualified(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def load_stack_config(project_dir: Path, stack: str) -> dict[str, str]:
    """`namespace:key` → text for `stack`: declared defaults overlaid with the stack's values."""
    project = load_project(project_dir)
    config: dict[str, str] = {}
    for key, declaration in project.config_schema.items():
        if isinstance(declaration, dict) and "default" in declaration:
            config[_qualified(key, project.name)] = _as_config_text(declaration["default"])
        elif not isinstance(declaration, dict):
            config[_qualified(key, project.name)] = _as_config_text(declaration)
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        stacks = sorted(
            p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml")
        )
        raise StackConfigError(f"no stack {stack!r}; stacks here: {', '.join(stacks)}")
    for key, value in (_read_yaml(stack_file).get("config") or {}).items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            raise StackConfigError(
                f"{key} is an encrypted secret; offline preview cannot decrypt it. Keep secrets "
                "out of the stacks previewed offline or give a placeholder in a preview stack."
            )
        config[_qualified(str(key), project.name)] = _as_config_text(value)
    return config
