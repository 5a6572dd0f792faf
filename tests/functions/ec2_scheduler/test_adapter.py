"""The scheduler's EC2 adapter against moto (and Stubber for refusals moto does not model)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from functions.ec2_scheduler.aws_types import InstanceStateError, StopProtectedError
from functions.ec2_scheduler.ec2_adapter import Ec2Adapter
from tests.functions.common.lambda_env import REGION

pytestmark = pytest.mark.moto

MOTO_AMI = "ami-12c6146b"
OPT_IN = "schedule:test-hours"


def _launch(ec2: Any, count: int, tags: dict[str, str]) -> list[str]:
    """`count` instances in as many reservations (DescribeInstances pages by reservation)."""
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    return [
        ec2.run_instances(ImageId=MOTO_AMI, MinCount=1, MaxCount=1, TagSpecifications=spec)[
            "Instances"
        ][0]["InstanceId"]
        for _ in range(count)
    ]


def test_listing_follows_every_page(mocked_aws: None) -> None:
    """With a page size of 5, all 12 opted-in instances are seen (moto pages the answer)."""
    ec2 = boto3.client("ec2", region_name=REGION)
    launched = set(_launch(ec2, 12, {OPT_IN: "true"}))
    _launch(ec2, 3, {"Name": "not-opted-in"})
    seen = {i.instance_id for i in Ec2Adapter(ec2, page_size=5).iter_opted_in(OPT_IN, "running")}
    assert seen == launched


def test_stop_and_start_change_state(mocked_aws: None) -> None:
    """Stop answers `stopping`; once stopped, start answers `pending`."""
    ec2 = boto3.client("ec2", region_name=REGION)
    [iid] = _launch(ec2, 1, {OPT_IN: "true"})
    adapter = Ec2Adapter(ec2)
    assert adapter.stop(iid) == "stopping"
    assert [i.instance_id for i in adapter.iter_opted_in(OPT_IN, "stopped")] == [iid]
    assert adapter.start(iid) == "pending"


@pytest.mark.parametrize(
    ("code", "error"),
    [("IncorrectInstanceState", InstanceStateError), ("OperationNotPermitted", StopProtectedError)],
)
def test_refusals_become_domain_errors(code: str, error: type[Exception]) -> None:
    """EC2's refusal codes map to the errors the core treats as skips."""
    client = boto3.client(
        "ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.add_client_error("stop_instances", code, "refused")
        with pytest.raises(error):
            Ec2Adapter(client).stop("i-1")
