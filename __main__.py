"""The genomics storage platform: read settings, compose components, export outputs."""

from __future__ import annotations

import pulumi

from components.data_lake import DataLake
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

data_lake = DataLake(
    f"{settings.name_prefix}-data-lake",
    {
        "name_prefix": settings.name_prefix,
        "primary_region": settings.primary_region,
        "dr_region": settings.dr_region,
        "research_groups": [
            {"name": g.name, "projects": g.projects, "classifications": g.classifications}
            for g in settings.research_groups
        ],
        "noncurrent_version_days": settings.noncurrent_version_days,
        "archive_access_days": settings.archive_access_days,
        "deep_archive_access_days": settings.deep_archive_access_days,
        "object_lock_mode": settings.object_lock_mode,
        "object_lock_days": settings.raw_object_lock_days,
    },
    opts=opts,
)
pulumi.export("dataLakeBucketNames", data_lake.bucket_names)
pulumi.export("researchRoleArns", data_lake.research_role_arns)
