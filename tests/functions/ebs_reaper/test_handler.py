"""The reaper's Lambda handler end to end on moto EC2, STS and SNS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.ec2.models import ec2_backends

from functions.common.events import MalformedEventError
from functions.ebs_reaper.core import WrongAccountError
from tests.functions.common.lambda_env import (
    MOTO_ACCOUNT_ID,
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
REAP_EVENT: dict[str, object] = {"mode": "reap"}
"""The monthly deletion schedule's input."""
OBSERVE_EVENT: dict[str, object] = {"mode": "observe"}
"""The daily observation schedule's input."""
MARK = "unattached-since"
SEEN = "unattached-seen"


def _days_ago(days: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=days)).isoformat()


def _observed(days_marked: int, days_seen: int = 1) -> dict[str, str]:
    """Tags of a volume marked `days_marked` days ago and last seen unattached `days_seen`
    days ago by the daily observation."""
    return {MARK: _days_ago(days_marked), SEEN: _days_ago(days_seen)}


def _backdate(volume_id: str, days: int) -> None:
    """Make moto report the volume's CreateTime `days` ago, as EC2 would for an old volume
    (moto stamps every volume with the moment the test created it)."""
    backend = ec2_backends[MOTO_ACCOUNT_ID][REGION]
    backend.volumes[volume_id].create_time = backend.volumes[volume_id].create_time - timedelta(
        days=days
    )


