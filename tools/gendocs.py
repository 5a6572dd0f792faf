"""`make docs`: write every generated document, so code stays their only source.

Tests render the same functions and compare them with the committed files, so a change to the
settings model (or any other source) that is not regenerated fails CI instead of drifting.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any, Final, Literal

import annotated_types
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from policies.framework import ResourceRule, StackRule
from policies.registry import all_rules
from settings import CONFIG_NAMESPACE, StackSettings
from settings.errors import list_items
from settings.loader import is_secret_field
from tools import cost, runbook
from tools.outputs_doc import OUTPUTS_MD, render_outputs_md
from tools.rendered import render_stacks

__all__ = [
    "CONFIGURATION_MD",
    "POLICIES_MD",
    "PULUMI_YAML",
    "main",
    "render_configuration_md",
    "render_policies_md",
    "render_pulumi_yaml_config",
    "write_pulumi_yaml",
]

ROOT: Final = Path(__file__).resolve().parents[1]
CONFIGURATION_MD: Final = ROOT / "docs" / "configuration.md"
PULUMI_YAML: Final = ROOT / "Pulumi.yaml"
POLICIES_MD: Final = ROOT / "docs" / "policies.md"

_CONFIG_BLOCK_NOTE: Final = (
    "# The config block is generated from settings/model.py by `make docs`; edit the model, not\n"
    "# this block. Structured keys (nodeGroups, researchGroups) are documented in\n"
    "# docs/configuration.md: Pulumi's project config schema cannot declare objects.\n"
)


# ---- reading the model ----


def _config_key(name: str, info: FieldInfo) -> str:
    return info.alias or name


def _unwrap_optional(annotation: Any) -> Any:
    """`bool | None` → `bool`: None only means "decided by the environment"."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(inner) == 1:
            return inner[0]
    return annotation


def _structured_model(annotation: Any) -> type[BaseModel] | None:
    """The object type of a `tuple[Model, ...]` field, which Pulumi's schema cannot declare."""
    if typing.get_origin(annotation) is tuple:
        item = typing.get_args(annotation)[0]
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _scalar_type(annotation: Any) -> str | None:
    """Pulumi's name for a scalar annotation; None when Pulumi has no such type."""
    annotation = _unwrap_optional(annotation)
    if typing.get_origin(annotation) is Literal:
        kinds = {type(value) for value in typing.get_args(annotation)}
        annotation = kinds.pop() if len(kinds) == 1 else None
    if annotation is bool:
        return "boolean"
    if annotation is int:
        return "integer"
    if annotation is str:
        return "string"
    return None


def _pulumi_type(annotation: Any) -> dict[str, Any] | None:
    """The `type` (and `items`) Pulumi declares for a field; None for structured fields."""
    if typing.get_origin(annotation) is tuple:
        item_type = _scalar_type(typing.get_args(annotation)[0])
        return None if item_type is None else {"type": "array", "items": {"type": item_type}}
    scalar = _scalar_type(annotation)
    return None if scalar is None else {"type": scalar}


def _plain(value: Any) -> Any:
    """A default as YAML/JSON data: tuples become lists, models their config-key mapping."""
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True, mode="json")
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _groups(model: type[BaseModel]) -> dict[str, list[str]]:
    """Field names grouped under the `# Group` comments of the model's source, in order."""
    groups: dict[str, list[str]] = {}
    current = "General"
    for line in inspect.getsource(model).splitlines():
        heading = re.fullmatch(r"    # ([^-].*)", line)
        if heading:
            current = heading.group(1).strip()
            continue
        field = re.match(r"    (\w+): ", line)
        if field and field.group(1) in model.model_fields:
            groups.setdefault(current, []).append(field.group(1))
    return groups


# ---- Pulumi.yaml ----


