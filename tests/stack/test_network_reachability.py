"""Every VPC consumer reaches every AWS API its code calls, through the rendered network.

Consumers and what they call:
- VPC-attached Lambda functions: the services of the `boto3.client("<service>")` clients their
  handler builds (module scope holds every client, STYLE.md), plus NFS when they mount EFS. A
  new client in a handler without a path through the VPC fails here.
- the DataSync EFS location's network interfaces: NFS to a mount target only (DataSync
  itself talks to S3 from the service side).
- Batch compute environments: what an ECS container instance needs to join and run jobs
  (ECS, ECR, S3 for image layers, CloudWatch Logs) and NFS (declared below).

A path is: an interface endpoint with private DNS for the service whose security group the
consumer's egress reaches on 443; S3's gateway endpoint and egress to its prefix list on
443; or, for NFS, egress on 2049 to the mount targets' group. ("Connecting outbound
networking to resources in a VPC", Lambda Developer Guide: a VPC function reaches AWS APIs
only through VPC endpoints or a NAT route.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.stack.conftest import ROOT, STACKS, rendered_stack
from tests.support.harness import Registered

_CLIENT = re.compile(r"boto3\.client\(\s*\"([a-z0-9-]+)\"")
# boto3 service name -> VPC endpoint service name (where they differ).
_ENDPOINT_NAME = {"stepfunctions": "states", "cloudwatch": "monitoring"}
NFS = "efs-nfs"
_BATCH_NEEDS = ("ecs", "ecs-agent", "ecr.api", "ecr.dkr", "s3", "logs", NFS)


@dataclass(frozen=True)
class Consumer:
    name: str
    security_groups: tuple[str, ...]
    services: tuple[str, ...]


def handler_services(handler: str) -> tuple[str, ...]:
    """Services whose clients `functions.<package>.handler` builds."""
    package = handler.split(".")[1]
    source = (ROOT / "functions" / package / "handler.py").read_text()
    return tuple(sorted(set(_CLIENT.findall(source))))


def consumers(stack: Registered) -> list[Consumer]:
    found = []
    for function in stack.of_type("aws:lambda/function:Function"):
        vpc = function.inputs.get("vpcConfig")
        if not vpc:
            continue
        services = handler_services(str(function.inputs["handler"]))
        if function.inputs.get("fileSystemConfig"):
            services = (*services, NFS)
        found.append(Consumer(function.name, tuple(vpc["securityGroupIds"]), services))
    for location in stack.of_type("aws:datasync/efsLocation:EfsLocation"):
        groups = [a.rsplit("/", 1)[-1] for a in location.inputs["ec2Config"]["securityGroupArns"]]
        found.append(Consumer(location.name, tuple(groups), (NFS,)))
    return found


def batch_consumers(stack: Registered) -> list[Consumer]:
    return [
        Consumer(env.name, tuple(env.inputs["computeResources"]["securityGroupIds"]), _BATCH_NEEDS)
        for env in stack.of_type("aws:batch/computeEnvironment:ComputeEnvironment")
    ]


def _egress(stack: Registered, groups: tuple[str, ...], port: int) -> list[dict[str, object]]:
    rules = []
    for rule in stack.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"):
        inputs = rule.inputs
        if inputs["securityGroupId"] not in groups:
            continue
        if inputs["ipProtocol"] == "-1" or (
            inputs.get("fromPort") is not None
            and int(inputs["fromPort"]) <= port <= int(inputs["toPort"])
        ):
            rules.append(inputs)
    return rules


def path_to(stack: Registered, consumer: Consumer, service: str) -> str | None:
    """How `consumer` reaches `service`, in words; None when it cannot."""
    if service == NFS:
        mount_groups = {
            g
            for t in stack.of_type("aws:efs/mountTarget:MountTarget")
            for g in t.inputs["securityGroups"]
        }
        for rule in _egress(stack, consumer.security_groups, 2049):
            if rule.get("referencedSecurityGroupId") in mount_groups:
                return f"NFS 2049 to the mount targets' group {rule['referencedSecurityGroupId']}"
        return None
    name = _ENDPOINT_NAME.get(service, service)
    endpoints = [
        e
        for e in stack.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
        if str(e.inputs["serviceName"]).endswith(f".{name}")
    ]
    https = _egress(stack, consumer.security_groups, 443)
    for endpoint in endpoints:
        if endpoint.inputs["vpcEndpointType"] == "Gateway":
            prefix_list = endpoint.outputs.get("prefixListId")
            if any(r.get("prefixListId") == prefix_list for r in https):
                return f"gateway endpoint {endpoint.inputs['serviceName']} (prefix list, 443)"
        elif endpoint.inputs.get("privateDnsEnabled"):
            groups = set(endpoint.inputs.get("securityGroupIds", []))
            if any(r.get("referencedSecurityGroupId") in groups for r in https):
                return f"interface endpoint {endpoint.inputs['serviceName']} (443)"
    # A service without an endpoint here (ECS) is reached through the private subnets' NAT
    # gateways, when the consumer may send HTTPS anywhere.
    nat_routes = [
        r
        for r in stack.of_type("aws:ec2/route:Route")
        if r.inputs.get("natGatewayId") and r.inputs.get("destinationCidrBlock") == "0.0.0.0/0"
    ]
    if nat_routes and any(r.get("cidrIpv4") == "0.0.0.0/0" for r in https):
        return f"NAT gateway (443 to 0.0.0.0/0, {len(nat_routes)} private default routes)"
    return None


def _report(stack: Registered, found: list[Consumer]) -> tuple[list[str], list[str]]:
    lines, missing = [], []
    for consumer in found:
        for service in consumer.services:
            how = path_to(stack, consumer, service)
            lines.append(f"{consumer.name}: {service} -> {how or 'NO PATH'}")
            if how is None:
                missing.append(f"{consumer.name}: {service}")
    return lines, missing


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> Registered:
    return rendered_stack(str(request.param))


def test_every_vpc_function_and_transfer_reaches_what_it_calls(stack: Registered) -> None:
    """The listing per consumer, and no service without a path."""
    found = consumers(stack)
    assert any(c.name.endswith("scratch-cleanup-function") for c in found)
    lines, missing = _report(stack, found)
    assert missing == [], "\n".join(lines)


def test_the_scratch_clean_up_calls_sns_and_reaches_it_through_the_endpoint(
    stack: Registered,
) -> None:
    """The clean-up's before/after notifications go through the SNS interface endpoint."""
    cleanup = next(c for c in consumers(stack) if c.name.endswith("scratch-cleanup-function"))
    assert "sns" in cleanup.services
    assert NFS in cleanup.services
    assert (path_to(stack, cleanup, "sns") or "").startswith("interface endpoint")


def test_batch_container_instances_reach_ecs_ecr_s3_and_logs() -> None:
    """Batch instances reach ECS (no endpoint: NAT), ECR, S3 and Logs, or jobs stay RUNNABLE."""
    stack = rendered_stack("prod")
    found = batch_consumers(stack)
    assert found
    lines, missing = _report(stack, found)
    assert missing == [], "\n".join(lines)
