"""Every rule of the pack, found by walking `policies.rules`: adding a module adds its rule."""

from __future__ import annotations

import importlib
import pkgutil

import policies.rules
from policies.framework import ResourceRule, StackRule

__all__ = ["all_rules"]


def all_rules() -> list[ResourceRule | StackRule]:
    """Each module's `RULE` (or `RULES`), sorted by concern then name; names must be unique."""
    found: list[ResourceRule | StackRule] = []
    for module_info in pkgutil.walk_packages(policies.rules.__path__, "policies.rules."):
        module = importlib.import_module(module_info.name)
        found.extend(getattr(module, "RULES", ()))
        if hasattr(module, "RULE"):
            found.append(module.RULE)
    names = [rule.name for rule in found]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"policy names must be unique; repeated: {', '.join(duplicates)}")
    return sorted(found, key=lambda rule: (rule.concern, rule.name))