def render_pulumi_yaml_config() -> dict[str, Any]:
    """Pulumi.yaml's `config:` block: every key Pulumi's project schema can declare.

    Keys are unprefixed: the project is named `genomics`, so Pulumi namespaces them as
    `genomics:<key>`. A field whose default is None gets no `default`, because its value is
    decided by other settings (Pulumi then asks every stack to set it).
    """
    block: dict[str, Any] = {}
    for name, info in StackSettings.model_fields.items():
        declared = _pulumi_type(info.annotation)
        if declared is None:
            continue
        if is_secret_field(info):
            # `secret: true` makes the CLI refuse every plaintext value, the merged default
            # included (pkg/workspace/config.go validates defaults once merged into the
            # stack), so an optional secret cannot be declared; the program refuses a
            # plaintext value instead (settings.loader).
            continue
        entry: dict[str, Any] = {**declared, "description": info.description or ""}
        if not info.is_required() and info.get_default(call_default_factory=True) is not None:
            entry["default"] = _plain(info.get_default(call_default_factory=True))
        block[_config_key(name, info)] = entry
    return block


def write_pulumi_yaml(path: Path = PULUMI_YAML) -> None:
    """Rewrite only the `config:` block of Pulumi.yaml; name, description and runtime stay."""
    project = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    head = {key: value for key, value in project.items() if key != "config"}
    text = yaml.safe_dump(head, sort_keys=False, width=100, allow_unicode=True)
    text += _CONFIG_BLOCK_NOTE
    text += yaml.safe_dump(
        {"config": render_pulumi_yaml_config()}, sort_keys=False, width=100, allow_unicode=True
    )
    path.write_text(text, encoding="utf-8")


# ---- docs/configuration.md ----


def _constraints(info: FieldInfo) -> str:
    bounds = []
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            bounds.append(f"≥ {item.ge}")
        elif isinstance(item, annotated_types.Le):
            bounds.append(f"≤ {item.le}")
        elif isinstance(item, annotated_types.MinLen) and item.min_length:
            bounds.append(f"at least {item.min_length} item(s)")
    return ", ".join(bounds)


def _type_label(info: FieldInfo) -> str:
    annotation = _unwrap_optional(info.annotation)
    structured = _structured_model(annotation)
    if structured is not None:
        return f"list of {structured.__name__} objects"
    if typing.get_origin(annotation) is Literal:
        label = "one of " + ", ".join(f"`{value}`" for value in typing.get_args(annotation))
    elif typing.get_origin(annotation) is tuple:
        label = f"list of {_scalar_type(typing.get_args(annotation)[0]) or 'value'}"
    elif typing.get_origin(annotation) is dict:
        label = "map of string to string"
    else:
        label = _scalar_type(annotation) or str(annotation)
    constraints = _constraints(info)
    return f"{label} ({constraints})" if constraints else label


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return "`" + text.replace("|", "\\|") + "`" if text != "" else '`""`'