def _create_volume(ec2: Any, tags: dict[str, str], *, age_days: int = 90) -> str:
    """A volume created `age_days` ago (long before any mark the tests give it)."""
    kwargs: dict[str, Any] = {"AvailabilityZone": f"{REGION}a", "Size": 8}
    if tags:
        kwargs["TagSpecifications"] = [
            {"ResourceType": "volume", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    volume_id = str(ec2.create_volume(**kwargs)["VolumeId"])
    _backdate(volume_id, age_days)
    return volume_id


@pytest.fixture
def fleet(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Volumes covering the safety matrix, a topic, and the environment the program sets."""
    ec2 = boto3.client("ec2", region_name=REGION)
    instance = ec2.run_instances(ImageId=MOTO_AMI, MinCount=1, MaxCount=1)["Instances"][0]
    volumes = {
        "new": _create_volume(ec2, {}),
        "due": _create_volume(ec2, {**_observed(45), "project": "tb-genomics"}),
        "young": _create_volume(ec2, _observed(10)),
        "kept": _create_volume(ec2, {**_observed(45), "reaper:keep": "true"}),
        "pvc": _create_volume(ec2, {**_observed(45), "kubernetes.io/created-for/pvc/name": "x"}),
        "attached": _create_volume(ec2, _observed(45)),
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
    result = import_handler(HANDLER).lambda_handler(REAP_EVENT, lambda_context)
    assert result["deleted"] == [volumes["due"]]
    remaining = _existing(ec2)
    assert volumes["due"] not in remaining
    assert {volumes[k] for k in ("new", "young", "kept", "pvc", "attached")} <= remaining
    [snapshot] = _reaper_snapshots(ec2)
    tags = {t["Key"]: t["Value"] for t in snapshot["Tags"]}
    assert (tags["origin-volume-id"], tags["project"]) == (volumes["due"], "tb-genomics")
    assert _tags(ec2, volumes["new"])[MARK].startswith(_days_ago(0) + "T")
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
    result = import_handler(HANDLER).lambda_handler(REAP_EVENT, lambda_context)
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
        import_handler(HANDLER).lambda_handler(REAP_EVENT, lambda_context)
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


def test_observe_schedule_never_deletes_and_reports_what_is_due(
    fleet: dict[str, Any], lambda_context: FakeLambdaContext
) -> None:
    """The daily `observe` run snapshots and deletes nothing, even past grace; it refreshes
    the sighting and says on SNS which volumes the next deletion run will retire."""
    ec2, volumes = fleet["ec2"], fleet["volumes"]
    before = _existing(ec2)
    result = import_handler(HANDLER).lambda_handler(OBSERVE_EVENT, lambda_context)
    assert _existing(ec2) == before
    assert _reaper_snapshots(ec2) == []
    assert result["dueNext"] == [volumes["due"]]
    assert _tags(ec2, volumes["due"])[SEEN].startswith(_days_ago(0) + "T")
    [(subject, _)] = sns_messages(fleet["topic"])
    assert (subject or "").startswith("EBS reaper observe: 1 marked, 1 unmarked, 1 due")


def test_volume_not_observed_since_its_mark_is_not_deleted(
    fleet: dict[str, Any], lambda_context: FakeLambdaContext
) -> None:
    """Marked 45 days ago and last seen unattached 40 days ago: it may have been attached and
    used for weeks in between (nothing looked), so the deletion run restarts its clock and
    keeps it instead of deleting it on the old mark."""
    ec2 = fleet["ec2"]
    stale = _create_volume(ec2, {MARK: _days_ago(45), SEEN: _days_ago(40)})
    result = import_handler(HANDLER).lambda_handler(REAP_EVENT, lambda_context)
    assert stale in _existing(ec2)
    assert stale not in result["deleted"]
    assert _tags(ec2, stale)[MARK].startswith(_days_ago(0) + "T")
    assert "not observed for 40 days" in result["restarted"][stale]


def test_volume_with_a_mark_copied_from_its_snapshot_is_not_deleted(
    fleet: dict[str, Any], lambda_context: FakeLambdaContext
) -> None:
    """A volume restored today from a snapshot, with the source's tags copied (an old mark and
    a recent sighting), is re-marked and kept: a mark older than CreateTime is not its clock."""
    ec2 = fleet["ec2"]
    snapshot = ec2.create_snapshot(VolumeId=fleet["volumes"]["young"])["SnapshotId"]
    restored = ec2.create_volume(
        AvailabilityZone=f"{REGION}a",
        SnapshotId=snapshot,
        TagSpecifications=[
            {
                "ResourceType": "volume",
                "Tags": [{"Key": k, "Value": v} for k, v in _observed(45).items()],
            }
        ],
    )["VolumeId"]
    [described] = ec2.describe_volumes(VolumeIds=[restored])["Volumes"]
    assert described["CreateTime"].date() == datetime.now(UTC).date()  # created today
    result = import_handler(HANDLER).lambda_handler(REAP_EVENT, lambda_context)
    assert restored in _existing(ec2)
    assert restored not in result["deleted"]
    assert "older than the volume" in result["restarted"][restored]


def test_keep_tag_set_to_false_still_keeps_the_volume(
    fleet: dict[str, Any], lambda_context: FakeLambdaContext
) -> None:
    """`reaper:keep=false` opts out like any other value: the IAM policy denies deletion when
    the key exists at all, and the code now agrees instead of trying (or, with a broader role,
    succeeding)."""
    ec2 = fleet["ec2"]
    keep_false = _create_volume(ec2, {**_observed(45), "reaper:keep": "false"})
    result = import_handler(HANDLER).lambda_handler(REAP_EVENT, lambda_context)
    assert keep_false in _existing(ec2)
    skipped = {s["volumeId"]: s["reason"] for s in result["skipped"]}
    assert skipped[keep_false] == "opted out"


def test_quiet_observe_run_publishes_nothing(
    mocked_aws: None, lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A daily pass that only recorded sightings (nothing marked, unmarked, due or failed)
    sends no e-mail; it still records the sighting on the volume."""
    ec2 = boto3.client("ec2", region_name=REGION)
    watched = _create_volume(ec2, _observed(10))
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="ops")["TopicArn"]
    for name, value in {
        "DRY_RUN": "false",
        "TOPIC_ARN": topic,
        "EXPECTED_ACCOUNT_ID": MOTO_ACCOUNT_ID,
        "EXPECTED_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    result = import_handler(HANDLER).lambda_handler(OBSERVE_EVENT, lambda_context)
    assert result["notified"] is False
    assert result["observed"] == 1
    assert sns_messages(topic) == []
    assert _tags(ec2, watched)[SEEN].startswith(_days_ago(0) + "T")
