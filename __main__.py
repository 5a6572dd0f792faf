"""The genomics storage platform: read settings, compose components, export outputs."""

from __future__ import annotations

import pulumi

from components.providers import aws_provider
from settings import SettingsError, settings_from_pulumi_config

try:
    settings = settings_from_pulumi_config()
except SettingsError as error:
    raise pulumi.RunError(str(error)) from None

aws = aws_provider(
    f"{settings.name_prefix}-aws",
    settings.primary_region,
    settings.resource_tags,
    settings.allowed_regions,
)
opts = pulumi.ResourceOptions(provider=aws)
