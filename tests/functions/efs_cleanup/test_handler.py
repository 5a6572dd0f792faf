"""The clean-up's Lambda handler end to end: a real temporary mount, moto SNS (and S3)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from functions.common.events import MalformedEventError
from functions.efs_cleanup.core import Clock
from tests.functions.common.lambda_env import (
    REGION,
    FakeLambdaContext,
    emf_metrics,
    import_handler,
    sns_messages,
)
from tests.functions.efs_cleanup.support import (
    ANCIENT,
    DAY,
    NOW,
    OLD,
    YOUNG,
    age,
    dirs_under,
    files_under,
    touch,
)

pytestmark = pytest.mark.moto

HANDLER = "functions.efs_cleanup.handler"
VOLUME = "volumes/tb-genomics/pvc-1"
"""A scratch volume's root, as the CSI driver lays it out: `<root>/<namespace>/<pvc>`."""


def _handler(monkeypatch: pytest.MonkeyPatch, *, real_clock: bool = False) -> Any:
    """The handler imported fresh, on the tests' wall clock (support.NOW) unless
    `real_clock`. (`raising=False`: a handler without a clock of its own runs on real time.)"""
    handler = import_handler(HANDLER)
    if not real_clock:
        monkeypatch.setattr(handler, "CLOCK", Clock(wall=lambda: NOW), raising=False)
    return handler


