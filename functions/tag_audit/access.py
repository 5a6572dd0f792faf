"""The AWS calls the tag audit makes (evaluated by `make access`)."""

from __future__ import annotations

from typing import Final

from functions.common.access import Call

CALLS: Final = (
    Call("s3:ListBucket", "buckets:BUCKET_CATEGORIES"),
    Call("s3:GetObjectTagging", "objects:BUCKET_CATEGORIES"),
    # upload_fileobj: a report above the multipart threshold is CreateMultipartUpload,
    # UploadPart and CompleteMultipartUpload, all authorized as s3:PutObject.
    Call("s3:PutObject", "objects:REPORT_BUCKET/REPORT_PREFIX", {"multipart": "true"}),
    Call("cloudwatch:GetMetricStatistics", "*"),
    Call("sns:Publish", "env:TOPIC_ARN"),
    Call("states:StartExecution", "env:FAN_OUT_STATE_MACHINE_ARN"),
)
