"""Naming rules shared by settings, resource names and object keys."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["PROJECT_SLUG_PATTERN", "is_project_slug", "resource_prefix"]

PROJECT_SLUG_PATTERN: Final = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
"""A research project slug: lowercase letters, digits and inner hyphens, 1-40 characters.

The slug is an S3 key segment, a Kubernetes namespace, an IAM principal tag value and a tag
value at once, so it takes the intersection of what all four accept.
"""


def is_project_slug(value: str) -> bool:
    """Whether `value` can name a research project everywhere the platform uses the name."""
    return PROJECT_SLUG_PATTERN.fullmatch(value) is not None


def resource_prefix(org: str, environment: str) -> str:
    """The prefix every physical resource name starts with, e.g. `gen-prod`."""
    return f"{org}-{environment}"
