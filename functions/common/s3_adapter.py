"""The one place the object tagger and the tag audit talk to S3.

Each method makes a known number of requests (the per-object request budget is a tested target)
and turns botocore failures into the domain errors of `functions.common.s3_types`, so cores never
see a `ClientError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, TYPE_CHECKING, Final

from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import BotoCoreError, ClientError

from functions.common.s3_types import (
    BucketNotFoundError,
    ObjectNotFoundError,
    ObjectSummary,
    S3AccessDeniedError,
    S3Error,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import TagTypeDef

__all__ = ["LIST_PAGE_SIZE", "S3Adapter"]

LIST_PAGE_SIZE: Final = 1000
"""ListObjectsV2's maximum page size: the fewest list requests per object (1 per 1000)."""
_CHUNK_BYTES: Final = 256 * 1024
_NOT_FOUND_CODES: Final = frozenset({"NoSuchKey", "404", "NotFound"})
_ACCESS_DENIED_CODES: Final = frozenset({"AccessDenied", "403", "AllAccessDisabled"})


def _domain_error(error: ClientError | BotoCoreError, action: str) -> S3Error:
    """The domain error for a botocore failure of `action` (e.g. `GetObjectTagging s3://b/k`)."""
    if isinstance(error, BotoCoreError):
        return S3Error(f"{action} failed: {error}", code=type(error).__name__)
    code = str(error.response.get("Error", {}).get("Code", ""))
    message = f"{action} failed: {code or 'error'}: {error}"
    if code in _NOT_FOUND_CODES:
        return ObjectNotFoundError(message, code=code)
    if code == "NoSuchBucket":
        return BucketNotFoundError(message, code=code)
    if code in _ACCESS_DENIED_CODES:
        return S3AccessDeniedError(message, code=code)
    return S3Error(message, code=code)


class S3Adapter:
    """Object listing, tag reads and writes, streamed reads and uploads over one S3 client."""

    def __init__(self, client: S3Client, *, page_size: int = LIST_PAGE_SIZE) -> None:
        self._client = client
        self._page_size = page_size

    def iter_pages(self, bucket: str, prefix: str = "") -> Iterator[list[ObjectSummary]]:
        """Listing pages one request at a time, so a caller never holds more than one page."""
        paginator = self._client.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": self._page_size}
        )
        try:
            for page in pages:
                yield [
                    ObjectSummary(
                        bucket=bucket,
                        key=item["Key"],
                        last_modified=item.get("LastModified"),
                        size=item.get("Size", 0),
                    )
                    for item in page.get("Contents", [])
                    if "Key" in item
                ]
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"ListObjectsV2 s3://{bucket}/{prefix}") from error

    def get_tags(self, bucket: str, key: str) -> dict[str, str]:
        """The object's current tag set (one GetObjectTagging request)."""
        try:
            response = self._client.get_object_tagging(Bucket=bucket, Key=key)
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"GetObjectTagging s3://{bucket}/{key}") from error
        return {tag["Key"]: tag["Value"] for tag in response["TagSet"]}

    def put_tags(self, bucket: str, key: str, tags: Mapping[str, str]) -> None:
        """Replace the object's tag set with `tags` (one PutObjectTagging request)."""
        tag_set: list[TagTypeDef] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        try:
            self._client.put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": tag_set})
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"PutObjectTagging s3://{bucket}/{key}") from error

    def iter_chunks(self, bucket: str, key: str) -> Iterator[bytes]:
        """The object's bytes in bounded chunks, so a large report is never held whole."""
        action = f"GetObject s3://{bucket}/{key}"
        try:
            body = self._client.get_object(Bucket=bucket, Key=key)["Body"]
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, action) from error
        try:
            yield from body.iter_chunks(_CHUNK_BYTES)
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, action) from error
        finally:
            body.close()

    def upload(self, bucket: str, key: str, body: IO[bytes], *, content_type: str) -> None:
        """Upload a file object; boto3 switches to multipart above 8 MB, so size is unbounded."""
        try:
            self._client.upload_fileobj(body, bucket, key, ExtraArgs={"ContentType": content_type})
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"PutObject s3://{bucket}/{key}") from error
        except S3UploadFailedError as error:
            raise S3Error(
                f"PutObject s3://{bucket}/{key} failed: {error}", code="UploadFailed"
            ) from error
