"""Facts about object keys that both the tagger and the audit need.

They live here rather than in one function's folder because each function is packaged with
only its own folder, `functions/common/` and `contracts/`.
"""

from __future__ import annotations

from contracts.names import is_project_slug
from contracts.taxonomy.derivation import PROJECTS_ROOT

__all__ = ["is_folder_marker", "project_of_key"]


def project_of_key(key: str) -> str | None:
    """The project slug of a key under `projects/<project>/…`, or None."""
    segments = key.split("/")
    if len(segments) >= 3 and segments[0] == PROJECTS_ROOT and is_project_slug(segments[1]):
        return segments[1]
    return None


def is_folder_marker(key: str) -> bool:
    """Whether `key` is a zero-byte folder object (`a/b/`) that DataSync or a console created.

    Folder markers hold no data and match no naming convention; the tagger does not tag them,
    so the audit does not count them as untagged.
    """
    return key.endswith("/")
