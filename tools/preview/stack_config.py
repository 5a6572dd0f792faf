"""Read a stack's config the way the Pulumi CLI does: project defaults, then the stack file.

Both files are parsed with the CLI's YAML rules (`tools.preview.pulumi_yaml`), stack values
are checked against the types `Pulumi.yaml` declares as the CLI checks them before it starts
the program, and values reach the program as strings; lists and objects as JSON text, exactly
as the CLI sets PULUMI_CONFIG for a Python program.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.preview.pulumi_yaml import (
    ConfigValue,
    YamlError,
    config_value,
    full_type_name,
    load_yaml,
    matches_declared_type,
)

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
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except YamlError as error:
        raise StackConfigError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise StackConfigError(f"{path} must hold a mapping")
    return data


def load_project(project_dir: Path) -> ProjectFile:
    """Pulumi.yaml's project name and `config:` declarations."""
    data = _read_yaml(project_dir / "Pulumi.yaml")
    schema = data.get("config") or {}
    return ProjectFile(name=str(data["name"]), config_schema=dict(schema))


def _qualified(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _type_fix(key: str, declaration: dict[str, Any], stack: str) -> str:
    """The remedy that works with the CLI for a value of the wrong type."""
    if declaration.get("type") == "array":
        return (
            f"write it as a YAML list in Pulumi.{stack}.yaml, or set it item by item: "
            f"pulumi config set --path '{key}[0]' <value>"
        )
    return f"pulumi config set {key} <{declaration.get('type')}>"


def _problems(project: ProjectFile, stack: str, values: dict[str, ConfigValue]) -> list[str]:
    """What the CLI refuses before it runs the program: required keys without a value,
    plaintext values of secret keys, and values of the wrong declared type."""
    problems = []
    for key, declaration in sorted(project.config_schema.items()):
        if not isinstance(declaration, dict):
            continue
        qualified = _qualified(key, project.name)
        value = values.get(qualified)
        if value is None:
            if "default" not in declaration and "value" not in declaration:
                problems.append(
                    f"Stack '{stack}' is missing configuration value '{key}' "
                    f"(fix: pulumi config set {qualified} <value>)"
                )
            continue
        if declaration.get("secret") and not value.secure:
            problems.append(
                f"Stack '{stack}' with configuration key '{key}' must be encrypted as it's "
                f"secret (fix: pulumi config set --secret {qualified} <value>)"
            )
        elif (
            "type" in declaration
            and not value.secure
            and not matches_declared_type(declaration, value)
        ):
            problems.append(
                f"Stack '{stack}' with configuration key '{key}' must be of type "
                f"'{full_type_name(declaration)}' (found {value.text!r}; fix: "
                f"{_type_fix(qualified, declaration, stack)})"
            )
    return problems


def load_stack_config(project_dir: Path, stack: str) -> dict[str, str]:
    """`namespace:key` → text for `stack`: declared defaults overlaid with the stack's values.

    Raises StackConfigError listing everything the CLI would refuse in the stack file.
    """
    project = load_project(project_dir)
    config: dict[str, str] = {}
    for key, declaration in project.config_schema.items():
        if isinstance(declaration, dict) and "default" in declaration:
            config[_qualified(key, project.name)] = config_value(declaration["default"]).text
        elif isinstance(declaration, dict) and "value" in declaration:
            config[_qualified(key, project.name)] = config_value(declaration["value"]).text
        elif not isinstance(declaration, dict):
            config[_qualified(key, project.name)] = config_value(declaration).text
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        stacks = sorted(
            p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml")
        )
        raise StackConfigError(f"no stack {stack!r}; stacks here: {', '.join(stacks)}")
    values = {
        _qualified(str(key), project.name): config_value(value)
        for key, value in (_read_yaml(stack_file).get("config") or {}).items()
    }
    problems = _problems(project, stack, values)
    if problems:
        raise StackConfigError("\n".join([f"{stack_file.name}:", *(f"  - {p}" for p in problems)]))
    for key, value in values.items():
        if value.secure:
            raise StackConfigError(
                f"{key} is an encrypted secret; offline preview cannot decrypt it. Keep secrets "
                "out of the stacks previewed offline or give a placeholder in a preview stack."
            )
        config[key] = value.text
    return config
