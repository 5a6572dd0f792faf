"""Batch: EFS over TLS with IAM via the access point, IMDSv2, private subnets, least privilege."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from components.lab.batch import LabBatch, LabBatchArgs, alignment_job_definition_name
from pipelines.definition import alignment_workflow
from pipelines.runner import scripts_by_call
from tests.support.harness import Registered, json_input, record

ARGS: LabBatchArgs = {
    "vpc_id": "vpc-0abc",
    "private_subnet_ids": ["subnet-0a1", "subnet-0b2"],
    "security_group_id": "sg-0abc",
    "efs_file_system_id": "fs-0abc",
    "efs_access_point_id": "fsap-0abc",
    "kms_key_arn": "arn:aws:kms:ap-south-1:111122223333:key/abc",
    "log_retention_days": 90,
    "input_bucket_arns": ["arn:aws:s3:::gen-raw", "arn:aws:s3:::gen-ref"],
    "output_bucket_arn": "arn:aws:s3:::gen-processed",
    "max_vcpus": 128,
}


def _run(factory: Callable[[], object]) -> Registered:
    """Record what `factory` registers (record() wants a builder that returns None)."""

    def build() -> None:
        factory()

    return record(build)


@pytest.fixture(scope="module")
def registered() -> Registered:
    """The Batch environment on Spot."""
    return _run(lambda: LabBatch("lab-batch", ARGS))


CALLS = list(scripts_by_call())


def _container(registered: Registered, call: str = "align_bwa") -> dict[str, Any]:
    definition = registered.one(
        "aws:batch/jobDefinition:JobDefinition", alignment_job_definition_name("lab-batch", call)
    )
    properties: dict[str, Any] = json_input(definition, "containerProperties")
    return properties


@pytest.mark.parametrize("call", CALLS)
def test_each_call_runs_its_rendered_task_in_its_pinned_image(
    registered: Registered, call: str
) -> None:
    """One job definition per workflow call: the WDL's command, the WDL's digest via ECR."""
    script = scripts_by_call()[call]
    container = _container(registered, call)
    assert container["command"] == ["bash", "-c", script.script]
    pin = alignment_workflow().images()[script.image_input]
    repository_and_digest = pin.removeprefix("quay.io/")
    assert container["image"] == (
        f"111122223333.dkr.ecr.ap-south-1.amazonaws.com/quay/{repository_and_digest}"
    )


def test_threads_follow_the_job_vcpus(registered: Registered) -> None:
    """The aligners use as many threads as the job has vCPUs."""
    environment = {e["name"]: e["value"] for e in _container(registered)["environment"]}
    assert environment["threads"] == "8"
    assert environment["PROJECTS_ROOT"] == "/mnt/projects"


@pytest.mark.parametrize("call", CALLS)
def test_job_mounts_efs_with_transit_encryption_and_iam(registered: Registered, call: str) -> None:
    """The EFS volume uses TLS and IAM authorization through the access point."""
    volumes = _container(registered, call)["volumes"]
    (volume,) = [v for v in volumes if "efsVolumeConfiguration" in v]
    efs = volume["efsVolumeConfiguration"]
    assert efs["fileSystemId"] == "fs-0abc"
    assert efs["transitEncryption"] == "ENABLED"
    assert efs["authorizationConfig"] == {"accessPointId": "fsap-0abc", "iam": "ENABLED"}


@pytest.mark.parametrize("call", CALLS)
def test_container_is_unprivileged_with_read_only_root(registered: Registered, call: str) -> None:
    """No privileged mode; the root file system is read-only."""
    container = _container(registered, call)
    assert container["privileged"] is False
    assert container["readonlyRootFilesystem"] is True


def test_compute_environment_uses_spot_in_private_subnets(registered: Registered) -> None:
    """SPOT with price-capacity-optimized allocation, max vCPUs, subnets and SG from Args."""
    resources = registered.one("aws:batch/computeEnvironment:ComputeEnvironment").inputs[
        "computeResources"
    ]
    assert resources["type"] == "SPOT"
    assert resources["allocationStrategy"] == "SPOT_PRICE_CAPACITY_OPTIMIZED"
    assert resources["maxVcpus"] == 128
    assert resources["subnets"] == ARGS["private_subnet_ids"]
    (https_out,) = registered.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert resources["securityGroupIds"] == [https_out.inputs["securityGroupId"], "sg-0abc"]


def test_instances_may_reach_aws_apis_over_https_only(registered: Registered) -> None:
    """The instances' own group opens HTTPS out (ECS, ECR, Logs, S3) and nothing in."""
    egress = registered.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert [(r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"]) for r in egress] == [
        ("tcp", 443, 443)
    ]
    assert not registered.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")


def test_on_demand_when_spot_is_off() -> None:
    """use_spot=False gives an EC2 environment."""
    registered = _run(lambda: LabBatch("lab-batch", {**ARGS, "use_spot": False}))
    resources = registered.one("aws:batch/computeEnvironment:ComputeEnvironment").inputs
    assert resources["computeResources"]["type"] == "EC2"


def test_launch_template_requires_imdsv2(registered: Registered) -> None:
    """Instances only answer token-based metadata requests."""
    template = registered.one("aws:ec2/launchTemplate:LaunchTemplate").inputs
    assert template["metadataOptions"]["httpTokens"] == "required"


def test_job_role_mounts_only_through_the_access_point(registered: Registered) -> None:
    """EFS client actions are conditioned on the access point ARN."""
    policies = registered.of_type("aws:iam/rolePolicy:RolePolicy")
    statements = {
        s["Sid"]: s for p in policies for s in json.loads(p.inputs["policy"])["Statement"]
    }
    mount = statements["MountProjectsThroughAccessPoint"]
    assert mount["Condition"]["ArnEquals"]["elasticfilesystem:AccessPointArn"].endswith(
        ":access-point/fsap-0abc"
    )
    assert statements["WriteAlignedOutput"]["Resource"] == ["arn:aws:s3:::gen-processed/projects/*"]


def test_job_queue_feeds_the_environment(registered: Registered) -> None:
    """The queue is enabled and ordered onto the compute environment."""
    queue = registered.one("aws:batch/jobQueue:JobQueue").inputs
    assert queue["state"] == "ENABLED"
    assert queue["computeEnvironmentOrders"][0]["computeEnvironment"].startswith("arn:aws:batch:")


def test_oversized_job_is_refused() -> None:
    """A job bigger than the environment names both inputs."""
    with pytest.raises(ValueError, match="job_vcpus exceeds max_vcpus"):
        _run(lambda: LabBatch("b", {**ARGS, "job_vcpus": 512}))
