"""The AWS calls the object tagger makes (evaluated by `make access`)."""

from __future__ import annotations

from typing import Final

from functions.common.access import Call

_TAGS: Final = {
    "s3:RequestObjectTag/project": "${project}",
    "s3:RequestObjectTag/data-type": "${category}",
    "s3:RequestObjectTag/data-classification": "${classification}",
    "s3:RequestObjectTag/environment": "${ENVIRONMENT}",
    "s3:RequestObjectTagKeys": "project,data-type,data-classification,environment",
}
"""The tag set `put_tags` writes on a newly transferred object."""

_EXISTING: Final = {
    "s3:ExistingObjectTag/project": "${project}",
    "s3:ExistingObjectTag/data-type": "unclassified",
    "s3:ExistingObjectTag/data-classification": "${classification}",
    "s3:ExistingObjectTag/environment": "${ENVIRONMENT}",
}
"""Tags an object already carries when the tagger corrects them (`plan_write` merges and
rewrites, e.g. when a lab dataset prefix is associated with a project)."""

CALLS: Final = (
    Call("s3:ListBucket", "buckets:BUCKET_CATEGORIES"),
    Call("s3:GetObjectTagging", "objects:BUCKET_CATEGORIES"),
    Call("s3:PutObjectTagging", "objects:BUCKET_CATEGORIES", _TAGS, purpose="tag new"),
    Call(
        "s3:PutObjectTagging",
        "objects:BUCKET_CATEGORIES",
        {**_TAGS, **_EXISTING},
        purpose="retag",
    ),
    Call("s3:GetObject", "objects:TASK_REPORT_BUCKET/TASK_REPORT_PREFIX"),
    Call("datasync:DescribeTask", "stack:datasync-task"),
    Call("datasync:DescribeTaskExecution", "stack:datasync-task/execution"),
    Call("datasync:DescribeLocationS3", "stack:datasync-s3-location"),
    Call("sns:Publish", "env:TOPIC_ARN"),
    Call("states:StartExecution", "env:FAN_OUT_STATE_MACHINE_ARN"),
)
