"""The reaper's EC2 and STS adapters against moto, and botocore's Stubber for what moto lacks."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from functions.ebs_reaper.aws_types import (
    Ec2Error,
    IdentityError,
    VolumeAttachedError,
    VolumeNotFoundError,
)
from functions.ebs_reaper.ec2_adapter import Ec2Adapter
from functions.ebs_reaper.sts_adapter import StsAdapter
from tests.functions.common.lambda_env import REGION

pytestmark = pytest.mark.moto

MOTO_AMI = "ami-12c6146b"
"""One of the stock AMIs moto ships, so run_instances needs no image look-up."""


@pytest.fixture
def ec2(mocked_aws: None) -> Any:
    return boto3.client("ec2", region_name=REGION)


def _volume(ec2: Any, tags: dict[str, str] | None = None) -> str:
    spec = [
        {
            "ResourceType": "volume",
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        }
    ]
    kwargs: dict[str, Any] = {"AvailabilityZone": f"{REGION}a", "Size": 8}
    if tags:
        kwargs["TagSpecifications"] = spec
    return str(ec2.create_volume(**kwargs)["VolumeId"])


def _attached_volume(ec2: Any) -> str:
    instance = ec2.run_instances(ImageId=MOTO_AMI, MinCount=1, MaxCount=1)["Instances"][0]
    volume_id = _volume(ec2)
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance["InstanceId"], Device="/dev/sdf")
    return volume_id


def test_only_available_volumes_are_listed(ec2: Any) -> None:
    """The status=available filter leaves attached volumes (and instance roots) out."""
    idle = _volume(ec2)
    attached = _attached_volume(ec2)
    listed = {v.volume_id for v in Ec2Adapter(ec2).iter_available()}
    assert idle in listed
    assert attached not in listed


def test_listing_follows_every_page() -> None:
    """DescribeVolumes pages are followed until NextToken runs out (two pages, two requests)."""
    client = boto3.client(
        "ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    expected = {"Filters": [{"Name": "status", "Values": ["available"]}], "MaxResults": 5}
    page = {"State": "available", "Size": 1, "Attachments": [], "Tags": []}
    with Stubber(client) as stub:
        stub.add_response(
            "describe_volumes",
            {"Volumes": [{"VolumeId": "vol-1", **page}], "NextToken": "t1"},
            expected,
        )
        stub.add_response(
            "describe_volumes",
            {"Volumes": [{"VolumeId": "vol-2", **page}]},
            {**expected, "NextToken": "t1"},
        )
        ids = [v.volume_id for v in Ec2Adapter(client, page_size=5).iter_available()]
        stub.assert_no_pending_responses()
    assert ids == ["vol-1", "vol-2"]


def test_deleting_an_attached_volume_is_the_attach_race_error(ec2: Any) -> None:
    """EC2's VolumeInUse becomes VolumeAttachedError, the core's 'attached meanwhile'."""
    attached = _attached_volume(ec2)
    with pytest.raises(VolumeAttachedError) as caught:
        Ec2Adapter(ec2).delete_volume(attached)
    assert caught.value.code == "VolumeInUse"


def test_incorrect_state_on_delete_is_the_attach_race_error() -> None:
    """IncorrectState (volume attaching) also becomes VolumeAttachedError."""
    client = boto3.client(
        "ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.add_client_error("delete_volume", "IncorrectState", "volume is attaching")
        with pytest.raises(VolumeAttachedError):
            Ec2Adapter(client).delete_volume("vol-1")


def test_unknown_volume_is_not_found(ec2: Any) -> None:
    """Describing a deleted volume raises VolumeNotFoundError, not a ClientError."""
    with pytest.raises(VolumeNotFoundError):
        Ec2Adapter(ec2).describe("vol-0123456789abcdef0")


def test_other_errors_become_ec2_errors() -> None:
    """Any other ClientError is an Ec2Error carrying EC2's code."""
    client = boto3.client(
        "ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.add_client_error("create_tags", "UnauthorizedOperation", "denied")
        with pytest.raises(Ec2Error) as caught:
            Ec2Adapter(client).add_tags("vol-1", {"k": "v"})
    assert caught.value.code == "UnauthorizedOperation"


def test_snapshot_is_tagged_on_creation(ec2: Any) -> None:
    """CreateSnapshot carries the tags in the same request; its state is readable by id."""
    volume_id = _volume(ec2)
    adapter = Ec2Adapter(ec2)
    snapshot_id = adapter.create_snapshot(volume_id, "final", {"origin-volume-id": volume_id})
    [snapshot] = ec2.describe_snapshots(SnapshotIds=[snapshot_id])["Snapshots"]
    assert {"Key": "origin-volume-id", "Value": volume_id} in snapshot["Tags"]
    assert adapter.snapshot_state(snapshot_id) in {"pending", "completed"}


def test_marks_are_added_and_removed(ec2: Any) -> None:
    """CreateTags adds mark and sighting beside existing tags; one DeleteTags removes both."""
    volume_id = _volume(ec2, {"project": "tb"})
    adapter = Ec2Adapter(ec2)
    clock = {"unattached-since": "2026-03-01T02:00:00Z", "unattached-seen": "2026-03-02T02:00:00Z"}
    adapter.add_tags(volume_id, clock)
    assert adapter.describe(volume_id).tags == {"project": "tb", **clock}
    adapter.remove_tags(volume_id, ["unattached-since", "unattached-seen"])
    assert adapter.describe(volume_id).tags == {"project": "tb"}


def test_create_time_is_read_as_an_aware_timestamp(ec2: Any) -> None:
    """DescribeVolumes' CreateTime reaches the core timezone-aware, so marks compare to it."""
    volume = Ec2Adapter(ec2).describe(_volume(ec2))
    assert volume.create_time is not None
    assert volume.create_time.utcoffset() is not None


def test_in_use_volumes_with_a_mark_are_listed_for_unmarking(ec2: Any) -> None:
    """Only in-use volumes carrying the mark key come back."""
    attached = _attached_volume(ec2)
    ec2.create_tags(Resources=[attached], Tags=[{"Key": "unattached-since", "Value": "2026-01-01"}])
    _volume(ec2, {"unattached-since": "2026-01-01"})  # available: not for unmarking
    found = [v.volume_id for v in Ec2Adapter(ec2).iter_marked_not_available("unattached-since")]
    assert found == [attached]


def test_region_is_the_clients(ec2: Any) -> None:
    """The adapter reports the region its requests go to, for the account/region guard."""
    assert Ec2Adapter(ec2).region == REGION


def test_caller_account_comes_from_sts(mocked_aws: None) -> None:
    """GetCallerIdentity's account is moto's default account."""
    assert StsAdapter(boto3.client("sts", region_name=REGION)).account_id() == "123456789012"


def test_sts_failure_is_an_identity_error() -> None:
    """An STS error becomes IdentityError, which makes the reaper refuse to run."""
    client = boto3.client(
        "sts", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.add_client_error("get_caller_identity", "ExpiredToken", "expired")
        with pytest.raises(IdentityError):
            StsAdapter(client).account_id()
