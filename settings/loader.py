"""Parse a stack's raw config once into StackSettings, reporting every problem together."""

from __future__ import annotations

import difflib
import json
from collections.abc import Collection, Mapping
from typing import Any, Final

from pydantic import ValidationError
from pydantic.fields import FieldInfo

from settings.errors import MISSING, SettingsError, SettingsProblem
from settings.model import StackSettings

__all__ = [
    "CONFIG_NAMESPACE",
    "config_keys",
    "is_secret_field",
    "load_settings",
    "settings_from_config",
    "settings_from_pulumi_config",
]

CONFIG_NAMESPACE: Final = "genomics"
"""Config namespace of the project: keys are `genomics:<camelCaseKey>`."""


def config_keys() -> dict[str, str]:
    """Config key → Python field name, for every setting the model declares."""
    return {(info.alias or name): name for name, info in StackSettings.model_fields.items()}


def is_secret_field(info: FieldInfo) -> bool:
    """Fields whose value must reach the program as Pulumi secret config."""
    extra = info.json_schema_extra
    return isinstance(extra, dict) and extra.get("secret") is True


def _plaintext_secrets(
    raw: Mapping[str, Any], secret_keys: Collection[str]
) -> list[SettingsProblem]:
    """A secret set in plain text sits unencrypted in the stack file and the state."""
    problems = []
    for key, name in config_keys().items():
        if (
            is_secret_field(StackSettings.model_fields[name])
            and raw.get(key)
            and key not in secret_keys
        ):
            problems.append(
                SettingsProblem(
                    key,
                    "<plaintext>",
                    "a secret: set with --secret, so Pulumi encrypts it",
                    "",
                    f"pulumi config set --secret {CONFIG_NAMESPACE}:{key} <value>",
                )
            )
    return problems


def _example(key: str) -> str:
    field = StackSettings.model_fields.get(config_keys().get(key.split("[")[0].split(".")[0], ""))
    if field is None or not field.examples:
        return "<value>"
    return str(field.examples[0])


def _wants_json(field_name: str) -> bool:
    """Lists and objects arrive from Pulumi config as JSON text; scalars pydantic coerces."""
    annotation = StackSettings.model_fields[field_name].annotation
    return getattr(annotation, "__origin__", None) in (tuple, list, dict)


def _decode(key: str, field_name: str, value: object) -> tuple[object, SettingsProblem | None]:
    if not isinstance(value, str) or not _wants_json(field_name):
        return value, None
    try:
        return json.loads(value), None
    except json.JSONDecodeError as error:
        expected = (
            "a list: a YAML list in the stack file, or items set one by one with --path "
            f"({error.msg})"
        )
        return value, SettingsProblem(key, value, expected, _example(key))


def _expected(message: str) -> str:
    """Pydantic's message reworded to complete "expected ...": `Input should be 'x'` → `'x'`."""
    if message == "Field required":
        return "a value (this key is required)"
    for prefix in ("Value error, ", "Input should be "):
        message = message.removeprefix(prefix)
    return message


def _fix(key: str, example: str = "") -> str | None:
    """Nested keys are set with `--path`; top-level ones use the default remedy.

    A scalar example is shown as the value; a list or object example is not, because
    `--path` would store it as one string.
    """
    if "[" not in key and "." not in key:
        return None
    value = example if example and not example.startswith(("[", "'", "(")) else "<value>"
    remedy = f"pulumi config set --path '{CONFIG_NAMESPACE}:{key}' {value}"
    return f"{remedy} (see docs/configuration.md)"


def _location(loc: tuple[int | str, ...]) -> str:
    path = str(loc[0])
    for part in loc[1:]:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _provider_region_problem(
    settings: StackSettings, aws_region: str | None
) -> SettingsProblem | None:
    """`aws:region` is the default provider's region (and the pack's allowed-region check
    reads it); a value other than primaryRegion would put anything created through the
    default provider in another region than the platform."""
    if aws_region is None or aws_region == settings.primary_region:
        return None
    return SettingsProblem(
        "region",
        aws_region,
        f"the same region as {CONFIG_NAMESPACE}:primaryRegion ({settings.primary_region})",
        settings.primary_region,
        namespace="aws",
    )


def load_settings(
    raw: Mapping[str, Any],
    *,
    aws_region: str | None = None,
    secret_keys: Collection[str] = (),
) -> StackSettings:
    """Validate `raw` (config key → value, namespace stripped) into StackSettings.

    `aws_region` is the stack's `aws:region`, when set; it must equal primaryRegion.
    `secret_keys` are the keys (namespace stripped) the stack holds as secrets.
    Raises SettingsError listing every invalid, missing or unknown key with the fix.
    """
    keys = config_keys()
    problems: list[SettingsProblem] = _plaintext_secrets(raw, secret_keys)
    decoded: dict[str, object] = {}
    for key, value in raw.items():
        if key not in keys:
            close = difflib.get_close_matches(key, list(keys), n=1)
            hint = f"a known key (did you mean {close[0]}?)" if close else "a known key"
            fix = f"pulumi config rm {CONFIG_NAMESPACE}:{key}; keys are in docs/configuration.md"
            problems.append(SettingsProblem(key, value, hint, "", fix))
            continue
        decoded_value, problem = _decode(key, keys[key], value)
        if problem:
            problems.append(problem)
        else:
            decoded[key] = decoded_value
    try:
        settings = StackSettings.model_validate(decoded)
    except ValidationError as error:
        for item in error.errors():
            key = _location(item["loc"])
            value = MISSING if item["type"] == "missing" else item.get("input")
            problems.append(
                SettingsProblem(key, value, _expected(item["msg"]), _example(key), _fix(key))
            )
        raise SettingsError(problems, CONFIG_NAMESPACE) from None
    # Cross-key problems are reported with the unknown or undecodable keys found above, so
    # one run shows everything that is wrong rather than one class of problem at a time.
    problems += [
        SettingsProblem(key, value, expected, example, _fix(key, example))
        for key, value, expected, example in settings.cross_key_problems()
    ]
    region_problem = _provider_region_problem(settings, aws_region)
    if region_problem is not None:
        problems.append(region_problem)
    if problems:
        raise SettingsError(problems, CONFIG_NAMESPACE)
    return settings


def settings_from_config(config: Mapping[str, str]) -> StackSettings:
    """The settings of a stack config as the CLI hands it over (`namespace:key` → text),
    for tools that read a stack file or a preview record instead of a running program."""
    prefix = f"{CONFIG_NAMESPACE}:"
    return load_settings(
        {
            key.removeprefix(prefix): value
            for key, value in config.items()
            if key.startswith(prefix)
        },
        aws_region=config.get("aws:region"),
    )


def settings_from_pulumi_config() -> StackSettings:
    """Read every `genomics:*` key of the running stack and validate them."""
    from pulumi.runtime import config as runtime_config

    prefix = f"{CONFIG_NAMESPACE}:"
    names = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    raw = {
        name.removeprefix(prefix): runtime_config.get_config(name)
        for name in sorted(names)
        if name.startswith(prefix)
    }
    secret = set(runtime_config.get_config_secret_keys_env()) | {
        name for name in names if runtime_config.is_config_secret(name)
    }
    return load_settings(
        raw,
        aws_region=runtime_config.get_config("aws:region"),
        secret_keys={name.removeprefix(prefix) for name in secret if name.startswith(prefix)},
    )
