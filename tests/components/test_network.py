"""The network component under the platform mocks: subnets, NAT, endpoints, groups, flow logs."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from components.compute.network import DEFAULT_INTERFACE_ENDPOINT_SERVICES, Network, NetworkArgs
from tests.support.harness import Registered, json_input, record

REGION = "ap-south-1"
ZONES = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE = "aws:ec2/route:Route"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"


def _record(args: NetworkArgs, captured: dict[str, Any] | None = None) -> Registered:
    def build() -> None:
        network = Network("net", args)
        if captured is not None:
            network.private_subnet_ids.apply(lambda ids: captured.update(subnet_ids=ids))

    return record(build)


@pytest.fixture(scope="module")
def new_vpc() -> Registered:
    """A new VPC with the defaults: three zones, one NAT per zone, endpoints, a new log key."""
    return _record({"region": REGION})


@pytest.fixture(scope="module")
def single_nat() -> Registered:
    """A new two-zone VPC sharing one NAT gateway, with a given log key."""
    return _record(
        {
            "region": REGION,
            "availability_zone_count": 2,
            "nat_gateways": "single",
            "log_kms_key_arn": "arn:aws:kms:ap-south-1:111122223333:key/given",
        }
    )


def _private_subnets(registered: Registered) -> list[dict[str, Any]]:
    return [
        r.inputs for r in registered.of_type(SUBNET) if r.inputs["tags"].get("tier") == "private"
    ]


def test_one_private_subnet_per_zone(new_vpc: Registered) -> None:
    """Nodes and mount targets get one private subnet in each of the requested zones."""
    subnets = _private_subnets(new_vpc)
    assert sorted(s["availabilityZone"] for s in subnets) == ZONES
    assert all(s["mapPublicIpOnLaunch"] is False for s in subnets)


def test_private_subnets_do_not_overlap_and_fit_the_vpc(new_vpc: Registered) -> None:
    """Every subnet (private and public) is a distinct block inside the VPC CIDR."""
    vpc = ipaddress.IPv4Network(new_vpc.one(VPC).inputs["cidrBlock"])
    blocks = [ipaddress.IPv4Network(r.inputs["cidrBlock"]) for r in new_vpc.of_type(SUBNET)]
    assert all(block.subnet_of(vpc) for block in blocks)
    assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_one_nat_gateway_per_zone_by_default(new_vpc: Registered) -> None:
    """With one NAT per zone, each private route table sends internet traffic to its own NAT."""
    nats = new_vpc.of_type(NAT)
    assert len(nats) == 3
    for zone in ZONES:
        route = new_vpc.one(ROUTE, f"net-private-{zone}-default")
        nat = new_vpc.one(NAT, f"net-nat-{zone}")
        assert route.property_dependencies["natGatewayId"] == (nat.urn,)


def test_single_nat_gateway_is_shared(single_nat: Registered) -> None:
    """When asked for one NAT, only one public subnet and NAT exist and every zone uses it."""
    assert len(single_nat.of_type(NAT)) == 1
    public = [r for r in single_nat.of_type(SUBNET) if r.inputs["tags"]["tier"] == "public"]
    assert len(public) == 1
    nat_urn = single_nat.one(NAT).urn
    defaults = [r for r in single_nat.of_type(ROUTE) if r.name.startswith("net-private-")]
    assert len(defaults) == 2
    assert all(r.property_dependencies["natGatewayId"] == (nat_urn,) for r in defaults)


def test_no_public_subnets_without_nat() -> None:
    """Without NAT there is no public subnet, internet gateway or default route."""
    registered = _record({"region": REGION, "nat_gateways": "none"})
    assert all(r.inputs["tags"]["tier"] == "private" for r in registered.of_type(SUBNET))
    assert registered.of_type("aws:ec2/internetGateway:InternetGateway") == []
    assert registered.of_type(ROUTE) == []


def test_s3_gateway_endpoint_serves_every_private_route_table(new_vpc: Registered) -> None:
    """Image layers and data-lake objects reach S3 without NAT, from every zone."""
    s3 = new_vpc.one(ENDPOINT, "net-endpoint-s3")
    assert s3.inputs["serviceName"] == f"com.amazonaws.{REGION}.s3"
    assert s3.inputs["vpcEndpointType"] == "Gateway"
    assert len(s3.inputs["routeTableIds"]) == 3


def test_interface_endpoints_nodes_need_have_private_dns(new_vpc: Registered) -> None:
    """ECR, STS, logs, EC2, EFS and the rest are interface endpoints with private DNS."""
    endpoints = {
        r.inputs["serviceName"]: r
        for r in new_vpc.of_type(ENDPOINT)
        if r.inputs["vpcEndpointType"] == "Interface"
    }
    required = {"ecr.api", "ecr.dkr", "sts", "logs", "ec2", "elasticfilesystem", "eks-auth"}
    assert required <= set(DEFAULT_INTERFACE_ENDPOINT_SERVICES)
    assert set(endpoints) == {
        f"com.amazonaws.{REGION}.{service}" for service in DEFAULT_INTERFACE_ENDPOINT_SERVICES
    }
    endpoint_sg = new_vpc.one("aws:ec2/securityGroup:SecurityGroup", "net-endpoint-sg")
    for endpoint in endpoints.values():
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert len(endpoint.inputs["subnetIds"]) == 3
        assert endpoint.property_dependencies["securityGroupIds"] == (endpoint_sg.urn,)


def test_endpoint_group_admits_only_https_from_the_vpc(new_vpc: Registered) -> None:
    """The endpoint security group's single inbound rule is TCP 443 from the VPC CIDR."""
    endpoint_sg = new_vpc.one("aws:ec2/securityGroup:SecurityGroup", "net-endpoint-sg")
    rules = [
        r
        for r in new_vpc.of_type(INGRESS)
        if r.property_dependencies["securityGroupId"] == (endpoint_sg.urn,)
    ]
    assert len(rules) == 1
    inputs = rules[0].inputs
    assert inputs["cidrIpv4"] == new_vpc.one(VPC).inputs["cidrBlock"]
    assert (inputs["ipProtocol"], inputs["fromPort"], inputs["toPort"]) == ("tcp", 443, 443)


