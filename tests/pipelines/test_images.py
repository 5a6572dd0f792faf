"""Pinned images are pulled through the account's cache, by digest, or not at all."""

from __future__ import annotations

import pytest

from pipelines.images import ecr_image, ecr_registry

REGISTRY = ecr_registry("111122223333", "ap-south-1")
PIN = "quay.io/biocontainers/samtools@sha256:" + "a" * 64


def test_a_quay_image_is_served_under_the_cache_prefix() -> None:
    """`quay.io/<repo>@<digest>` becomes `<registry>/quay/<repo>@<digest>`, digest unchanged."""
    assert ecr_image(PIN, REGISTRY) == (
        "111122223333.dkr.ecr.ap-south-1.amazonaws.com/quay/biocontainers/samtools@sha256:"
        + "a" * 64
    )


def test_an_image_from_an_uncached_registry_is_refused() -> None:
    """No pull-through rule exists for it, so the pull would fail at run time: refuse now."""
    with pytest.raises(ValueError, match=r"not from a cached registry \(quay\.io\)"):
        ecr_image("docker.io/library/ubuntu@sha256:" + "b" * 64, REGISTRY)


def test_an_image_by_tag_is_refused() -> None:
    """A tag can move; every engine must run the same bytes."""
    with pytest.raises(ValueError, match="must be pinned by digest"):
        ecr_image("quay.io/biocontainers/samtools:1.24--h9dcdb79_1", REGISTRY)
