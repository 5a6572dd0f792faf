"""Data categories: what a bucket holds and how an object's name says what it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "CATEGORIES",
    "PROCESSED_GENOME",
    "RAW_SEQUENCE",
    "REFERENCE_GENOME",
    "DataCategory",
    "category_by_name",
    "category_for_object_name",
]


@dataclass(frozen=True, slots=True)
class DataCategory:
    """One category of data in the lake: its bucket, its naming convention and its sensitivity."""

    name: str
    """The `data-type` tag value, e.g. `raw_sequence`."""
    bucket_slug: str
    """The category's part of the bucket name, e.g. `raw-sequence`."""
    name_prefix: str | None
    """The object-name prefix of the naming convention, e.g. `rs_`; None when it has none."""
    classification: str
    """Default `data-classification` of objects in the category."""
    worm: bool
    """Whether the bucket keeps objects write-once (S3 Object Lock)."""
    description: str


CATEGORIES: Final = (
    DataCategory(
        "raw_sequence",
        "raw-sequence",
        "rs_",
        "restricted",
        True,
        "FASTQ reads straight from sequencers and partners.",
    ),
    DataCategory(
        "processed_genome",
        "processed-genome",
        "pg_",
        "restricted",
        False,
        "Aligned reads (BAM/CRAM) produced by BWA and Bowtie.",
    ),
    DataCategory(
        "reference_genome",
        "reference",
        "rg_",
        "internal",
        False,
        "Reference genomes and indexes the aligners read.",
    ),
    DataCategory(
        "variant_call",
        "variant-call",
        "vc_",
        "restricted",
        False,
        "Variant calls (VCF) derived from aligned reads.",
    ),
    DataCategory(
        "analysis_report",
        "analysis-reports",
        "ar_",
        "confidential",
        False,
        "Results and reports for researchers and clinicians.",
    ),
)
"""Every data category in the lake, one bucket each; the order is the display order."""


def category_by_name(name: str) -> DataCategory:
    """The category whose `data-type` value is `name`; KeyError names the known ones."""
    for category in CATEGORIES:
        if category.name == name:
            return category
    known = ", ".join(c.name for c in CATEGORIES)
    raise KeyError(f"unknown data category {name!r}; known categories: {known}")


RAW_SEQUENCE = category_by_name("raw_sequence")
"""FASTQ from sequencers: the category pods write under raw/ and the pipelines read."""
PROCESSED_GENOME = category_by_name("processed_genome")
"""Aligned reads: the category the pipelines write."""
REFERENCE_GENOME = category_by_name("reference_genome")
"""Reference genomes and indexes the aligners read."""


def category_for_object_name(file_name: str) -> DataCategory | None:
    """The category an object's file name declares through its prefix (`rs_x.fastq` → raw)."""
    for category in CATEGORIES:
        if category.name_prefix and file_name.startswith(category.name_prefix):
            return category
    return None
