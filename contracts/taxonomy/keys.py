"""Tag keys and their allowed values: the vocabulary every other module speaks."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "ABAC_KEYS",
    "ALLOWED_VALUES",
    "CLASSIFICATIONS",
    "DATA_TYPES",
    "ENVIRONMENTS",
    "OBJECT_REQUIRED_KEYS",
    "PLATFORM_PROJECT",
    "RESOURCE_REQUIRED_KEYS",
    "TagKey",
]


class TagKey(StrEnum):
    """Every tag key the platform sets or reads; the value is the key as AWS stores it."""

    PROJECT = "project"
    DATA_TYPE = "data-type"
    DATA_CLASSIFICATION = "data-classification"
    ENVIRONMENT = "environment"
    OWNER = "owner"
    COST_CENTER = "cost-center"
    MANAGED_BY = "managed-by"
    RESEARCH_GROUP = "research-group"
    """Set by the identity provider on a person's session (IAM Identity Center attributes for
    access control, or SAML/OIDC session tags): the research group the person belongs to."""


PLATFORM_PROJECT: Final = "genomics-platform"
"""`project` tag value of shared platform resources (research data carries its own project)."""

ENVIRONMENTS: Final = ("dev", "staging", "prod")
"""Deployment environments; a stack's `environment` setting must be one of these."""

CLASSIFICATIONS: Final = ("public", "internal", "confidential", "restricted")
"""Data classifications, least to most sensitive; research roles are granted a subset."""

DATA_TYPES: Final = (
    "raw_sequence",
    "processed_genome",
    "reference_genome",
    "variant_call",
    "analysis_report",
    "transfer_report",
    "unclassified",
)
"""Values of `data-type`; `unclassified` marks objects that match no naming convention."""

RESOURCE_REQUIRED_KEYS: Final = (
    TagKey.PROJECT,
    TagKey.ENVIRONMENT,
    TagKey.OWNER,
    TagKey.COST_CENTER,
    TagKey.MANAGED_BY,
)
"""Keys every taggable cloud resource carries (through provider default tags)."""

OBJECT_REQUIRED_KEYS: Final = (
    TagKey.PROJECT,
    TagKey.DATA_TYPE,
    TagKey.DATA_CLASSIFICATION,
    TagKey.ENVIRONMENT,
)
"""Keys every data-lake object carries; the tagger writes them and the audit checks them."""

ABAC_KEYS: Final = (TagKey.PROJECT, TagKey.DATA_CLASSIFICATION)
"""Object tag keys that research roles must match with their principal tags to read data."""

ALLOWED_VALUES: Final = MappingProxyType(
    {
        TagKey.ENVIRONMENT: ENVIRONMENTS,
        TagKey.DATA_CLASSIFICATION: CLASSIFICATIONS,
        TagKey.DATA_TYPE: DATA_TYPES,
        TagKey.MANAGED_BY: ("pulumi",),
    }
)
"""Closed vocabularies; keys absent here (project, owner, cost-center) are validated free text."""
