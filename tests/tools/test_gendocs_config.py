"""Generated config docs: Pulumi.yaml's `config:` block and docs/configuration.md.

Both are rendered from the settings model; these tests fail when a committed file drifts from
the model (run `make docs`), and check the block against the rules the Pulumi CLI enforces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from settings import NodeGroupSettings, ResearchGroupSettings, StackSettings, load_settings
from settings.loader import CONFIG_NAMESPACE
from tools.gendocs import render_configuration_md, render_pulumi_yaml_config
from tools.preview.pulumi_yaml import config_value

ROOT = Path(__file__).resolve().parents[2]
PULUMI_TYPES = {"string", "integer", "boolean", "array"}
DECLARATION_KEYS = {"type", "items", "description", "default", "secret"}
STRUCTURED = {"nodeGroups", "researchGroups"}
SECRET = {"storageGatewayActivationKey"}
"""Optional secrets: declared `secret: true` with a plain default, the CLI refuses every stack."""


def _project() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
    return data


def _declared() -> dict[str, dict[str, Any]]:
    config: dict[str, dict[str, Any]] = _project()["config"]
    return config


def _matches(value: object, declaration: dict[str, Any]) -> bool:
    """Whether a YAML value has the declared Pulumi type (bool is not an integer)."""
    kind = declaration["type"]
    if kind == "array":
        return isinstance(value, list) and all(_matches(v, declaration["items"]) for v in value)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, {"string": str, "boolean": bool}[kind])


def _all_keys() -> set[str]:
    return {info.alias or name for name, info in StackSettings.model_fields.items()}


def test_pulumi_yaml_config_block_matches_the_model() -> None:
    """The committed `config:` block is what the model renders; run `make docs` on a diff."""
    assert _declared() == render_pulumi_yaml_config()


def test_pulumi_yaml_keeps_project_name_and_runtime() -> None:
    """Unprefixed keys are namespaced by the project name, which must be the config namespace."""
    project = _project()
    assert project["name"] == CONFIG_NAMESPACE
    assert project["runtime"]["name"] == "python"


def test_every_simple_key_is_declared() -> None:
    """Every key but the structured ones and the secrets is declared, so the CLI
    type-checks it."""
    assert set(render_pulumi_yaml_config()) == _all_keys() - STRUCTURED - SECRET


def test_structured_keys_are_not_declared() -> None:
    """Lists of objects cannot be declared in Pulumi's project schema and are left out."""
    assert not STRUCTURED & set(render_pulumi_yaml_config())


@pytest.mark.parametrize("key", sorted(render_pulumi_yaml_config()))
def test_declaration_follows_pulumi_rules(key: str) -> None:
    """Type is string/integer/boolean/array, arrays have typed items, a description exists."""
    declaration = render_pulumi_yaml_config()[key]
    assert set(declaration) <= DECLARATION_KEYS
    assert declaration["type"] in PULUMI_TYPES
    assert declaration["description"].strip()
    if declaration["type"] == "array":
        assert declaration["items"]["type"] in PULUMI_TYPES
    else:
        assert "items" not in declaration
    if "default" in declaration:
        assert _matches(declaration["default"], declaration)


def test_keys_without_a_model_default_have_no_declared_default() -> None:
    """Required keys have no default in Pulumi.yaml, so the CLI asks every stack for them."""
    declared = render_pulumi_yaml_config()
    assert "default" not in declared["environment"]
    assert declared["opsDryRun"]["default"] is True


def test_declared_defaults_parse_back_to_the_model_defaults() -> None:
    """The CLI passes every declared default to the program; they must load as the defaults."""
    raw = {
        key: config_value(declaration["default"]).text
        for key, declaration in render_pulumi_yaml_config().items()
        if "default" in declaration
    }
    prod = {"environment": "prod", "alertEmails": '["oncall@example.org"]'}
    from_defaults = load_settings({**raw, **prod})
    assert from_defaults == load_settings(prod)


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_stack_values_have_the_declared_types(stack: str) -> None:
    """The CLI refuses a stack value whose YAML type differs from the declaration."""
    declared = _declared()
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    wrong = {
        key: value
        for key, value in config.items()
        if key.startswith(f"{CONFIG_NAMESPACE}:")
        and key.split(":", 1)[1] in declared
        and not _matches(value, declared[key.split(":", 1)[1]])
    }
    assert wrong == {}


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_stack_sets_every_key_without_default(stack: str) -> None:
    """The CLI refuses a stack that lacks a declared key without a default."""
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    required = {key for key, entry in _declared().items() if "default" not in entry}
    assert {f"{CONFIG_NAMESPACE}:{key}" for key in required} <= set(config)


def test_configuration_md_matches_the_model() -> None:
    """The committed reference is what the model renders; run `make docs` on a diff."""
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == render_configuration_md()


def test_configuration_md_documents_every_key() -> None:
    """Every key, structured ones included, has a row in the reference."""
    text = render_configuration_md()
    assert all(f"| `{key}` |" in text for key in _all_keys())


@pytest.mark.parametrize("key", sorted(STRUCTURED))
def test_configuration_md_documents_structured_fields(key: str) -> None:
    """Each structured key's object fields are listed with their config names."""
    models: dict[str, type[BaseModel]] = {
        "nodeGroups": NodeGroupSettings,
        "researchGroups": ResearchGroupSettings,
    }
    model = models[key]
    text = render_configuration_md()
    section = text.split(f"### `{key}`", 1)[1].split("\n### ", 1)[0]
    for name, info in model.model_fields.items():
        assert f"| `{info.alias or name}` |" in section


def test_configuration_md_explains_how_to_set_keys() -> None:
    """The reference shows `pulumi config set`, and `--path` for list items and nested fields."""
    text = render_configuration_md()
    assert f"pulumi config set {CONFIG_NAMESPACE}:" in text
    assert f"pulumi config set --path '{CONFIG_NAMESPACE}:nodeGroups[1].name'" in text
