"""The data layout contract: where a file lives at every stage, from a pod to its S3 key.

One module, pure Python, shipped with the functions in `contracts/`. The StorageClass,
the DataSync tasks, the ABAC prefixes and the tagger all derive their paths from here, so no
other file restates a path. docs/transfer.md walks one file through every stage.

    pod of project P writes      /mnt/workspace/raw/rs_s1.fastq.gz   (the workspace PVC)
    on EFS                       /projects/P/workspace/raw/rs_s1.fastq.gz
    DataSync sees (access point  /P/workspace/raw/rs_s1.fastq.gz
      rooted at /projects)
    S3 key (location under       projects/P/workspace/raw/rs_s1.fastq.gz
      `/projects`)
    tagger                       project=P, from the key's second segment

The workspace PVC maps to a fixed directory because the `efs-projects` StorageClass provisions
with `subPathPattern: ${.PVC.namespace}/${.PVC.name}` and `ensureUniqueDirectory: "false"`
(EFS CSI driver, "Storage Class Parameters for Dynamic Provisioning": with it true the
driver appends a UUID to the last directory, so no path would be known in advance). The
namespace is the project slug (`components.compute.workspaces`), and a re-created claim finds
its data again instead of an empty directory.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

from contracts.names import is_project_slug
from contracts.taxonomy.derivation import PROJECTS_ROOT

__all__ = [
    "AREAS",
    "DATASYNC_FILTER_MAX",
    "EFS_PROJECTS_ROOT",
    "EFS_SCRATCH_ROOT",
    "ENSURE_UNIQUE_DIRECTORY",
    "EXCLUDED_DIRECTORY_NAMES",
    "S3_KEY_ROOT",
    "SCRATCH_VOLUMES_DIR",
    "SCRATCH_VOLUMES_PATH",
    "SUB_PATH_PATTERN",
    "WORKSPACE_CLAIM",
    "WORKSPACE_MOUNT_PATH",
    "LayoutError",
    "area_of_category",
    "datasync_excludes",
    "datasync_includes",
    "efs_path",
    "project_of_key",
    "project_prefix",
    "s3_key_for",
    "transfer_relative_path",
]

EFS_PROJECTS_ROOT: Final = "/projects"
"""Base path of project volumes on EFS, and root of the access point DataSync mounts."""
EFS_SCRATCH_ROOT: Final = "/scratch"
"""Root of temporary data on EFS (never transferred; pruned by the scratch clean-up)."""
SCRATCH_VOLUMES_DIR: Final = "volumes"
"""Directory under /scratch holding every scratch volume: the clean-up's one root (the
clean-up mounts /scratch through its access point and refuses the mount itself as a root)."""
SCRATCH_VOLUMES_PATH: Final = f"{EFS_SCRATCH_ROOT}/{SCRATCH_VOLUMES_DIR}"
"""Base path of the `efs-scratch` StorageClass."""
SUB_PATH_PATTERN: Final = "${.PVC.namespace}/${.PVC.name}"
"""Directory of each dynamically provisioned volume under its base path."""
ENSURE_UNIQUE_DIRECTORY: Final = False
"""No UUID suffix: a claim's directory is `<base>/<namespace>/<claim>`, known in advance."""
WORKSPACE_CLAIM: Final = "workspace"
"""Name of each project's shared PVC (in the namespace named by the project slug)."""
WORKSPACE_MOUNT_PATH: Final = "/mnt/workspace"
"""Where pipeline pods mount the workspace claim (the convention docs/transfer.md shows)."""
S3_KEY_ROOT: Final = PROJECTS_ROOT
"""First segment of every transferred or uploaded key (`projects/<project>/...`)."""

AREAS: Final[Mapping[str, str]] = MappingProxyType(
    {"raw_sequence": "raw", "processed_genome": "processed"}
)
"""Data category → the workspace directory whose files DataSync copies to its bucket."""

EXCLUDED_DIRECTORY_NAMES: Final = ("scratch",)
"""Directories never transferred wherever they appear inside an area (pipeline temp space)."""

DATASYNC_FILTER_MAX: Final = 102400
"""Longest filter value DataSync accepts (API reference, FilterRule: Value, max 102400)."""