def test_no_inbound_rule_is_open_to_the_internet(new_vpc: Registered) -> None:
    """Inbound rules name a security group or the VPC CIDR, never 0.0.0.0/0 or ::/0."""
    for rule in new_vpc.of_type(INGRESS):
        assert rule.inputs.get("cidrIpv4") not in ("0.0.0.0/0",)
        assert "cidrIpv6" not in rule.inputs
        assert "cidrIpv4" in rule.inputs or "referencedSecurityGroupId" in rule.inputs


def test_node_group_admits_only_other_nodes(new_vpc: Registered) -> None:
    """The node security group's inbound rule references the node group itself."""
    rule = new_vpc.one(INGRESS, "net-node-from-node")
    node_sg = new_vpc.one("aws:ec2/securityGroup:SecurityGroup", "net-node-sg")
    assert rule.property_dependencies["referencedSecurityGroupId"] == (node_sg.urn,)
    assert "cidrIpv4" not in rule.inputs


def test_default_security_group_is_emptied(new_vpc: Registered) -> None:
    """The VPC's default group is adopted with no rules, so nothing can use it by accident."""
    default = new_vpc.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert not default.inputs.get("ingress")
    assert not default.inputs.get("egress")


def test_flow_logs_capture_all_traffic_into_a_retained_encrypted_group(new_vpc: Registered) -> None:
    """Flow logs of ALL traffic go to a log group with retention and a KMS key."""
    flow_log = new_vpc.one("aws:ec2/flowLog:FlowLog")
    group = new_vpc.one(LOG_GROUP)
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow_log.property_dependencies["logDestination"] == (group.urn,)
    assert group.inputs["retentionInDays"] == 365
    assert group.property_dependencies["kmsKeyId"] == (new_vpc.one(KEY).urn,)


