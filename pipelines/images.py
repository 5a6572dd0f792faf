"""Where the pinned images are pulled from on AWS: ECR pull-through caches of their registries.

HealthOmics "doesn't support access to public repositories"; it reads images from ECR private
repositories, which a pull-through cache rule keeps in sync with an upstream registry such as
Quay (AWS HealthOmics User Guide, "Container images for private workflows" and "Using
third-party registries supported by pull through cache"). Batch and EKS pull the same digests
through the same cache, so every engine runs byte-identical images without reaching the
internet at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["PULL_THROUGH_PREFIXES", "ecr_image", "ecr_registry"]

PULL_THROUGH_PREFIXES: Final[Mapping[str, str]] = MappingProxyType({"quay.io": "quay"})
"""Upstream registry -> ECR repository prefix of its pull-through cache rule."""


def ecr_registry(account_id: str, region: str) -> str:
    """The private registry host of `account_id` in `region`."""
    return f"{account_id}.dkr.ecr.{region}.amazonaws.com"


def ecr_image(image: str, registry: str) -> str:
    """`image` (upstream, pinned by digest) as served by `registry`'s pull-through cache.

    A rule with prefix P serves `upstream/repository` as `<registry>/P/repository`, the digest
    unchanged (Amazon ECR User Guide, "Sync an upstream registry with an Amazon ECR private
    registry").
    """
    host, _, path = image.partition("/")
    if host not in PULL_THROUGH_PREFIXES:
        known = ", ".join(PULL_THROUGH_PREFIXES)
        raise ValueError(f"image {image!r} is not from a cached registry ({known})")
    if "@sha256:" not in path:
        raise ValueError(f"image {image!r} must be pinned by digest (name@sha256:...)")
    return f"{registry}/{PULL_THROUGH_PREFIXES[host]}/{path}"
