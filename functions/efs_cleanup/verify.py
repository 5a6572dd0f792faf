"""VERIFY_S3_COPY mode: delete a transferred file only when the lake holds a same-size copy.

Pure: the S3 look-up comes in as the `ObjectSizes` Protocol (`functions.efs_cleanup.s3_adapter`
is the real one), so the mapping from file to object is tested without AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from functions.common.object_keys import project_of_key
from functions.common.s3_types import S3Error
from functions.efs_cleanup.config import S3CopySettings

__all__ = ["CopyCheck", "CopyVerifier", "ObjectSizes", "S3CopyVerifier", "Verdict"]


class Verdict(StrEnum):
    """Whether a file may be deleted because its copy is safe in S3."""

    COPIED = "copied"
    """An object of the same size exists: the file may go."""
    MISSING = "missing"
    SIZE_DIFFERS = "size differs"
    UNMAPPED = "no bucket for this path"
    ERROR = "S3 error"


@dataclass(frozen=True, slots=True)
class CopyCheck:
    """A verdict and, when it is not COPIED, what a person would need to look at."""

    verdict: Verdict
    detail: str = ""


class CopyVerifier(Protocol):
    """Decides whether a file (path relative to the mount, size in bytes) has a safe copy."""

    def check(self, relative_path: str, size: int) -> CopyCheck: ...


class ObjectSizes(Protocol):
    """The size of an object, or None when there is none (one HeadObject request)."""

    def size_of(self, bucket: str, key: str) -> int | None: ...


class S3CopyVerifier:
    """`CopyVerifier` for the transfer's layout `projects/<project>/<area>/…` → area's bucket."""

    def __init__(self, settings: S3CopySettings, sizes: ObjectSizes) -> None:
        self._settings = settings
        self._sizes = sizes

    def locate(self, relative_path: str) -> tuple[str, str] | None:
        """(bucket, key) of the file's copy, or None when the path maps to no bucket."""
        prefix = self._settings.key_prefix
        key = f"{prefix}/{relative_path}" if prefix else relative_path
        if project_of_key(key) is None:
            return None
        area = key.split("/")[2]
        bucket = self._settings.buckets.get(area)
        return None if bucket is None else (bucket, key)

    def check(self, relative_path: str, size: int) -> CopyCheck:
        """COPIED only when HeadObject finds an object of exactly `size` bytes."""
        location = self.locate(relative_path)
        if location is None:
            return CopyCheck(Verdict.UNMAPPED, relative_path)
        bucket, key = location
        try:
            found = self._sizes.size_of(bucket, key)
        except S3Error as error:
            return CopyCheck(Verdict.ERROR, str(error))
        if found is None:
            return CopyCheck(Verdict.MISSING, f"s3://{bucket}/{key}")
        if found != size:
            return CopyCheck(
                Verdict.SIZE_DIFFERS, f"s3://{bucket}/{key} has {found} bytes, file has {size}"
            )
        return CopyCheck(Verdict.COPIED)