@pytest.fixture
def mount(mocked_aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A mount with the scratch root `volumes` holding one volume of old and young files, a
    topic and the environment the program sets (default VOLUME_ROOT_DEPTH)."""
    path = tmp_path / "mnt"
    touch(path / VOLUME / "job1" / "old.bam", days_old=OLD, size=2048)
    touch(path / VOLUME / "job2" / "new.bam", days_old=YOUNG)
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="ops")["TopicArn"]
    for name, value in {
        "MOUNT_PATH": str(path),
        "SCRATCH_ROOTS": '["volumes"]',
        "DRY_RUN": "false",
        "TOPIC_ARN": topic,
        "WORKERS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    return {"path": path, "topic": topic, "volume": path / VOLUME}


def test_announce_publishes_the_starting_notice(
    mount: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`announce` deletes nothing and tells SNS the roots and the retention."""
    result = _handler(monkeypatch).lambda_handler({"phase": "announce"}, lambda_context)
    assert files_under(mount["volume"]) == {"job1/old.bam", "job2/new.bam"}
    [(subject, message)] = sns_messages(mount["topic"])
    assert subject == "EFS scratch clean-up starts soon: files older than 7 days"
    assert "- volumes" in message
    assert result["notified"] is True


def test_clean_deletes_reports_and_emits_metrics(
    mount: dict[str, Any],
    lambda_context: FakeLambdaContext,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`clean` deletes the old file and its emptied directory inside the volume, and SNS says
    done with the files and bytes freed; EMF carries the same counts."""
    result = _handler(monkeypatch).lambda_handler({"phase": "clean"}, lambda_context)
    assert files_under(mount["volume"]) == {"job2/new.bam"}
    assert not (mount["volume"] / "job1").exists()
    [(subject, message)] = sns_messages(mount["topic"])
    assert subject == "EFS scratch clean-up done: 1 files, 2.0 KiB freed"
    assert "Completed." in message
    assert (result["filesDeleted"], result["bytesFreed"]) == (1, 2048)
    metrics = emf_metrics(capsys.readouterr().out)
    assert (metrics["FilesDeleted"], metrics["BytesFreed"]) == (1, 2048)


def test_resume_without_pending_work_is_silent(
    mount: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`resume` with no unfinished cycle touches nothing and publishes nothing."""
    result = _handler(monkeypatch).lambda_handler({"phase": "resume"}, lambda_context)
    assert result["nothingPending"] is True
    assert sns_messages(mount["topic"]) == []
    assert "job1/old.bam" in files_under(mount["volume"])


def test_dry_run_event_deletes_nothing(
    mount: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`{"phase": "clean", "dryRun": true}` reports what would go and deletes nothing."""
    result = _handler(monkeypatch).lambda_handler(
        {"phase": "clean", "dryRun": True}, lambda_context
    )
    assert files_under(mount["volume"]) == {"job1/old.bam", "job2/new.bam"}
    assert result["filesDeleted"] == 1
    subject = sns_messages(mount["topic"])[0][0] or ""
    assert subject.startswith("EFS scratch clean-up (dry run) done")


def test_malformed_event_names_the_field(
    mount: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An event without a phase fails naming `phase`, and nothing is deleted."""
    with pytest.raises(MalformedEventError, match="phase"):
        _handler(monkeypatch).lambda_handler({"source": "aws.events"}, lambda_context)
    assert "job1/old.bam" in files_under(mount["volume"])


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
    result = _handler(monkeypatch).lambda_handler({"phase": "clean"}, lambda_context)
    assert files_under(root) == {"rs_2.fastq.gz", "rs_3.fastq.gz"}
    assert (result["filesDeleted"], result["filesKeptUnverified"]) == (1, 2)


@pytest.mark.parametrize(
    ("roots", "link", "target"),
    [
        (["volumes"], "volumes", "projects"),  # the root itself is the link
        (["scratch/volumes"], "scratch", "projects"),  # a component above it is
    ],
)
def test_symlinked_root_is_refused_and_its_target_left_alone(
    mount: dict[str, Any],
    lambda_context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
    roots: list[str],
    link: str,
    target: str,
) -> None:
    """A scratch root that is, or passes through, a symlink to a sibling directory inside the
    mount is refused and reported; the sibling's old files stay."""
    path = mount["path"]
    for entry in ("volumes", "scratch"):
        if (path / entry).exists():
            (path / entry).rename(path / f"{entry}.real")
    touch(path / target / "volumes" / "tb-genomics" / "results.bam", days_old=ANCIENT)
    touch(path / target / "volumes.bam", days_old=ANCIENT)
    (path / link).symlink_to(target)
    monkeypatch.setenv("SCRATCH_ROOTS", json.dumps(roots))
    result = _handler(monkeypatch).lambda_handler({"phase": "clean"}, lambda_context)
    assert files_under(path / target) == {"volumes/tb-genomics/results.bam", "volumes.bam"}
    [root] = result["roots"]
    assert f"{link} is a symlink" in root["refused"]
    [(subject, message)] = sns_messages(mount["topic"])
    assert "1 ERRORS" in (subject or "")
    assert "REFUSED" in message


def test_volume_roots_and_everything_above_them_are_never_removed(
    mount: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Emptying a volume (and its namespace) removes the old files and the emptied directory
    inside the volume, but never `<namespace>/<pvc>` (a live access point's root: pods get
    ESTALE) or the namespace directory, however old and empty they are."""
    volume = mount["volume"]
    (volume / "job2" / "new.bam").unlink()
    touch(volume / "job1" / "old.bam", days_old=ANCIENT, size=2048)
    for directory in (volume / "job1", volume / "job2", volume, volume.parent):
        age(directory, ANCIENT)
    result = _handler(monkeypatch).lambda_handler({"phase": "clean"}, lambda_context)
    assert result["filesDeleted"] == 1
    assert dirs_under(mount["path"] / "volumes") == {"tb-genomics", "tb-genomics/pvc-1"}
    assert result["directoriesRemoved"] == 2  # job1 (emptied) and job2 (old, empty)


def test_file_copied_in_with_an_old_mtime_is_kept(
    mount: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file arriving today through `tar x`, `rsync -a` or `cp -p` keeps its 30-day-old mtime
    but gets a fresh ctime: on the real clock it is kept, because its age is the later of the
    two."""
    copied = mount["volume"] / "restored" / "sample.bam"
    copied.parent.mkdir()
    copied.write_bytes(b"reads")
    stamp = time.time() - 30 * DAY
    os.utime(copied, (stamp, stamp))  # what cp -p does; ctime becomes now
    result = _handler(monkeypatch, real_clock=True).lambda_handler(
        {"phase": "clean"}, lambda_context
    )
    assert copied.exists()
    assert result["filesDeleted"] == 0


def test_summary_survives_a_path_that_is_not_utf8(
    mount: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory whose name is not UTF-8 lands in an error sample (here: refused as deeper
    than 256 levels). The invocation still succeeds and SNS gets the summary, with the bytes
    shown escaped."""
    deep = os.fsencode(mount["volume"]) + b"/caf\xe9-\xff" + b"/d" * 257
    os.makedirs(deep)  # noqa: PTH103 - a bytes path: the name is not UTF-8, Path cannot hold it
    result = _handler(monkeypatch).lambda_handler({"phase": "clean"}, lambda_context)
    assert result["notified"] is True
    assert result["errors"] == 1
    [(_, message)] = sns_messages(mount["topic"])
    assert "caf\\xe9-\\xff/d/d" in message
    message.encode("utf-8")  # strictly encodable, as SNS requires


def test_summary_survives_an_unreadable_directory_with_a_non_utf8_name(
    mount: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reported scenario: a directory named with bytes that are not UTF-8 cannot be opened
    (EACCES; simulated at os.open, since the tests run as root, who may open anything). The
    run reports the error with the name escaped, publishes, and still cleans its sibling."""
    locked_name = os.fsdecode(b"run-\xff\xfe")
    (mount["volume"] / locked_name).mkdir()
    real_open = os.open

    def refusing_open(
        path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None
    ) -> int:
        if path == locked_name:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, mode, dir_fd=dir_fd)

    handler = _handler(monkeypatch)
    monkeypatch.setattr(os, "open", refusing_open)
    result = handler.lambda_handler({"phase": "clean"}, lambda_context)
    assert result["notified"] is True
    assert result["filesDeleted"] == 1  # job1/old.bam, beside the locked directory
    [(_, message)] = sns_messages(mount["topic"])
    assert "open tb-genomics/pvc-1/run-\\xff\\xfe: Permission denied" in message
