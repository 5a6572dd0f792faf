"""The genomics storage platform: read settings, build every subsystem, export outputs."""

from __future__ import annotations

import pulumi

from composition import build
from composition.outputs import export
from contracts.facts import UNRESERVED_CONCURRENCY_MINIMUM
from settings import SettingsError, settings_from_pulumi_config
from settings.quotas import lambda_concurrency_error

try:
    settings = settings_from_pulumi_config()
except SettingsError as error:
    raise pulumi.RunError(str(error)) from None

platform = build(settings)
# Checked once everything exists: the inventory has seen every function's reservation.
quota_error = lambda_concurrency_error(
    settings, platform.inventory.reserved_concurrency, UNRESERVED_CONCURRENCY_MINIMUM
)
if quota_error is not None:
    raise pulumi.RunError(str(quota_error))
export(platform)
