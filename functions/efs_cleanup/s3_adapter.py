"""HeadObject for VERIFY_S3_COPY: the one place the clean-up talks to S3.

`functions.common.s3_adapter` has no HEAD request and belongs to the transfer functions, so
this small adapter lives here; it reuses the shared S3 domain errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from botocore.exceptions import BotoCoreError, ClientError

from functions.common.s3_types import S3AccessDeniedError, S3Error

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["S3HeadAdapter"]

_NOT_FOUND: Final = frozenset({"404", "NoSuchKey", "NotFound"})
_DENIED: Final = frozenset({"403", "AccessDenied"})


class S3HeadAdapter:
    """`functions.efs_cleanup.verify.ObjectSizes` over one S3 client."""

    def __init__(self, client: S3Client) -> None:
        self._client = client

    def size_of(self, bucket: str, key: str) -> int | None:
        """The object's ContentLength, None when it does not exist; S3Error otherwise."""
        try:
            response = self._client.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in _NOT_FOUND:
                return None
            kind = S3AccessDeniedError if code in _DENIED else S3Error
            message = f"HeadObject s3://{bucket}/{key} failed: {code}: {error}"
            raise kind(message, code=code) from error
        except BotoCoreError as error:
            raise S3Error(
                f"HeadObject s3://{bucket}/{key} failed: {error}", code=type(error).__name__
            ) from error
        return response["ContentLength"]
