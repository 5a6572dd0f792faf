"""Where a run's inputs are read and its outputs land, on EFS and in the lake, per engine.

Batch and EKS work on the shared file system: inputs under the project's raw area, the run's
intermediate files under its scratch area (never transferred), outputs copied to the
processed area, from where the scheduled DataSync transfer carries them to the
processed-genome bucket under the same key (`projects/<project>/processed/...`).
HealthOmics writes to S3 directly, under the same processed prefix. Either way the object
key and the `pg_` file name give the tagger its project and category.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from components.transfer.transfer import DEFAULT_DESTINATIONS
from contracts.names import is_project_slug
from contracts.taxonomy.derivation import PROJECTS_ROOT

__all__ = [
    "BATCH_PROJECTS_MOUNT",
    "EKS_WORKSPACE_MOUNT",
    "OMICS_OUTPUT_PATTERN",
    "RunPaths",
    "omics_output_uri",
    "processed_key_prefix",
    "run_paths",
]

RAW_AREA: Final = DEFAULT_DESTINATIONS["raw_sequence"]
PROCESSED_AREA: Final = DEFAULT_DESTINATIONS["processed_genome"]
SCRATCH_AREA: Final = "scratch"
"""Excluded from every transfer (components.transfer.SCRATCH_EXCLUDES)."""

BATCH_PROJECTS_MOUNT: Final = "/mnt/projects"
"""Where Batch jobs mount the projects access point (root `/projects` on EFS)."""
EKS_WORKSPACE_MOUNT: Final = "/workspace"
"""Where the EKS Job mounts the project's workspace PVC."""

OMICS_OUTPUT_PATTERN: Final = f"{PROJECTS_ROOT}/*/{PROCESSED_AREA}/omics/*"
"""Keys HealthOmics runs may write in the processed-genome bucket."""


def _check(project: str) -> None:
    if not is_project_slug(project):
        raise ValueError(f"project {project!r} is not a project slug, e.g. tb-genomics")


def processed_key_prefix(project: str) -> str:
    """`projects/<project>/processed/`: where a project's aligned output lives in the lake."""
    _check(project)
    return f"{PROJECTS_ROOT}/{project}/{PROCESSED_AREA}/"


def omics_output_uri(bucket: str, project: str) -> str:
    """`outputUri` of a HealthOmics run for `project` (matches the run role's write grant)."""
    return f"s3://{bucket}/{processed_key_prefix(project)}omics/"


@dataclass(frozen=True, slots=True)
class RunPaths:
    """Directories of one Batch or EKS run, as the container sees them."""

    raw_dir: str
    run_dir: str
    out_dir: str


def run_paths(project_root: str, sample: str, aligner: str) -> RunPaths:
    """Directories of a run under `project_root` (the project's directory in the container)."""
    root = project_root.rstrip("/")
    return RunPaths(
        raw_dir=f"{root}/{RAW_AREA}",
        run_dir=f"{root}/{SCRATCH_AREA}/align-{sample}-{aligner}",
        out_dir=f"{root}/{PROCESSED_AREA}",
    )
