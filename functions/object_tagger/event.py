"""The EventBridge events that start the tagger, as typed models.

EventBridge delivers DataSync's "DataSync Task Execution State Change" events with the new state
in `detail.State` and the execution ARN in `resources`:

    {"source": "aws.datasync", "detail-type": "DataSync Task Execution State Change",
     "resources": ["arn:aws:datasync:ap-south-1:111122223333:task/task-…/execution/exec-…"],
     "detail": {"State": "SUCCESS"}, "id": "…", "time": "…", ...}

The lab sync workflow (components/lab/sync_workflow.py, state `AssociatePrefixTags`) puts a
"Dataset Prefix Associated" event on the lab event bus for every registered dataset:

    {"source": "genomics.lab", "detail-type": "Dataset Prefix Associated", "id": "…",
     "detail": {"datasetId": "ds-1", "project": "p1", "s3Uri": "s3://<bucket>/<prefix>/",
                "tags": {"<key>": "<value>", …}, "requestId": "…"}, ...}
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from functions.common.datasync_types import EXECUTION_ARN_PATTERN
from functions.common.events import MalformedEventError, require_mapping, require_string

__all__ = [
    "DETAIL_TYPE",
    "LAB_DETAIL_TYPE",
    "LAB_SOURCE",
    "SOURCE",
    "DatasetPrefixAssociated",
    "ExecutionStateChange",
    "TaggerEvent",
    "parse_event",
    "parse_lab_event",
    "parse_tagger_event",
]

SOURCE: Final = "aws.datasync"
DETAIL_TYPE: Final = "DataSync Task Execution State Change"
LAB_SOURCE: Final = "genomics.lab"
"""`source` of the lab sync workflow's events (`components.lab_sync_workflow.EVENT_SOURCE`)."""
LAB_DETAIL_TYPE: Final = "Dataset Prefix Associated"
"""Detail type of a dataset's prefix (`components.lab_sync_workflow.PREFIX_ASSOCIATED`)."""

_S3_PREFIX_URI: Final = re.compile(
    r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<prefix>[^\s]*[^\s/][^\s]*/)$"
)
"""`s3://bucket/prefix/` as the lab API accepts it: a non-empty prefix ending with '/'."""


@dataclass(frozen=True, slots=True)
class ExecutionStateChange:
    """One execution changed state; the tagger acts only on SUCCESS."""

    event_id: str
    execution_arn: str
    task_arn: str
    task_id: str
    execution_id: str
    state: str

    @property
    def succeeded(self) -> bool:
        """Whether the execution finished successfully, so its objects are in S3 to tag."""
        return self.state == "SUCCESS"


def parse_event(event: object) -> ExecutionStateChange:
    """The typed event; MalformedEventError names the first field that is missing or wrong."""
    body = require_mapping(event, "event")
    source = body.get("source")
    if source != SOURCE:
        raise MalformedEventError("source", repr(SOURCE), source)
    detail_type = body.get("detail-type")
    if detail_type != DETAIL_TYPE:
        raise MalformedEventError("detail-type", repr(DETAIL_TYPE), detail_type)
    detail = require_mapping(body.get("detail"), "detail")
    state = require_string(detail, "State", path="detail")
    resources = body.get("resources")
    if not isinstance(resources, list):
        raise MalformedEventError("resources", "a list holding the task execution ARN", resources)
    for resource in resources:
        match = EXECUTION_ARN_PATTERN.fullmatch(resource) if isinstance(resource, str) else None
        if match is not None:
            return ExecutionStateChange(
                event_id=str(body.get("id", "")),
                execution_arn=match.group(0),
                task_arn=match.group(0).split("/execution/", 1)[0],
                task_id=match.group("task_id"),
                execution_id=match.group("execution_id"),
                state=state,
            )
    raise MalformedEventError(
        "resources",
        "a list holding a DataSync task execution ARN "
        "(arn:aws:datasync:<region>:<account>:task/task-…/execution/exec-…)",
        resources,
    )


@dataclass(frozen=True, slots=True)
class DatasetPrefixAssociated:
    """The lab registered a dataset whose objects live under `s3://bucket/prefix`."""

    event_id: str
    dataset_id: str
    project: str
    request_id: str
    bucket: str
    prefix: str
    """Key prefix ending with '/', never empty (an empty one would mean the whole bucket)."""
    tags: Mapping[str, str]
    """Tags the lab asked for; carried for the record only (see `core.tag_prefix`)."""

    @property
    def s3_uri(self) -> str:
        """The dataset's location as the event spelled it."""
        return f"s3://{self.bucket}/{self.prefix}"


TaggerEvent = ExecutionStateChange | DatasetPrefixAssociated
"""Every EventBridge event the tagger acts on."""


def _require_tags(detail: Mapping[str, object]) -> Mapping[str, str]:
    tags = require_mapping(detail.get("tags"), "detail.tags")
    for key, value in tags.items():
        if not isinstance(value, str):
            raise MalformedEventError(f"detail.tags.{key}", "a string", value)
    return MappingProxyType({key: str(value) for key, value in tags.items()})


def parse_lab_event(event: object, *, buckets: Collection[str]) -> DatasetPrefixAssociated:
    """The typed lab event; MalformedEventError names the first field that is missing or wrong,
    including an `s3Uri` outside `buckets` (the buckets this tagger may tag)."""
    body = require_mapping(event, "event")
    source = body.get("source")
    if source != LAB_SOURCE:
        raise MalformedEventError("source", repr(LAB_SOURCE), source)
    detail_type = body.get("detail-type")
    if detail_type != LAB_DETAIL_TYPE:
        raise MalformedEventError("detail-type", repr(LAB_DETAIL_TYPE), detail_type)
    detail = require_mapping(body.get("detail"), "detail")
    dataset_id = require_string(detail, "datasetId", path="detail")
    project = require_string(detail, "project", path="detail")
    uri = require_string(detail, "s3Uri", path="detail")
    request_id = require_string(detail, "requestId", path="detail")
    tags = _require_tags(detail)
    match = _S3_PREFIX_URI.fullmatch(uri)
    if match is None:
        raise MalformedEventError(
            "detail.s3Uri", "s3://<bucket>/<prefix>/ with a non-empty prefix ending in '/'", uri
        )
    bucket = match.group("bucket")
    if bucket not in buckets:
        raise MalformedEventError(
            "detail.s3Uri", f"in a bucket this tagger tags ({', '.join(sorted(buckets))})", uri
        )
    return DatasetPrefixAssociated(
        event_id=str(body.get("id", "")),
        dataset_id=dataset_id,
        project=project,
        request_id=request_id,
        bucket=bucket,
        prefix=match.group("prefix"),
        tags=tags,
    )


def parse_tagger_event(event: object, *, buckets: Collection[str]) -> TaggerEvent:
    """A DataSync state change or a lab `Dataset Prefix Associated` event, told apart by
    `source`; MalformedEventError names the first field that is missing or wrong."""
    body = require_mapping(event, "event")
    source = body.get("source")
    if source == LAB_SOURCE:
        return parse_lab_event(body, buckets=buckets)
    if source == SOURCE:
        return parse_event(body)
    raise MalformedEventError("source", f"{SOURCE!r} or {LAB_SOURCE!r}", source)
