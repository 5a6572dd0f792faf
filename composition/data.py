"""The data lake: categorised buckets in both regions, replication, ABAC research roles."""

from __future__ import annotations

import pulumi

from components.data_lake.lake import DataLake
from composition.context import StackContext

__all__ = ["build_data_lake", "lake_bucket"]


def build_data_lake(ctx: StackContext) -> DataLake:
    """The lake, with one research role per configured group."""
    s = ctx.settings
    return DataLake(
        f"{ctx.prefix}-data-lake",
        {
            "name_prefix": ctx.prefix,
            "primary_region": s.primary_region,
            "dr_region": s.dr_region,
            "research_groups": [
                {"name": g.name, "projects": g.projects, "classifications": g.classifications}
                for g in s.research_groups
            ],
            "noncurrent_version_days": s.noncurrent_version_days,
            "archive_access_days": s.archive_access_days,
            "deep_archive_access_days": s.deep_archive_access_days,
            "object_lock_mode": s.object_lock_mode,
            "object_lock_days": s.raw_object_lock_days,
        },
        opts=ctx.opts,
    )


def lake_bucket(lake: DataLake, category: str, region: str) -> pulumi.Output[str]:
    """The physical name of the lake bucket of `category` in `region`."""
    return lake.bucket_names.apply(lambda names: names[category][region])