def test_log_key_rotates_and_is_usable_by_logs_only_for_its_log_groups(
    new_vpc: Registered,
) -> None:
    """The created log key rotates; CloudWatch Logs may use it only for this account's groups."""
    key = new_vpc.one(KEY)
    assert key.inputs["enableKeyRotation"] is True
    statements = json_input(key, "policy")["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    logs = by_sid["CloudWatchLogsEncryptsLogGroups"]
    assert logs["Principal"]["Service"] == f"logs.{REGION}.amazonaws.com"
    assert "kms:Describe*" not in logs["Action"]
    condition = logs["Condition"]["StringLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert condition == f"arn:aws:logs:{REGION}:111122223333:log-group:*"
    describe = by_sid["CloudWatchLogsDescribesKey"]
    assert describe["Principal"] == logs["Principal"]
    assert describe["Action"] == "kms:DescribeKey"
    assert "Condition" not in describe


def test_a_given_log_key_is_used_instead_of_a_new_one(single_nat: Registered) -> None:
    """With log_kms_key_arn, no key is created and the flow log group uses the given one."""
    assert single_nat.of_type(KEY) == []
    group = single_nat.one(LOG_GROUP).inputs
    assert group["kmsKeyId"] == "arn:aws:kms:ap-south-1:111122223333:key/given"


def test_flow_log_role_is_trusted_only_by_flow_logs_of_this_account(new_vpc: Registered) -> None:
    """The flow log role trusts vpc-flow-logs with an aws:SourceAccount guard."""
    role = new_vpc.one("aws:iam/role:Role", "net-flow-logs-role")
    (statement,) = json_input(role, "assumeRolePolicy")["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}


def test_flow_log_role_writes_only_its_group_and_finds_groups_on_star(
    new_vpc: Registered,
) -> None:
    """Stream writes name the flow log group; DescribeLogGroups (no resource level) is on *."""
    policy = new_vpc.one("aws:iam/rolePolicy:RolePolicy", "net-flow-logs-write")
    by_sid = {s["Sid"]: s for s in json_input(policy, "policy")["Statement"]}
    write = by_sid["WriteFlowLogRecords"]
    assert "logs:DescribeLogGroups" not in write["Action"]
    assert "*" not in write["Resource"]
    assert by_sid["FindFlowLogGroup"]["Action"] == "logs:DescribeLogGroups"
    assert by_sid["FindFlowLogGroup"]["Resource"] == "*"


def test_existing_vpc_is_used_without_creating_a_vpc_or_subnets() -> None:
    """An existing VPC gets groups and flow logs, and its subnets pass through unchanged."""
    captured: dict[str, Any] = {}
    subnets = ["subnet-0a1", "subnet-0b2"]
    registered = _record(
        {
            "region": REGION,
            "existing_vpc_id": "vpc-0abc1234def567890",
            "existing_private_subnet_ids": subnets,
        },
        captured,
    )
    assert registered.of_type(VPC) == registered.of_type(SUBNET) == registered.of_type(NAT) == []
    assert registered.of_type(ENDPOINT) == []
    assert registered.one("aws:ec2/flowLog:FlowLog").inputs["vpcId"] == "vpc-0abc1234def567890"
    assert captured["subnet_ids"] == subnets


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"availability_zone_count": 4}, "availability_zone_count 4 is unsupported"),
        ({"vpc_cidr": "8.8.0.0/16"}, "vpc_cidr 8.8.0.0/16 must be a private IPv4 CIDR"),
        ({"vpc_cidr": "10.0.0.0/24"}, "vpc_cidr 10.0.0.0/24 must be a private IPv4 CIDR"),
        (
            {"existing_vpc_id": "vpc-0abc1234", "existing_private_subnet_ids": ["subnet-0a1"]},
            "existing_private_subnet_ids must list at least two",
        ),
        ({"existing_private_subnet_ids": ["subnet-0a1", "subnet-0b2"]}, "needs existing_vpc_id"),
        ({"flow_log_retention_days": 10}, "flow_log_retention_days 10 is not a CloudWatch"),
        ({"interface_endpoint_services": ["com.amazonaws.ap-south-1.sts"]}, "short service name"),
    ],
    ids=[
        "zones",
        "public-cidr",
        "small-cidr",
        "one-subnet",
        "subnets-no-vpc",
        "retention",
        "endpoint-name",
    ],
)
def test_invalid_args_fail_with_a_message_naming_the_input(
    args: dict[str, Any], message: str
) -> None:
    """Bad inputs fail at construction, naming the input and what to use instead."""
    with pytest.raises(ValueError, match=message):
        _record({"region": REGION, **args})  # type: ignore[typeddict-item]
