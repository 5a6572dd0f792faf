"""What the functions know about S3 objects and S3 failures, without importing boto3.

Cores receive and raise these types, so they stay pure and testable with in-memory fakes; only
`functions.common.s3_adapter` turns boto3 responses and `ClientError`s into them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "BucketNotFoundError",
    "ObjectNotFoundError",
    "ObjectSummary",
    "S3AccessDeniedError",
    "S3Error",
]


@dataclass(frozen=True, slots=True)
class ObjectSummary:
    """One object from a listing page: enough to decide whether to look at its tags."""

    bucket: str
    key: str
    last_modified: datetime | None = None
    size: int = 0


class S3Error(RuntimeError):
    """An S3 request failed; `code` is S3's error code when S3 answered, else the failure type."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class ObjectNotFoundError(S3Error):
    """The object is gone (deleted between listing and reading, or never there)."""


class BucketNotFoundError(S3Error):
    """The bucket does not exist: a configuration problem, not a transient one."""


class S3AccessDeniedError(S3Error):
    """The function's role may not do this: an IAM or bucket-policy problem to fix."""