_AREA: Final = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Characters DataSync filters treat specially ("Filtering data transferred by AWS DataSync":
# `*` wildcard, `|` pattern delimiter, `\` escape); a path segment that we put into a filter
# must hold none of them, so every pattern here means exactly the directory it names.
_FILTER_SPECIAL: Final = re.compile(r"[*|\\]")


class LayoutError(ValueError):
    """A path or name that does not fit the layout, with the reason and the fix."""


def _project(project: str) -> str:
    if not is_project_slug(project):
        raise LayoutError(
            f"project {project!r} is not a project slug (lowercase letters, digits, hyphens)"
        )
    return project


def _area(area: str) -> str:
    if not _AREA.fullmatch(area):
        raise LayoutError(f"area {area!r} must be one directory name such as raw")
    return area


def area_of_category(category: str) -> str:
    """The workspace directory DataSync copies into `category`'s bucket."""
    try:
        return AREAS[category]
    except KeyError:
        raise LayoutError(
            f"category {category!r} receives no transfer; transferred: {', '.join(AREAS)}"
        ) from None


def efs_path(project: str, area: str, relative: str) -> str:
    """Absolute EFS path of `relative` (a file path inside the area) written by a pod of
    `project` under its workspace claim's `area` directory."""
    relative = relative.strip("/")
    if not relative or ".." in relative.split("/"):
        raise LayoutError(f"file path {relative!r} must be a path inside the area, no '..'")
    return f"{EFS_PROJECTS_ROOT}/{_project(project)}/{WORKSPACE_CLAIM}/{_area(area)}/{relative}"


def transfer_relative_path(efs_absolute: str) -> str:
    """The path DataSync sees for an EFS file: relative to the projects access point's root,
    with a leading `/` (the form filters and task reports use)."""
    prefix = f"{EFS_PROJECTS_ROOT}/"
    if not efs_absolute.startswith(prefix):
        raise LayoutError(
            f"{efs_absolute!r} is outside {EFS_PROJECTS_ROOT}; DataSync never sees it"
        )
    return "/" + efs_absolute.removeprefix(prefix)


def s3_key_for(relative_path: str) -> str:
    """The object key a transferred file gets: the S3 location's subdirectory plus the path
    relative to the EFS location (DataSync keeps relative paths)."""
    return f"{S3_KEY_ROOT}/{relative_path.lstrip('/')}"


def project_of_key(key: str) -> str | None:
    """The project an object key belongs to, or None when the key is outside the layout."""
    segments = key.split("/")
    if len(segments) < 3 or segments[0] != S3_KEY_ROOT or not is_project_slug(segments[1]):
        return None
    return segments[1]


def project_prefix(project: str) -> str:
    """Key prefix of one project's objects (ABAC listing, uploads), ending with `/`."""
    return f"{S3_KEY_ROOT}/{_project(project)}/"


def datasync_includes(projects: Sequence[str], area: str) -> str:
    """The include filter of the task that copies `area` of every project's workspace.

    One pattern per project, `/<project>/workspace/<area>`, relative to the EFS location
    (rooted at /projects): DataSync include patterns may use `*` only as their last
    character, so `/*/raw` would match nothing, and a pattern without a wildcard matches
    the directory and everything under it ("Filtering data transferred by AWS DataSync").
    """
    if not projects:
        raise LayoutError("no projects: a task without includes would copy everything")
    patterns = [f"/{_project(p)}/{WORKSPACE_CLAIM}/{_area(area)}" for p in projects]
    value = "|".join(sorted(set(patterns)))
    _check_filter(value)
    return value


def datasync_excludes() -> str:
    """The exclude filter of every task: directories named in EXCLUDED_DIRECTORY_NAMES at any
    depth (`*/scratch` matches a `scratch` directory and its contents, never a file whose name
    merely starts with `scratch`)."""
    value = "|".join(f"*/{name}" for name in EXCLUDED_DIRECTORY_NAMES)
    _check_filter(value)
    return value


def _check_filter(value: str) -> None:
    if len(value) > DATASYNC_FILTER_MAX:
        raise LayoutError(
            f"DataSync filter of {len(value)} characters exceeds {DATASYNC_FILTER_MAX}; "
            "split the projects over several tasks"
        )
    for pattern in value.split("|"):
        body = pattern[:-1] if pattern.endswith("*") else pattern
        if _FILTER_SPECIAL.search(body.removeprefix("*/")):
            raise LayoutError(f"filter pattern {pattern!r} holds a special character")