def _default_label(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    default = info.get_default(call_default_factory=True)
    if default is None:
        return "none: set it in every stack"
    return _code(_plain(default))


def _example_label(info: FieldInfo) -> str:
    """A list is shown as the YAML flow list the stack file holds, never as shell-quoted JSON
    text: `pulumi config set key '[...]'` stores a string the CLI refuses for an array key."""
    if not info.examples:
        return ""
    example = info.examples[0]
    items = list_items(example) if isinstance(example, str) else None
    if items is not None:
        return _code("[" + ", ".join(json.dumps(item) for item in items) + "]")
    return _code(example)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _fields_table(model: type[BaseModel], names: list[str], *, key_label: str) -> list[str]:
    lines = [
        f"| {key_label} | type | default | description | example |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in names:
        info = model.model_fields[name]
        lines.append(
            f"| `{_config_key(name, info)}` | {_cell(_type_label(info))} | "
            f"{_default_label(info)} | {_cell(info.description or '')} | {_example_label(info)} |"
        )
    return lines


def _structured_fields() -> list[tuple[str, type[BaseModel]]]:
    found = []
    for name, info in StackSettings.model_fields.items():
        model = _structured_model(info.annotation)
        if model is not None:
            found.append((_config_key(name, info), model))
    return found


_HOW_TO_SET: Final = f"""\
## How to set a key

Every key lives in the `{CONFIG_NAMESPACE}` namespace and is set per stack; the values land in
`Pulumi.<stack>.yaml`. Keys with a default may be left out. Keys declared in `Pulumi.yaml`
without a default must be set in every stack, because the Pulumi CLI refuses a stack that
lacks one: {{required}}.

```sh
pulumi config set {CONFIG_NAMESPACE}:eksVersion 1.33                 # a string
pulumi config set {CONFIG_NAMESPACE}:availabilityZoneCount 3         # an integer
pulumi config set {CONFIG_NAMESPACE}:backupVaultLock true            # a boolean
pulumi config set --path '{CONFIG_NAMESPACE}:projects[0]' tb-genomics   # one list item
pulumi config set --path '{CONFIG_NAMESPACE}:nodeGroups[1].name' alignment   # a nested field
pulumi config set --path '{CONFIG_NAMESPACE}:nodeGroups[1].instanceTypes[0]' r6i.4xlarge
pulumi config rm {CONFIG_NAMESPACE}:eksPublicAccessCidrs             # back to the default
```

`--path` treats `name[0]` and `name.field` as a path into a list or object. In the stack file,
lists and objects are plain YAML, and string values that YAML would read as something else
(`"1.33"`, `"20:00"`, `"700"`) are quoted:

```yaml
config:
  {CONFIG_NAMESPACE}:eksVersion: "1.33"
  {CONFIG_NAMESPACE}:projects:
    - tb-genomics
  {CONFIG_NAMESPACE}:nodeGroups:
    - name: alignment
      instanceTypes: [r6i.4xlarge]
      minSize: 0
      desiredSize: 0
      maxSize: 10
      capacityType: SPOT
```

The program reads every key once (`settings/`), reports every invalid key together with the
value found and the command that fixes it, and stops before creating anything.
`python -m tools.preview --stack <stack>` shows the same report offline.
"""


def _required_keys() -> str:
    declared = render_pulumi_yaml_config()
    return ", ".join(f"`{key}`" for key, entry in declared.items() if "default" not in entry)


def render_configuration_md() -> str:
    """docs/configuration.md: every key with type, default, description and example."""
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated from settings/model.py by `make docs` (tools/gendocs.py); edit the model,",
        "     not this file. tests/tools/test_gendocs_config.py fails when they differ. -->",
        "",
        f"Keys are `{CONFIG_NAMESPACE}:<key>`; the settings model (`settings/model.py`) is their",
        "single source. Simple keys are also declared in `Pulumi.yaml`, so the Pulumi CLI checks",
        "their types; structured keys are lists of objects, which Pulumi's project schema cannot",
        "declare, and are checked by the program alone.",
        "",
        _HOW_TO_SET.format(required=_required_keys()),
    ]
    for group, names in _groups(StackSettings).items():
        lines += [f"## {group}", ""]
        lines += _fields_table(StackSettings, names, key_label="key")
        lines.append("")
    lines += [
        "## Structured keys",
        "",
        "Each is a list of objects with the fields below. Write them as YAML in the stack file or",
        "set one field at a time with `--path`.",
        "",
    ]
    for key, model in _structured_fields():
        lines += [f"### `{key}`: {model.__name__}", ""]
        lines += [(inspect.getdoc(model) or "").strip(), ""]
        lines += _fields_table(model, list(model.model_fields), key_label="field")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# ---- entry point ----


# ---- the policy pack's rules ----


def _md_text(text: str) -> str:
    """One line of Markdown; `<placeholders>` outside code spans are escaped, not read as HTML."""
    parts = " ".join(text.split()).split("`")
    return "`".join(
        part if index % 2 else part.replace("<", "&lt;").replace(">", "&gt;")
        for index, part in enumerate(parts)
    )


def _md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return _md_text(text).replace("|", "\\|")


def _rule_kind(rule: ResourceRule | StackRule) -> str:
    if isinstance(rule, ResourceRule):
        return "resource: " + ", ".join(f"`{t}`" for t in rule.resource_types)
    return "stack (joins resources by reference)"


def _controls(rule: ResourceRule | StackRule) -> str:
    """The rule's Security Hub controls, or a dash when no standard has one."""
    return ", ".join(rule.controls) if rule.controls else "-"


def _rule_config(rule: ResourceRule | StackRule) -> list[str]:
    lines = ["| Property | Default | Meaning |", "| --- | --- | --- |"]
    for key, spec in rule.properties().items():
        default = json.dumps(spec.get("default"))
        lines.append(f"| `{key}` | `{default}` | {_md_cell(str(spec.get('description', '')))} |")
    return lines


def render_policies_md() -> str:
    """docs/policies.md: the pack's rules, a summary table and one anchored section per rule.

    Each rule's `url` is `DOCS_BASE#<name>`; the section heading is the bare rule name, so the
    heading's anchor is exactly that fragment.
    """
    rules = all_rules()
    lines = [
        "# Policy pack rules",
        "",
        "<!-- Generated by `python -m tools.gendocs` from the pack's rule metadata"
        " (policies/rules/); edit the rules, not this file. -->",
        "",
        f"The `genomics-guardrails` pack holds {len(rules)} rules. Mandatory rules fail"
        " `pulumi preview`; advisory rules only warn. Every rule accepts an `exclude` list of"
        " resource-name patterns, and the enforcement of any rule can be changed in the"
        " policy-pack config. A value unknown during preview is reported as an advisory"
        ' "can\'t run policy ... during preview", never as a violation.',
        "",
        "The Controls column names the AWS Security Hub control each rule corresponds to, from"
        " the AWS Foundational Security Best Practices standard (`FSBP`) and the CIS AWS"
        " Foundations Benchmark (`CIS v3.0.0`); a dash means neither has one.",
        "",
        "| Rule | Concern | Severity | Enforcement | Controls | Description | Remediation |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        lines.append(
            f"| [{rule.name}](#{rule.name}) | {rule.concern} | {rule.severity.value} "
            f"| {rule.enforcement.value} | {_controls(rule)} | {_md_cell(rule.description)} "
            f"| {_md_cell(rule.remediation)} |"
        )
    for concern in sorted({rule.concern for rule in rules}):
        lines += ["", f"## {concern}"]
        for rule in (r for r in rules if r.concern == concern):
            lines += [
                "",
                f"### {rule.name}",
                "",
                _md_text(rule.description),
                "",
                f"- Severity: {rule.severity.value}; default enforcement: {rule.enforcement.value}",
                f"- Applies to: {_rule_kind(rule)}",
                f"- Security Hub controls: {_controls(rule)}",
                f"- Remediation: {_md_text(rule.remediation)}",
                "",
                *_rule_config(rule),
            ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write every generated document; return the exit code."""
    del argv
    CONFIGURATION_MD.parent.mkdir(parents=True, exist_ok=True)
    CONFIGURATION_MD.write_text(render_configuration_md(), encoding="utf-8")
    print(f"wrote {CONFIGURATION_MD.relative_to(ROOT)}")
    write_pulumi_yaml(PULUMI_YAML)
    print(f"wrote {PULUMI_YAML.relative_to(ROOT)} (config block)")
    POLICIES_MD.write_text(render_policies_md(), encoding="utf-8")
    print(f"wrote {POLICIES_MD.relative_to(ROOT)}")
    OUTPUTS_MD.write_text(render_outputs_md(), encoding="utf-8")
    print(f"wrote {OUTPUTS_MD.relative_to(ROOT)}")
    stacks = render_stacks()
    runbook.write({stack: run.resources for stack, (_, run) in stacks.items()})
    cost.write({stack: (settings, run.resources) for stack, (settings, run) in stacks.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
