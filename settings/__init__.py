"""Typed, validated settings for one stack, parsed once from the stack's Pulumi config."""

from __future__ import annotations

from settings.errors import SettingsError, SettingsProblem
from settings.loader import (
    CONFIG_NAMESPACE,
    load_settings,
    settings_from_config,
    settings_from_pulumi_config,
)
from settings.model import (
    NodeGroupSettings,
    ResearchGroupSettings,
    StackSettings,
)

__all__ = [
    "CONFIG_NAMESPACE",
    "NodeGroupSettings",
    "ResearchGroupSettings",
    "SettingsError",
    "SettingsProblem",
    "StackSettings",
    "load_settings",
    "settings_from_config",
    "settings_from_pulumi_config",
]
