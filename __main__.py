"""The genomics storage platform: read settings, build every subsystem, export outputs."""

from __future__ import annotations

import pulumi

from composition import build
from composition.outputs import export
from settings import SettingsError, settings_from_pulumi_config

try:
    settings = settings_from_pulumi_config()
except SettingsError as error:
    raise pulumi.RunError(str(error)) from None

export(build(settings))
