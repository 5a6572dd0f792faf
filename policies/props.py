"""Reading resource inputs the way they arrive: objects, JSON strings, lists or single values."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["as_list", "as_mapping", "decoded", "provider_default_tags", "resource_tags"]


def decoded(value: Any) -> Any:
    """`value` with JSON text decoded (policy documents and provider inputs arrive as text)."""
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
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def provider_default_tags(provider_props: Mapping[str, Any]) -> dict[str, str]:
    """The AWS provider's default tags; the engine hands provider inputs over as JSON text."""
    default_tags = as_mapping(provider_props.get("defaultTags"))
    tags = as_mapping(default_tags.get("tags"))
    return {str(k): str(v) for k, v in tags.items()}


def resource_tags(props: Mapping[str, Any], provider_props: Mapping[str, Any]) -> dict[str, str]:
    """The tags a resource will carry: provider default tags overlaid with its own."""
    own = as_mapping(props.get("tags"))
    return {**provider_default_tags(provider_props), **{str(k): str(v) for k, v in own.items()}}
