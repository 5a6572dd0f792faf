"""The clean-up's Lambda handler end to end: a real temporary mount, moto SNS (and S3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from functions.common.events import MalformedEventError
from tests.functions.common.lambda_env import (
    REGION,
    FakeLambdaContext,
    emf_metrics,
    import_handler,
    sns_messages,
)
from tests.functions.efs_cleanup.support import OLD, YOUNG, files_under, touch

pytestmark = pytest.mark.moto

HANDLER = "functions.efs_cleanup.handler"


@pytest.fixture
def mount(mocked_aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A mount with a scratch root of old and young files, a topic and the environment."""
    path = tmp_path / "mnt"
    touch(path / "scratch" / "job1" / "old.bam", days_old=OLD, size=2048)
    touch(path / "scratch" / "job2" / "new.bam", days_old=YOUNG)
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="ops")["TopicArn"]
    for name, value in {
        "MOUNT_PATH": str(path),
        "SCRATCH_ROOTS": '["scratch"]',
        "DRY_RUN": "false",
        "TOPIC_ARN": topic,
        "WORKERS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    return {"path": path, "topic": topic}


def test_announce_publishes_the_starting_notice(
    mount: dict[str, Any], lambda_context: FakeLambdaContext
) -> None:
    """`announce` deletes nothing and tells SNS the roots and the retention."""
    result = import_handler(HANDLER).lambda_handler({"phase": "announce"}, lambda_context)
    assert files_under(mount["path"] / "scratch") == {"job1/old.bam", "job2/new.bam"}
    [(subject, message)] = sns_messages(mount["topic"])
    assert subject == "EFS scratch clean-up starts soon: files older than 7 days"
    assert "- scratch" in message
    assert result["notified"] is True


def test_clean_deletes_reports_and_emits_metrics(
    mount: dict[str, Any], lambda_context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    """`clean` deletes the old file and its emptied directory, and SNS says done with the
    files and bytes freed; EMF carries the same counts."""
    result = import_handler(HANDLER).lambda_handler({"phase": "clean"}, lambda_context)
    assert files_under(mount["path"] / "scratch") == {"job2/new.bam"}
    assert not (mount["path"] / "scratch" / "job1").exists()
    [(subject, message)] = sns_messages(mount["topic"])
    assert subject == "EFS scratch clean-up done: 1 files, 2.0 KiB freed"
    assert "Completed." in message
    assert (result["filesDeleted"], result["bytesFreed"]) == (1, 2048)
    metrics = emf_metrics(capsys.readouterr().out)
    assert (metrics["FilesDeleted"], metrics["BytesFreed"]) == (1, 2048)


def test_resume_without_pending_work_is_silent(
    mount: dict[str, Any], lambda_context: FakeLambdaContext
) -> None:
    """`resume` with no unfinished cycle touches nothing and publishes nothing."""
    result = import_handler(HANDLER).lambda_handler({"phase": "resume"}, lambda_context)
    assert result["nothingPending"] is True
    assert sns_messages(mount["topic"]) == []
    assert "job1/old.bam" in files_under(mount["path"] / "scratch")


def test_dry_run_event_deletes_nothing(
    mount: dict[str, Any], lambda_context: FakeLambdaContext
) -> None:
    """`{"phase": "clean", "dryRun": true}` reports what would go and deletes nothing."""
    result = import_handler(HANDLER).lambda_handler(
        {"phase": "clean", "dryRun": True}, lambda_context
    )
    assert files_under(mount["path"] / "scratch") == {"job1/old.bam", "job2/new.bam"}
    assert result["filesDeleted"] == 1
    subject = sns_messages(mount["topic"])[0][0] or ""
    assert subject.startswith("EFS scratch clean-up (dry run) done")


def test_malformed_event_names_the_field(
    mount: dict[str, Any], lambda_context: FakeLambdaContext
) -> None:
    """An event without a phase fails naming `phase`, and nothing is deleted."""
    with pytest.raises(MalformedEventError, match="phase"):
        import_handler(HANDLER).lambda_handler({"source": "aws.events"}, lambda_context)
    assert "job1/old.bam" in files_under(mount["path"] / "scratch")


def test_s3_verified_mode_deletes_only_copied_project_files(
    mount: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With VERIFY_S3_COPY, an old transferred file goes only if moto S3 holds a same-size
    copy; the one without a copy and the one with a different size stay."""
    root = mount["path"] / "projects" / "tb-genomics" / "raw"
    for name, size in (("rs_1.fastq.gz", 5), ("rs_2.fastq.gz", 5), ("rs_3.fastq.gz", 5)):
        touch(root / name, days_old=OLD, size=size)
    s3 = boto3.client("s3", region_name=REGION)
    bucket = "gen-test-raw-sequence"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=bucket, Key="projects/tb-genomics/raw/rs_1.fastq.gz", Body=b"12345")
    s3.put_object(Bucket=bucket, Key="projects/tb-genomics/raw/rs_3.fastq.gz", Body=b"123")
    monkeypatch.setenv("SCRATCH_ROOTS", json.dumps(["projects/tb-genomics/raw"]))
    monkeypatch.setenv("VERIFY_S3_COPY", "true")
    monkeypatch.setenv("S3_COPY_BUCKETS", json.dumps({"raw": bucket}))
    result = import_handler(HANDLER).lambda_handler({"phase": "clean"}, lambda_context)
    assert files_under(root) == {"rs_2.fastq.gz", "rs_3.fastq.gz"}
    assert (result["filesDeleted"], result["filesKeptUnverified"]) == (1, 2)
