"""Stack and project files read the way the Pulumi CLI reads them.

The CLI is written in Go and parses `Pulumi.yaml` and `Pulumi.<stack>.yaml` with
gopkg.in/yaml.v3, which resolves plain scalars by YAML 1.2's rules, not PyYAML's YAML 1.1
ones: `20:00` stays the string `"20:00"` (PyYAML reads the integer 1200), `yes`/`on`/`no`
stay strings, `0o17` is an integer, and only `true`/`True`/`TRUE` (and the false forms) are
booleans. Each resolution below follows yaml.v3's `resolve.go`; the conversion to the text a
program receives follows Pulumi's `config.object.MarshalString`, and the type check follows
`workspace.ValidateConfigValue` (sdk/go/common/workspace/project.go), applied to stack
values by `validateStackConfigValue` (pkg/workspace/config.go).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import yaml

__all__ = [
    "ConfigValue",
    "YamlError",
    "config_value",
    "full_type_name",
    "load_yaml",
    "matches_declared_type",
]


class YamlError(ValueError):
    """A YAML document the CLI would refuse, or a value Pulumi config cannot hold."""


_PLAIN: Final = "plain"
"""Tag given to plain (unquoted, untagged) scalars, which yaml.v3 resolves by their text."""

_BOOLS: Final = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_NULLS: Final = frozenset({"", "~", "null", "Null", "NULL"})
_SPECIAL_FLOATS: Final = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_YAML_STYLE_FLOAT: Final = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_TIMESTAMP: Final = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"([Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})"
    r"| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?)?$"
)
"""The layouts yaml.v3's parseTimestamp accepts (RFC 3339 with short fields, or a date)."""
_GO_INT: Final = re.compile(
    r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$"
)


class _TaggingLoader(yaml.BaseLoader):
    """PyYAML's parser without its YAML 1.1 resolver: plain scalars are marked, so that
    `resolve_plain` can apply yaml.v3's rules, and quoted or tagged ones stay strings."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


def _go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64) after yaml.v3 drops underscores: 0x, 0o, 0b, 0-octal."""
    if not _GO_INT.match(text):
        return None
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    lowered = digits.lower()
    if lowered.startswith(("0x", "0o", "0b")):
        base = {"x": 16, "o": 8, "b": 2}[lowered[1]]
        return sign * int(digits[2:], base)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)
    return sign * int(digits)


def _go_time_string(text: str) -> str:
    """yaml.v3 decodes a timestamp into a time.Time, and Pulumi stores its `String()`:
    `2006-01-02 15:04:05.999999999 -0700 MST` (UTC, or the numeric offset as the zone)."""
    date, _, rest = re.sub(r"[Tt]", " ", text, count=1).partition(" ")
    year, month, day = (int(part) for part in date.split("-"))
    clock, offset = rest, ""
    zone = re.search(r"(Z|[-+][0-9]{2}:[0-9]{2})$", rest)
    if zone:
        clock, offset = rest[: zone.start()], zone.group(1)
    hours, minutes, seconds = clock.split(":") if clock else ("0", "0", "0")
    whole, _, fraction = seconds.partition(".")
    fraction = fraction.rstrip("0")
    stamp = f"{year:04d}-{month:02d}-{day:02d} {int(hours):02d}:{int(minutes):02d}:" + (
        f"{int(whole):02d}" + (f".{fraction}" if fraction else "")
    )
    if offset in ("", "Z"):
        return f"{stamp} +0000 UTC"
    numeric = offset.replace(":", "")
    return f"{stamp} {numeric} {numeric}"


def resolve_plain(text: str) -> Any:
    """What yaml.v3 decodes a plain scalar into when the target is `interface{}`."""
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _NULLS:
        return None
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if text[:1] == "." and "_" not in text:
        try:
            return float(text)
        except ValueError:
            return text
    if text[:1] not in set("+-0123456789"):
        return text
    if _TIMESTAMP.match(text):
        return _go_time_string(text)
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is not None:
        return number
    if _YAML_STYLE_FLOAT.match(plain):
        return float(plain)
    return text


