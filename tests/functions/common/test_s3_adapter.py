"""S3Adapter against moto: real request shapes, and ClientErrors turned into domain errors."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import boto3
import pytest

from functions.common.aws import client_config
from functions.common.s3_adapter import S3Adapter
from functions.common.s3_types import (
    BucketNotFoundError,
    ObjectNotFoundError,
    S3Error,
)
from tests.functions.common.lambda_env import REGION

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

pytestmark = pytest.mark.moto

BUCKET = "gen-test-raw-sequence"


@pytest.fixture
def client(mocked_aws: None) -> S3Client:
    s3 = boto3.client("s3", region_name=REGION, config=client_config())
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return s3


def test_pages_hold_at_most_page_size_keys(client: S3Client) -> None:
    """Listing yields pages of the configured size, one request each, covering every key."""
    for n in range(25):
        client.put_object(Bucket=BUCKET, Key=f"projects/p1/raw/rs_{n:03}.fastq.gz", Body=b"x")
    pages = list(S3Adapter(client, page_size=10).iter_pages(BUCKET, "projects/p1/"))
    assert [len(page) for page in pages] == [10, 10, 5]
    keys = [obj.key for page in pages for obj in page]
    assert keys == sorted(f"projects/p1/raw/rs_{n:03}.fastq.gz" for n in range(25))
    assert all(obj.last_modified is not None for page in pages for obj in page)


def test_listing_a_missing_bucket_is_a_domain_error(client: S3Client) -> None:
    """NoSuchBucket becomes BucketNotFoundError, not a ClientError."""
    with pytest.raises(BucketNotFoundError, match="no-such-bucket"):
        list(S3Adapter(client).iter_pages("no-such-bucket"))


def test_tags_round_trip(client: S3Client) -> None:
    """put_tags replaces the set and get_tags reads it back as a dict."""
    client.put_object(Bucket=BUCKET, Key="k", Body=b"x", Tagging="owner=alice")
    adapter = S3Adapter(client)
    assert adapter.get_tags(BUCKET, "k") == {"owner": "alice"}
    adapter.put_tags(BUCKET, "k", {"owner": "alice", "project": "p1"})
    assert adapter.get_tags(BUCKET, "k") == {"owner": "alice", "project": "p1"}


def test_missing_object_is_object_not_found(client: S3Client) -> None:
    """NoSuchKey on a tag read becomes ObjectNotFoundError."""
    with pytest.raises(ObjectNotFoundError):
        S3Adapter(client).get_tags(BUCKET, "gone")


def test_rejected_tag_set_is_an_s3_error(client: S3Client) -> None:
    """S3 refusing eleven tags surfaces as S3Error carrying S3's code."""
    client.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    tags = {f"k{n}": "v" for n in range(11)}
    with pytest.raises(S3Error) as caught:
        S3Adapter(client).put_tags(BUCKET, "k", tags)
    assert caught.value.code


def test_chunks_reassemble_the_body(client: S3Client) -> None:
    """iter_chunks streams the object; the chunks join to the stored bytes."""
    body = b"0123456789" * 100_000
    client.put_object(Bucket=BUCKET, Key="report.json", Body=body)
    chunks = list(S3Adapter(client).iter_chunks(BUCKET, "report.json"))
    assert len(chunks) > 1
    assert b"".join(chunks) == body


def test_reading_a_missing_object_is_object_not_found(client: S3Client) -> None:
    """A missing report object fails as ObjectNotFoundError when the stream is read."""
    with pytest.raises(ObjectNotFoundError):
        list(S3Adapter(client).iter_chunks(BUCKET, "nope.json"))


def test_upload_stores_the_file_object(client: S3Client) -> None:
    """upload sends the file object's bytes with the content type."""
    S3Adapter(client).upload(BUCKET, "r.jsonl", io.BytesIO(b'{"a":1}\n'), content_type="x/y")
    stored = client.get_object(Bucket=BUCKET, Key="r.jsonl")
    assert stored["Body"].read() == b'{"a":1}\n'
    assert stored["ContentType"] == "x/y"


def test_upload_to_missing_bucket_is_a_domain_error(client: S3Client) -> None:
    """An upload failure becomes S3Error, never boto3's own exception type."""
    with pytest.raises(S3Error):
        S3Adapter(client).upload("no-such-bucket", "r", io.BytesIO(b"x"), content_type="x/y")
