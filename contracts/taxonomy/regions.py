"""Regions the platform may use: data stays in India (Mumbai primary, Hyderabad for recovery)."""

from __future__ import annotations

from typing import Final

__all__ = ["DR_REGION", "INDIA_REGIONS", "PRIMARY_REGION"]

PRIMARY_REGION: Final = "ap-south-1"
"""Mumbai: where the platform runs."""

DR_REGION: Final = "ap-south-2"
"""Hyderabad: replicas of the lake and copies of backups."""

INDIA_REGIONS: Final = (PRIMARY_REGION, DR_REGION)
"""Default data-residency allow-list for the program and the policy pack."""