def _construct(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return resolve_plain(node.value) if node.tag == _PLAIN else node.value
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            # Pulumi turns a non-string key into its Go `%v` text (unmarshalObject).
            key = config_value(_construct(key_node)).text
            if key in mapping:
                raise YamlError(f"mapping key {key!r} already defined")
            mapping[key] = _construct(value_node)
        return mapping
    raise YamlError(f"unsupported YAML node {node.tag}")  # pragma: no cover - parser-defined


def load_yaml(text: str) -> Any:
    """The document in `text`, decoded as yaml.v3 decodes it into `interface{}`."""
    try:
        node = yaml.compose(text, Loader=_TaggingLoader)
    except yaml.YAMLError as error:
        raise YamlError(str(error)) from error
    return None if node is None else _construct(node)


@dataclass(frozen=True, slots=True)
class ConfigValue:
    """A config value as the CLI stores and passes it."""

    text: str
    """What the program receives (PULUMI_CONFIG): strings as they are, the rest as JSON."""
    is_object: bool
    """Lists and mappings: the CLI type-checks their decoded structure, not their text."""
    secure: bool = False


def _go_float_text(value: float) -> str:
    """Go's encoding/json text of a float64: shortest digits, positional in [1e-6, 1e21)."""
    if not math.isfinite(value):
        raise YamlError(f"{value} cannot be stored in Pulumi config")
    if value == 0:
        return "0"
    if 1e-6 <= abs(value) < 1e21:
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return repr(value).replace("e-0", "e-").replace("e+0", "e+")


_GO_HTML_ESCAPES: Final = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _go_json(value: Any) -> str:
    """encoding/json.Marshal: compact, map keys sorted, `<`, `>` and `&` escaped."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float_text(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).translate(_GO_HTML_ESCAPES)
    if isinstance(value, list):
        return "[" + ",".join(_go_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ",".join(f"{_go_json(key)}:{_go_json(value[key])}" for key in sorted(value)) + "}"
        )
    raise YamlError(f"{value!r} cannot be stored in Pulumi config")


def config_value(value: Any) -> ConfigValue:
    """`config.object.MarshalString`: scalars as text, structures as JSON (object=true)."""
    if isinstance(value, dict) and set(value) == {"secure"}:
        return ConfigValue(str(value["secure"]), is_object=False, secure=True)
    if isinstance(value, str):
        return ConfigValue(value, is_object=False)
    if isinstance(value, bool):
        return ConfigValue("true" if value else "false", is_object=False)
    if isinstance(value, int):
        return ConfigValue(str(value), is_object=False)
    if isinstance(value, float):
        return ConfigValue(_go_float_text(value), is_object=False)
    return ConfigValue(_go_json(value), is_object=True)


def _integer_text(text: str) -> bool:
    """strconv.Atoi: optional sign and decimal digits only."""
    return re.fullmatch(r"[-+]?[0-9]+", text) is not None


def matches_declared_type(declaration: dict[str, Any], value: ConfigValue) -> bool:
    """`ValidateConfigValue` on what the CLI checks: the text, or the decoded structure."""
    content: Any = json.loads(value.text) if value.is_object else value.text
    return _matches(declaration.get("type"), declaration.get("items"), content)


def _matches(type_name: Any, items: Any, content: Any) -> bool:
    if type_name == "string":
        return isinstance(content, str)
    if type_name == "integer":
        if isinstance(content, bool):
            return False
        if isinstance(content, int):
            return True
        if isinstance(content, float):
            return content == math.trunc(content)
        return isinstance(content, str) and _integer_text(content)
    if type_name == "boolean":
        return isinstance(content, bool) or content in ("true", "false")
    if type_name == "object":
        return isinstance(content, dict)
    if not isinstance(content, list) or not isinstance(items, dict):
        return False
    return all(_matches(items.get("type"), items.get("items"), item) for item in content)


def full_type_name(declaration: dict[str, Any]) -> str:
    """`InferFullTypeName`: `array<string>` for a list of strings, else the type's name."""
    items = declaration.get("items")
    if isinstance(items, dict):
        return f"array<{full_type_name(items)}>"
    return str(declaration.get("type"))
