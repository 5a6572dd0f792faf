"""Reading resource inputs the way they arrive: objects, JSON strings, lists or single values."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "as_bool",
    "as_list",
    "as_mapping",
    "as_text",
    "decoded",
    "dig",
    "provider_default_tags",
    "resource_region",
    "resource_tags",
]


def decoded(value: Any) -> Any:
    """`value` with JSON text decoded (policy documents and provider inputs arrive as text).

    Only text that starts like a JSON object or array is decoded, so the engine's unknown
    sentinels (plain UUID strings) pass through untouched and are never read as a document.
    """
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("{", "["):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return value
    return value


def as_mapping(value: Any) -> Mapping[str, Any]:
    """`value` as a mapping (decoding JSON text); anything else is empty."""
    value = decoded(value)
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """IAM's "one or many": a single value becomes a one-item list, None an empty one."""
    value = decoded(value)
    if value is None:
        return []
    # The policy SDK wraps lists in a read-only Sequence proxy, so test for Sequence, not list.
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return list(value)
    return [value]


def dig(value: Any, *path: str) -> Any:
    """The value at `path` inside nested objects (JSON text decoded on the way), or None.

    Reading goes through the SDK's proxy, so a value unknown during preview still raises its
    UnknownValueError (the SDK reports that as "can't run policy during preview").
    """
    for key in path:
        value = as_mapping(value).get(key)
        if value is None:
            return None
    return value


def as_bool(value: Any) -> bool:
    """Whether an input is true; some AWS inputs are booleans sent as text ("true")."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def as_text(value: Any) -> str:
    """A scalar input as text ("" when unset), for comparisons that must not see None.

    The engine sends every number as a float, so whole numbers are shown without `.0`.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def resource_region(props: Mapping[str, Any], provider_props: Mapping[str, Any]) -> str:
    """The region a resource lives in: its own `region` input, else its provider's region."""
    return as_text(props.get("region") or provider_props.get("region"))


def provider_default_tags(provider_props: Mapping[str, Any]) -> dict[str, str]:
    """The provider's default tags (aws and aws-native alike); inputs arrive as JSON text."""
    default_tags = as_mapping(provider_props.get("defaultTags"))
    tags = as_mapping(default_tags.get("tags"))
    return {str(k): str(v) for k, v in tags.items()}


def _own_tags(value: Any) -> dict[str, str]:
    """A resource's `tags`: a map (pulumi-aws, HealthOmics) or aws-native's [{key, value}]."""
    decoded_value = decoded(value)
    if isinstance(decoded_value, Mapping):
        return {str(k): str(v) for k, v in decoded_value.items()}
    tags: dict[str, str] = {}
    for entry in as_list(decoded_value):
        item = as_mapping(entry)
        if "key" in item:
            tags[str(item["key"])] = as_text(item.get("value"))
    return tags


def resource_tags(props: Mapping[str, Any], provider_props: Mapping[str, Any]) -> dict[str, str]:
    """The tags a resource will carry: provider default tags overlaid with its own."""
    return {**provider_default_tags(provider_props), **_own_tags(props.get("tags"))}
