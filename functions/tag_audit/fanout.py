"""The audit's switch between auditing a bucket in-process and fanning it out, without boto3.

Before listing, the audit asks for each bucket's object count (CloudWatch's daily
`AWS/S3 NumberOfObjects`, StorageType `AllStorageTypes`). A bucket above `FAN_OUT_THRESHOLD`
is handed to the fan-out state machine (Distributed Map over its listing); the rest, and any
bucket whose count is unknown, are audited in-process. See docs/transfer.md.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Protocol

__all__ = [
    "CountError",
    "ObjectCounter",
    "execution_name",
    "fan_out_input",
]


class CountError(RuntimeError):
    """A bucket's object count could not be read."""


class ObjectCounter(Protocol):
    """A bucket's object count (`functions.tag_audit.cloudwatch_adapter`); None when unknown."""

    def object_count(self, bucket: str) -> int | None: ...


def execution_name(bucket: str, run_at: datetime) -> str:
    """One execution per bucket and audit run, so a retried invocation cannot start two."""
    digest = hashlib.sha256(bucket.encode()).hexdigest()[:16]
    return f"audit-{run_at:%Y%m%dT%H%M%SZ}-{digest}"


def fan_out_input(*, bucket: str, run_at: datetime) -> dict[str, str]:
    """The state machine input for auditing every object of `bucket`."""
    return {
        "mode": "audit",
        "bucket": bucket,
        "prefix": "",
        "modifiedSince": "",
        "source": f"tag audit run at {run_at.isoformat()}",
    }
