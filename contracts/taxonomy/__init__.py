"""The single tag taxonomy of the genomics platform.

Pure Python with no Pulumi or AWS import, so the program (provider default tags, ABAC
conditions), the policy pack (required tags), and the Lambda functions (object tagger, tag
audit) all read the same facts from one place.
"""

from __future__ import annotations

from contracts.taxonomy.categories import (
    CATEGORIES,
    PROCESSED_GENOME,
    RAW_SEQUENCE,
    REFERENCE_GENOME,
    DataCategory,
    category_by_name,
    category_for_object_name,
)
from contracts.taxonomy.derivation import (
    Derivation,
    Unclassified,
    derive_object_tags,
)
from contracts.taxonomy.keys import (
    ABAC_KEYS,
    ALLOWED_VALUES,
    CLASSIFICATIONS,
    ENVIRONMENTS,
    OBJECT_REQUIRED_KEYS,
    PLATFORM_PROJECT,
    RESOURCE_REQUIRED_KEYS,
    TagKey,
)
from contracts.taxonomy.limits import (
    MAX_OBJECT_TAGS,
    TagProblem,
    validate_tag_set,
    validate_taxonomy_values,
)
from contracts.taxonomy.merge import MergeResult, merge_tags
from contracts.taxonomy.regions import DR_REGION, INDIA_REGIONS, PRIMARY_REGION

__all__ = [
    "ABAC_KEYS",
    "ALLOWED_VALUES",
    "CATEGORIES",
    "CLASSIFICATIONS",
    "DR_REGION",
    "ENVIRONMENTS",
    "INDIA_REGIONS",
    "MAX_OBJECT_TAGS",
    "OBJECT_REQUIRED_KEYS",
    "PLATFORM_PROJECT",
    "PRIMARY_REGION",
    "PROCESSED_GENOME",
    "RAW_SEQUENCE",
    "REFERENCE_GENOME",
    "RESOURCE_REQUIRED_KEYS",
    "DataCategory",
    "Derivation",
    "MergeResult",
    "TagKey",
    "TagProblem",
    "Unclassified",
    "category_by_name",
    "category_for_object_name",
    "derive_object_tags",
    "merge_tags",
    "validate_tag_set",
    "validate_taxonomy_values",
]
