"""Stack files read as the Pulumi CLI reads them: its YAML dialect and its type checks.

`tests/fixtures/yaml_v3/expected.json` was produced by the real gopkg.in/yaml.v3 (3.0.1, the
version Pulumi's go.mod pins; Debian's golang-gopkg-yaml.v3-dev) with `decode.go` beside it,
over `inputs.txt`; the loader must give the same text for every scalar.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.preview.pulumi_yaml import YamlError, config_value, load_yaml
from tools.preview.stack_config import StackConfigError, load_stack_config

ROOT = Path(__file__).resolve().parents[2]
YAML_V3 = json.loads((ROOT / "tests/fixtures/yaml_v3/expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", YAML_V3, ids=[case["input"] for case in YAML_V3])
def test_scalars_read_as_yaml_v3_reads_them(case: dict[str, Any]) -> None:
    """Each scalar becomes the text (and object flag) the CLI would hand the program."""
    if case.get("error"):
        with pytest.raises(YamlError):
            config_value(load_yaml(f"key: {case['input']}")["key"])
        return
    value = config_value(load_yaml(f"key: {case['input']}")["key"])
    assert (value.text, value.is_object) == (case.get("text", ""), case.get("object", False))


def test_times_of_day_are_strings_unlike_yaml_1_1() -> None:
    """PyYAML's YAML 1.1 reads `20:00` as the sexagesimal 1200; the CLI reads "20:00"."""
    assert yaml.safe_load("t: 20:00")["t"] == 1200
    assert load_yaml("t: 20:00")["t"] == "20:00"


def _project(tmp_path: Path, stack_body: str) -> Path:
    """A copy of the project's Pulumi.yaml with a `test` stack holding `stack_body`."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    body = textwrap.indent(textwrap.dedent(stack_body).strip("\n"), "  ")
    lines = ["config:", "  genomics:environment: dev", *body.splitlines()]
    (tmp_path / "Pulumi.test.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def _refusal(tmp_path: Path, stack_body: str) -> str:
    with pytest.raises(StackConfigError) as raised:
        load_stack_config(_project(tmp_path, stack_body), "test")
    return str(raised.value)


def test_a_json_string_for_an_array_key_is_refused_with_a_path_hint(tmp_path: Path) -> None:
    """`pulumi config set key '["..."]'` stores a string; the CLI refuses it for an array."""
    message = _refusal(tmp_path, """  genomics:eksPublicAccessCidrs: '["203.0.113.0/24"]'""")
    assert "'eksPublicAccessCidrs' must be of type 'array<string>'" in message
    assert "pulumi config set --path 'genomics:eksPublicAccessCidrs[0]' <value>" in message


def test_a_yaml_list_for_an_array_key_reaches_the_program_as_json(tmp_path: Path) -> None:
    """The same value written as a YAML list is what the CLI accepts."""
    config = load_stack_config(
        _project(tmp_path, "  genomics:eksPublicAccessCidrs:\n    - 203.0.113.0/24"), "test"
    )
    assert config["genomics:eksPublicAccessCidrs"] == '["203.0.113.0/24"]'


@pytest.mark.parametrize(
    ("line", "accepted"),
    [
        ("genomics:availabilityZoneCount: 3", True),
        ('genomics:availabilityZoneCount: "3"', True),
        ("genomics:availabilityZoneCount: 3.0", True),
        ("genomics:availabilityZoneCount: three", False),
        ("genomics:availabilityZoneCount: 2.5", False),
        ("genomics:natGatewayPerAz: true", True),
        ('genomics:natGatewayPerAz: "false"', True),
        ("genomics:natGatewayPerAz: yes", False),
        ("genomics:natGatewayPerAz: 1", False),
        ("genomics:vpcCidr: [10.0.0.0/16]", False),
        ("genomics:eksVersion: 1.33", True),
    ],
)
def test_declared_types_are_checked_as_the_cli_checks_them(
    tmp_path: Path, line: str, accepted: bool
) -> None:
    """Integers accept whole numbers and integer text, booleans only true/false, a string
    any scalar (the CLI checks the text), never a list."""
    project = _project(tmp_path, f"  {line}")
    if accepted:
        load_stack_config(project, "test")
    else:
        with pytest.raises(StackConfigError, match="must be of type"):
            load_stack_config(project, "test")


def test_every_refusal_is_reported_together(tmp_path: Path) -> None:
    """Two wrong keys give two lines, not one fix at a time."""
    message = _refusal(
        tmp_path, "  genomics:natGatewayPerAz: yes\n  genomics:availabilityZoneCount: x"
    )
    assert "'natGatewayPerAz' must be of type 'boolean'" in message
    assert "'availabilityZoneCount' must be of type 'integer'" in message


def test_a_required_key_left_out_is_refused(tmp_path: Path) -> None:
    """`environment` has no default, so the CLI asks every stack to set it."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "Pulumi.test.yaml").write_text("config: {}\n", encoding="utf-8")
    with pytest.raises(StackConfigError, match="missing configuration value 'environment'"):
        load_stack_config(tmp_path, "test")


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_the_projects_stacks_pass_the_cli_checks(stack: str) -> None:
    """The committed stack files hold nothing the CLI would refuse."""
    assert load_stack_config(ROOT, stack)["genomics:environment"] == stack
