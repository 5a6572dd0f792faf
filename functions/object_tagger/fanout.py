"""The switch between tagging in-process and fanning out to the Distributed Map, without boto3.

Above `FAN_OUT_THRESHOLD` transferred files one Lambda (15 minutes) may not finish, so the tagger
starts the fan-out state machine for the destination prefix instead; at or below it (or when
DataSync does not report a count) it tags in-process. See docs/transfer.md.
"""

from __future__ import annotations

from datetime import datetime

__all__ = ["execution_name", "fan_out_input"]


def execution_name(execution_id: str) -> str:
    """The fan-out execution's name: one per DataSync execution, so a duplicate event cannot
    start a second run (StartExecution is idempotent for the same name and input)."""
    return f"tag-{execution_id}"[:80]


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
