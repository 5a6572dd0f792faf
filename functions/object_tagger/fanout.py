"""The switch between tagging in-process and fanning out to the Distributed Map, without boto3.

Above `FAN_OUT_THRESHOLD` transferred files (or objects under a lab dataset's prefix) one Lambda
(15 minutes) may not finish, so the tagger starts the fan-out state machine for the prefix
instead; at or below it (or when DataSync does not report a count) it tags in-process. See
docs/transfer.md.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

__all__ = ["execution_name", "fan_out_input", "lab_execution_name"]

_NOT_IN_NAME: Final = re.compile(r"[^A-Za-z0-9_-]")


def execution_name(execution_id: str) -> str:
    """The fan-out execution's name: one per DataSync execution, so a duplicate event cannot
    start a second run (StartExecution is idempotent for the same name and input)."""
    return f"tag-{execution_id}"[:80]


def lab_execution_name(request_id: str) -> str:
    """The fan-out execution's name for a lab dataset: one per lab API request (the sync
    workflow's `requestId`), so a duplicate event cannot start a second run either."""
    return f"tag-lab-{_NOT_IN_NAME.sub('-', request_id)}"[:80]


def fan_out_input(
    *, bucket: str, prefix: str, modified_since: datetime | None, source: str
) -> dict[str, str]:
    """The state machine input for tagging `s3://bucket/prefix` (objects newer than
    `modified_since`, when given)."""
    return {
        "mode": "tag",
        "bucket": bucket,
        "prefix": prefix,
        "modifiedSince": modified_since.isoformat() if modified_since else "",
        "source": source,
    }
