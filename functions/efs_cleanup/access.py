"""The AWS calls the scratch clean-up makes (evaluated by `make access`)."""

from __future__ import annotations

from typing import Final

from functions.common.access import Call

CALLS: Final = (
    # head_object of the copy in the data lake before a scratch file is deleted.
    Call("s3:GetObject", "objects:S3_COPY_BUCKETS", when="VERIFY_S3_COPY"),
    Call("sns:Publish", "env:TOPIC_ARN"),
)
