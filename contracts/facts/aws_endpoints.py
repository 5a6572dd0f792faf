"""Where AWS offers each service, read from botocore's endpoint data (installed with boto3).

botocore ships `endpoints.json`, the table the SDKs resolve endpoints from: per partition, the
regions and, per endpoint prefix, the regions the service answers in. Reading it, rather than a
hand-kept list, keeps the platform's answer as current as the installed SDK. A region listed
here may still be an opt-in region the account has not enabled (regions launched after
March 20, 2019 are disabled by default); `make preflight` checks that against the account.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.loaders

__all__ = ["is_global", "is_known_service", "offering_regions"]


@cache
def _partitions() -> tuple[dict[str, Any], ...]:
    data = botocore.loaders.create_loader().load_data("endpoints")
    return tuple(data["partitions"])


def _services(partition: dict[str, Any]) -> dict[str, Any]:
    services: dict[str, Any] = partition["services"]
    return services


def is_known_service(endpoint_prefix: str) -> bool:
    """Whether any partition lists `endpoint_prefix` (e.g. `elasticfilesystem`)."""
    return any(endpoint_prefix in _services(p) for p in _partitions())


def is_global(endpoint_prefix: str) -> bool:
    """A service with one partition-wide endpoint (IAM, Route 53): every region can use it."""
    return any(
        _services(p).get(endpoint_prefix, {}).get("isRegionalized") is False for p in _partitions()
    )


@cache
def offering_regions(endpoint_prefix: str) -> frozenset[str]:
    """The regions whose endpoint for `endpoint_prefix` is listed and not deprecated.

    Only real region names count: entries such as `fips-us-east-1` are variants, not regions.
    A global service is offered in every region of the partitions that list it.
    """
    regions: set[str] = set()
    for partition in _partitions():
        service = _services(partition).get(endpoint_prefix)
        if service is None:
            continue
        names = set(partition["regions"])
        if service.get("isRegionalized") is False:
            regions |= names
            continue
        regions |= {
            region
            for region, endpoint in service.get("endpoints", {}).items()
            if region in names and not endpoint.get("deprecated", False)
        }
    return frozenset(regions)
