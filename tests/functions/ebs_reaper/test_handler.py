"""The reaper's Lambda handler end to end on moto EC2, STS and SNS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from functions.common.events import MalformedEventError
from functions.ebs_reaper.core import WrongAccountError
from tests.functions.common.lambda_env import (
    REGION,
    FakeLambdaContext,
    emf_metrics,
    import_handler,
    sns_messages,
)

pytestmark = pytest.mark.moto

MOTO_AMI = "ami-12c6146b"
"""One of the stock AMIs moto ships, so run_instances needs no image look-up."""

HANDLER = "functions.ebs_reaper.handler"
SCHEDULE_EVENT: dict[str, object] = {}
MARK = "unattached-since"


def _days_ago(days: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=days)).isoformat()


def _create_volume(ec2: Any, tags: dict[str, str]) -> str:
    kwargs: dict[str, Any] = {"AvailabilityZone": f"{REGION}a", "Size": 8}
    if tags:
        kwargs["TagSpecifications"] = [
            {"ResourceType": "volume", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    return str(ec2.create_volume(**kwargs)["VolumeId"])


@pytest.fixture
def fleet(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Volumes covering the safety matrix, a topic, and the environment the program sets."""
    ec2 = boto3.client("ec2", region_name=REGION)
    instance = ec2.run_instances(ImageId=MOTO_AMI, MinCount=1, MaxCount=1)["Instances"][0]
    volumes = {
        "new": _create_volume(ec2, {}),
        "due": _create_volume(ec2, {MARK: _days_ago(45), "project": "tb-genomics"}),
        "young": _create_volume(ec2, {MARK: _days_ago(10)}),
        "kept": _create_volume(ec2, {MARK: _days_ago(45), "reaper:keep": "true"}),
        "pvc": _create_volume(
            ec2, {MARK: _days_ago(45), "kubernetes.io/created-for/pvc/name": "data"}
        ),
        "attached": _create_volume(ec2, {MARK: _days_ago(45)}),
    }
    ec2.attach_volume(
        VolumeId=volumes["attached"], InstanceId=instance["InstanceId"], Device="/dev/sdf"
    )
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="ops")["TopicArn"]
    for name, value in {
        "DRY_RUN": "false",
        "TOPIC_ARN": topic,
        "EXPECTED_ACCOUNT_ID": "123456789012",
        "EXPECTED_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    return {"ec2": ec2, "volumes": volumes, "topic": topic}


def _tags(ec2: Any, volume_id: str) -> dict[str, str]:
    [volume] = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"]
    return {t["Key"]: t["Value"] for t in volume.get("Tags", [])}


def _reaper_snapshots(ec2: Any) -> list[dict[str, Any]]:
    """Snapshots the reaper took (moto also holds snapshots behind its stock AMIs)."""
    found = ec2.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "tag-key", "Values": ["origin-volume-id"]}]
    )
    return list(found["Snapshots"])


def _existing(ec2: Any) -> set[str]:
    return {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]}


def test_only_the_due_volume_is_snapshotted_and_deleted(
    fleet: dict[str, Any], lambda_context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    """Of the matrix, only the idle, unprotected volume past its grace goes, after a snapshot;
    the new one is marked, the attached one loses its mark, SNS and EMF say so."""
    ec2, volumes = fleet["ec2"], fleet["volumes"]
    result = import_handler(HANDLER).lambda_handler(SCHEDULE_EVENT, lambda_context)
    assert result["deleted"] == [volumes["due"]]
    remaining = _existing(ec2)
    assert volumes["due"] not in remaining
    assert {volumes[k] for k in ("new", "young", "kept", "pvc", "attached")} <= remaining
    [snapshot] = _reaper_snapshots(ec2)
    tags = {t["Key"]: t["Value"] for t in snapshot["Tags"]}
    assert (tags["origin-volume-id"], tags["project"]) == (volumes["due"], "tb-genomics")
    assert _tags(ec2, volumes["new"])[MARK] == _days_ago(0)
    assert MARK not in _tags(ec2, volumes["attached"])
    [(subject, message)] = sns_messages(fleet["topic"])
    assert subject == "EBS reaper: 1 deleted, 1 marked, 3 skipped"
    assert volumes["due"] in message
    metrics = emf_metrics(capsys.readouterr().out)
    assert (metrics["VolumesDeleted"], metrics["SnapshotsCreated"]) == (1, 1)


def test_dry_run_deletes_and_snapshots_nothing(
    fleet: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With DRY_RUN=true every volume survives, no snapshot exists, the due one is reported."""
    monkeypatch.setenv("DRY_RUN", "true")
    ec2, volumes = fleet["ec2"], fleet["volumes"]
    before = _existing(ec2)
    result = import_handler(HANDLER).lambda_handler(SCHEDULE_EVENT, lambda_context)
    assert _existing(ec2) == before
    assert _reaper_snapshots(ec2) == []
    assert result["wouldDelete"] == [volumes["due"]]
    assert (sns_messages(fleet["topic"])[0][0] or "").startswith("EBS reaper (dry run)")


def test_wrong_account_is_refused_and_nothing_is_touched(
    fleet: dict[str, Any], lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A function configured for another account raises, marks nothing and says so on SNS."""
    monkeypatch.setenv("EXPECTED_ACCOUNT_ID", "111111111111")
    ec2, volumes = fleet["ec2"], fleet["volumes"]
    with pytest.raises(WrongAccountError):
        import_handler(HANDLER).lambda_handler(SCHEDULE_EVENT, lambda_context)
    assert MARK not in _tags(ec2, volumes["new"])
    assert volumes["due"] in _existing(ec2)
    assert (sns_messages(fleet["topic"])[0][0] or "").startswith("EBS reaper REFUSED")


def test_malformed_event_names_the_field(
    fleet: dict[str, Any], lambda_context: FakeLambdaContext
) -> None:
    """`dryRun: false` is refused naming the field, before anything runs."""
    with pytest.raises(MalformedEventError, match="dryRun"):
        import_handler(HANDLER).lambda_handler({"dryRun": False}, lambda_context)
    assert MARK not in _tags(fleet["ec2"], fleet["volumes"]["new"])
