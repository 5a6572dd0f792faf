"""Explicit providers: every resource is created through one of these, never a default one.

Default tags live on the AWS provider so every taggable resource carries the taxonomy's
required tags without threading a `tags` argument through each component.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

__all__ = ["aws_provider"]


def aws_provider(
    name: str, region: str, tags: Mapping[str, str], allowed_regions: tuple[str, ...]
) -> aws.Provider:
    """The AWS provider of the stack: primary region, default tags, residency guard.

    Resources in the DR region name it with their own `region` argument (pulumi-aws 7), so a
    single provider and a single set of default tags serve both regions.
    """
    if region not in allowed_regions:
        raise ValueError(f"provider region {region} is not in allowed regions {allowed_regions}")
    return aws.Provider(
        name,
        region=region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=dict(tags)),
        opts=pulumi.ResourceOptions(),
    )
