"""VERIFY_S3_COPY: the file-to-object mapping, and HeadObject against moto S3."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from functions.common.s3_types import S3AccessDeniedError
from functions.efs_cleanup.config import S3CopySettings
from functions.efs_cleanup.s3_adapter import S3HeadAdapter
from functions.efs_cleanup.verify import S3CopyVerifier, Verdict
from tests.functions.common.lambda_env import REGION

RAW = "gen-test-raw-sequence"
SETTINGS = S3CopySettings(buckets=MappingProxyType({"raw": RAW}), key_prefix="")
KEY = "projects/tb-genomics/raw/rs_1.fastq.gz"


class Sizes:
    """Object sizes by (bucket, key)."""

    def __init__(self, sizes: dict[tuple[str, str], int]) -> None:
        self.sizes = sizes

    def size_of(self, bucket: str, key: str) -> int | None:
        return self.sizes.get((bucket, key))


def test_same_size_copy_allows_deletion() -> None:
    """An object of the file's size in the area's bucket: COPIED."""
    verifier = S3CopyVerifier(SETTINGS, Sizes({(RAW, KEY): 10}))
    assert verifier.check(KEY, 10).verdict is Verdict.COPIED


def test_missing_copy_keeps_the_file() -> None:
    """No object: MISSING, naming where it looked."""
    check = S3CopyVerifier(SETTINGS, Sizes({})).check(KEY, 10)
    assert (check.verdict, check.detail) == (Verdict.MISSING, f"s3://{RAW}/{KEY}")


def test_different_size_keeps_the_file() -> None:
    """A truncated or different object: SIZE_DIFFERS."""
    assert S3CopyVerifier(SETTINGS, Sizes({(RAW, KEY): 9})).check(KEY, 10).verdict is (
        Verdict.SIZE_DIFFERS
    )


@pytest.mark.parametrize(
    "path",
    ["projects/tb-genomics/processed/pg_1.bam", "scratch/tmp.bin", "projects/Bad_Slug/raw/x"],
)
def test_paths_outside_the_mapping_are_unmapped(path: str) -> None:
    """An area without a bucket, a path outside `projects/`, or a bad project slug: UNMAPPED."""
    assert S3CopyVerifier(SETTINGS, Sizes({})).check(path, 1).verdict is Verdict.UNMAPPED


def test_key_prefix_completes_the_key() -> None:
    """With the projects access point as the mount, `projects/` is prepended to the path."""
    settings = S3CopySettings(buckets=MappingProxyType({"raw": RAW}), key_prefix="projects")
    verifier = S3CopyVerifier(settings, Sizes({(RAW, KEY): 3}))
    assert verifier.locate("tb-genomics/raw/rs_1.fastq.gz") == (RAW, KEY)
    assert verifier.check("tb-genomics/raw/rs_1.fastq.gz", 3).verdict is Verdict.COPIED


@pytest.mark.moto
def test_head_object_on_moto(mocked_aws: None) -> None:
    """The adapter reads ContentLength, and None for a missing key."""
    s3: Any = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=RAW, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=RAW, Key=KEY, Body=b"0123456789")
    adapter = S3HeadAdapter(s3)
    assert adapter.size_of(RAW, KEY) == 10
    assert adapter.size_of(RAW, KEY + ".missing") is None
    verifier = S3CopyVerifier(SETTINGS, adapter)
    assert verifier.check(KEY, 10).verdict is Verdict.COPIED
    assert verifier.check(KEY, 11).verdict is Verdict.SIZE_DIFFERS


def test_access_denied_is_an_error_verdict() -> None:
    """A 403 is not 'missing': the adapter raises, the verifier answers ERROR and the file
    is kept."""
    client = boto3.client(
        "s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.add_client_error("head_object", "403", "Forbidden", http_status_code=403)
        with pytest.raises(S3AccessDeniedError):
            S3HeadAdapter(client).size_of(RAW, KEY)
        stub.add_client_error("head_object", "403", "Forbidden", http_status_code=403)
        check = S3CopyVerifier(SETTINGS, S3HeadAdapter(client)).check(KEY, 1)
    assert check.verdict is Verdict.ERROR
