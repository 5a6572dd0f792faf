"""The platform network: a private VPC across availability zones, or an existing one.

Nodes and EFS mount targets live in private subnets; public subnets exist only to hold NAT
gateways. Nodes reach AWS APIs through VPC endpoints (an S3 gateway endpoint and interface
endpoints with private DNS), so image pulls, STS, logs and EFS keep working without internet
egress. Flow logs of every accepted and rejected packet go to a KMS-encrypted log group.

Availability zone names are derived from the region and the letters a, b, c (ap-south-1a, …)
rather than looked up with `get_availability_zones`: the names are then plain strings at
construction, so the subnet plan, the mount-target-per-zone rule and their validation run
before anything is registered. Both India regions have zones a, b and c; `availability_zones`
overrides the derivation for a region whose letters differ.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import service_trust_policy
from components.compute.documents import (
    flow_log_permissions,
    key_policy,
    logs_service_key_statements,
    render,
)
from contracts.facts import LOG_RETENTION_DAYS

__all__ = [
    "DEFAULT_INTERFACE_ENDPOINT_SERVICES",
    "Network",
    "NetworkArgs",
    "PlacedSubnet",
]

DEFAULT_INTERFACE_ENDPOINT_SERVICES: Final = (
    "ecr.api",  # image manifests
    "ecr.dkr",  # image layers (served from S3 through the gateway endpoint)
    "sts",  # IRSA web-identity and role assumption
    "eks-auth",  # EKS Pod Identity credential exchange
    "eks",  # EKS API for node bootstrap and controllers
    "logs",  # container and flow logs
    "monitoring",  # CloudWatch metrics (Container Insights)
    "ec2",  # VPC CNI ENI management, node metadata
    "elasticfilesystem",  # EFS CSI driver: access points, mount target discovery
    "sns",  # summaries of the VPC-attached functions (scratch clean-up)
)
"""Interface endpoints nodes need to run without internet egress."""

NatGateways = Literal["one-per-az", "single", "none"]

_ZONE_LETTERS: Final = ("a", "b", "c")
_SERVICE: Final = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


class PlacedSubnet(TypedDict):
    """A subnet and the availability zone it lives in."""

    subnet_id: pulumi.Input[str]
    """The subnet id."""
    availability_zone: pulumi.Input[str]
    """Its availability zone name; known at construction for subnets this component creates."""


class NetworkArgs(TypedDict):
    """Inputs of the platform network."""

    region: str
    """Region of the VPC; names the endpoint services and, by default, the zones."""
    vpc_cidr: NotRequired[str]
    """CIDR of a new VPC, private and /20 or larger; default 10.40.0.0/16."""
    availability_zone_count: NotRequired[int]
    """Zones a new VPC spans (2 or 3); default 3."""
    availability_zones: NotRequired[Sequence[str]]
    """Explicit zone names, overriding region + a/b/c; their count wins over the count."""
    nat_gateways: NotRequired[NatGateways]
    """NAT gateways of a new VPC: one per zone (default), a single shared one, or none."""
    existing_vpc_id: NotRequired[str]
    """Use this VPC instead of creating one; no subnets, NAT or endpoints are created in it."""
    existing_private_subnet_ids: NotRequired[Sequence[str]]
    """Private subnets of the existing VPC, one per zone, at least two zones."""
    create_endpoints: NotRequired[bool]
    """Create the S3 gateway and interface endpoints; default true for a new VPC only."""
    interface_endpoint_services: NotRequired[Sequence[str]]
    """Interface endpoint services (e.g. `ecr.api`); default DEFAULT_INTERFACE_ENDPOINT_SERVICES."""
    flow_log_retention_days: NotRequired[int]
    """Days flow log records are kept; a CloudWatch Logs retention value; default 365."""
    log_kms_key_arn: NotRequired[pulumi.Input[str]]
    """KMS key for the log groups; default a new key with rotation that only logs may use."""


class Network(pulumi.ComponentResource):
    """A private VPC (or an existing one) ready for EKS nodes and EFS mount targets."""

    vpc_id: pulumi.Output[str]
    """The VPC id."""
    vpc_cidr: pulumi.Output[str]
    """The VPC's primary CIDR; endpoint and node security groups admit it."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Private subnets, one per zone: nodes, mount targets and endpoints live here."""
    private_subnets: list[PlacedSubnet]
    """The private subnets with their zones, for consumers that place one thing per zone."""
    availability_zones: list[str]
    """Zone names of a new VPC (empty for an existing one, whose zones are looked up)."""
    public_subnet_ids: pulumi.Output[list[str]]
    """Public subnets holding NAT gateways; empty when there is no NAT."""
    node_security_group_id: pulumi.Output[str]
    """Security group of the worker nodes; other groups admit traffic from it by reference."""
    endpoint_security_group_id: pulumi.Output[str]
    """Security group of the interface endpoints (HTTPS from the VPC only)."""
    api_client_security_group_id: pulumi.Output[str]
    """Group for VPC-attached functions and jobs: HTTPS egress to the interface endpoints and
    to S3 through its gateway endpoint, nothing else."""
    flow_log_group_name: pulumi.Output[str]
    """Log group receiving the VPC flow logs."""
    log_kms_key_arn: pulumi.Output[str]
    """KMS key encrypting the platform's log groups; the cluster reuses it."""

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:network:Network", name, None, opts)
        self._name = name
        self._args = args
        self._region = args["region"]
        self._retention = args.get("flow_log_retention_days", 365)
        existing_vpc_id = args.get("existing_vpc_id", "")
        _validate(args)
        self._child = pulumi.ResourceOptions(parent=self)
        self._invoke = pulumi.InvokeOutputOptions(parent=self)
        self._account_id = aws.get_caller_identity_output(opts=self._invoke).account_id

        public_ids: list[pulumi.Output[str]] = []
        if existing_vpc_id:
            self._adopt_existing_vpc(existing_vpc_id, args.get("existing_private_subnet_ids", ()))
        else:
            public_ids = self._create_vpc()
        self._create_security_groups()
        if args.get("create_endpoints", not existing_vpc_id):
            self._create_endpoints()
        self._create_flow_logs()

        self.private_subnet_ids = pulumi.Output.all(
            *[subnet["subnet_id"] for subnet in self.private_subnets]
        ).apply(list)
        self.public_subnet_ids = pulumi.Output.all(*public_ids).apply(list)
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "vpcCidr": self.vpc_cidr,
                "privateSubnetIds": self.private_subnet_ids,
                "publicSubnetIds": self.public_subnet_ids,
                "nodeSecurityGroupId": self.node_security_group_id,
                "endpointSecurityGroupId": self.endpoint_security_group_id,
                "apiClientSecurityGroupId": self.api_client_security_group_id,
                "flowLogGroupName": self.flow_log_group_name,
                "logKmsKeyArn": self.log_kms_key_arn,
            }
        )

    # ---- VPC ----

    def _adopt_existing_vpc(self, vpc_id: str, subnet_ids: Sequence[str]) -> None:
        """Look up the existing VPC's CIDR and each subnet's zone; create nothing in it yet."""
        vpc = aws.ec2.get_vpc_output(id=vpc_id, opts=self._invoke)
        self.vpc_id = pulumi.Output.from_input(vpc_id)
        self.vpc_cidr = vpc.cidr_block
        self.availability_zones = []
        self.private_subnets = [
            PlacedSubnet(
                subnet_id=subnet_id,
                availability_zone=aws.ec2.get_subnet_output(
                    id=subnet_id, opts=self._invoke
                ).availability_zone,
            )
            for subnet_id in subnet_ids
        ]
        self._private_route_table_ids: list[pulumi.Output[str]] = []
        self._has_internet_egress = True

    def _create_vpc(self) -> list[pulumi.Output[str]]:
        """VPC, subnets, NAT and routes; returns the public subnet ids."""
        cidr = self._args.get("vpc_cidr", "10.40.0.0/16")
        zones = _zones(self._args)
        self.availability_zones = zones
        vpc = aws.ec2.Vpc(
            f"{self._name}-vpc",
            cidr_block=cidr,
            enable_dns_support=True,  # private DNS of interface endpoints needs both
            enable_dns_hostnames=True,
            opts=self._child,
        )
        self.vpc_id = vpc.id
        self.vpc_cidr = vpc.cidr_block
        # The default group allows all traffic between its members; adopting it with no rules
        # makes anything accidentally launched into it unreachable (CIS AWS 5.4).
        aws.ec2.DefaultSecurityGroup(f"{self._name}-default-sg", vpc_id=vpc.id, opts=self._child)

        private_cidrs, public_cidrs = _subnet_plan(cidr, len(zones))
        nat_mode: NatGateways = self._args.get("nat_gateways", "one-per-az")
        self._has_internet_egress = nat_mode != "none"
        self.private_subnets = []
        self._private_route_table_ids = []
        private_tables: list[aws.ec2.RouteTable] = []
        for zone, block in zip(zones, private_cidrs, strict=True):
            subnet = aws.ec2.Subnet(
                f"{self._name}-private-{zone}",
                vpc_id=vpc.id,
                cidr_block=block,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={"kubernetes.io/role/internal-elb": "1", "tier": "private"},
                opts=self._child,
            )
            table = aws.ec2.RouteTable(
                f"{self._name}-private-{zone}-rt", vpc_id=vpc.id, opts=self._child
            )
            aws.ec2.RouteTableAssociation(
                f"{self._name}-private-{zone}-rta",
                subnet_id=subnet.id,
                route_table_id=table.id,
                opts=self._child,
            )
            self.private_subnets.append(PlacedSubnet(subnet_id=subnet.id, availability_zone=zone))
            self._private_route_table_ids.append(table.id)
            private_tables.append(table)
        if nat_mode == "none":
            return []
        return self._create_nat(vpc, zones, public_cidrs, private_tables, nat_mode)

    def _create_nat(
        self,
        vpc: aws.ec2.Vpc,
        zones: list[str],
        public_cidrs: list[str],
        private_tables: list[aws.ec2.RouteTable],
        nat_mode: NatGateways,
    ) -> list[pulumi.Output[str]]:
        """Public subnets with NAT gateways; each private table routes to its zone's NAT."""
        gateway = aws.ec2.InternetGateway(f"{self._name}-igw", vpc_id=vpc.id, opts=self._child)
        public_table = aws.ec2.RouteTable(
            f"{self._name}-public-rt", vpc_id=vpc.id, opts=self._child
        )
        aws.ec2.Route(
            f"{self._name}-public-default",
            route_table_id=public_table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=gateway.id,
            opts=self._child,
        )
        nat_zones = zones if nat_mode == "one-per-az" else zones[:1]
        public_ids: list[pulumi.Output[str]] = []
        nats: list[aws.ec2.NatGateway] = []
        for zone, block in zip(nat_zones, public_cidrs, strict=False):
            subnet = aws.ec2.Subnet(
                f"{self._name}-public-{zone}",
                vpc_id=vpc.id,
                cidr_block=block,
                availability_zone=zone,
                map_public_ip_on_launch=False,  # only NAT gateways live here, with their own EIPs
                tags={"kubernetes.io/role/elb": "1", "tier": "public"},
                opts=self._child,
            )
            aws.ec2.RouteTableAssociation(
                f"{self._name}-public-{zone}-rta",
                subnet_id=subnet.id,
                route_table_id=public_table.id,
                opts=self._child,
            )
            address = aws.ec2.Eip(f"{self._name}-nat-{zone}-eip", domain="vpc", opts=self._child)
            nats.append(
                aws.ec2.NatGateway(
                    f"{self._name}-nat-{zone}",
                    allocation_id=address.id,
                    subnet_id=subnet.id,
                    # A NAT gateway needs the internet gateway attached before it can route.
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[gateway]),
                )
            )
            public_ids.append(subnet.id)
        for index, (zone, table) in enumerate(zip(zones, private_tables, strict=True)):
            nat = nats[index] if nat_mode == "one-per-az" else nats[0]
            aws.ec2.Route(
                f"{self._name}-private-{zone}-default",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=self._child,
            )
        return public_ids

    # ---- security groups ----

    def _create_security_groups(self) -> None:
        """Node and endpoint groups; inbound rules reference groups or the VPC CIDR only."""
        node = aws.ec2.SecurityGroup(
            f"{self._name}-node-sg",
            vpc_id=self.vpc_id,
            description="EKS worker nodes of the genomics platform",
            opts=self._child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-node-from-node",
            security_group_id=node.id,
            referenced_security_group_id=node.id,
            ip_protocol="-1",
            description="Pod and node traffic between worker nodes",
            opts=self._child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-node-to-vpc",
            security_group_id=node.id,
            cidr_ipv4=self.vpc_cidr,
            ip_protocol="-1",
            description="Nodes, control plane, endpoints, EFS and DNS inside the VPC",
            opts=self._child,
        )
        if self._has_internet_egress:
            aws.vpc.SecurityGroupEgressRule(
                f"{self._name}-node-https-out",
                security_group_id=node.id,
                cidr_ipv4="0.0.0.0/0",
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description="HTTPS to public registries and partner APIs through NAT",
                opts=self._child,
            )
        endpoint = aws.ec2.SecurityGroup(
            f"{self._name}-endpoint-sg",
            vpc_id=self.vpc_id,
            description="Interface VPC endpoints: HTTPS from inside the VPC only",
            opts=self._child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-endpoint-https-from-vpc",
            security_group_id=endpoint.id,
            cidr_ipv4=self.vpc_cidr,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS from nodes, control plane and in-VPC functions",
            opts=self._child,
        )
        # VPC-attached functions have no route but the VPC's: they reach AWS APIs through
        # the interface endpoints (private DNS) and S3 through its gateway endpoint, so their
        # group allows HTTPS to exactly those. "Connecting outbound networking to resources
        # in a VPC" (Lambda Developer Guide): a VPC function needs an endpoint or NAT route.
        api_client = aws.ec2.SecurityGroup(
            f"{self._name}-api-client-sg",
            vpc_id=self.vpc_id,
            description="VPC functions and jobs: HTTPS to the AWS API endpoints only",
            opts=self._child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-api-client-to-endpoints",
            security_group_id=api_client.id,
            referenced_security_group_id=endpoint.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS to the interface endpoints (SNS, STS, logs, ...)",
            opts=self._child,
        )
        self._node_sg = node
        self._api_client_sg = api_client
        self.node_security_group_id = node.id
        self.endpoint_security_group_id = endpoint.id
        self.api_client_security_group_id = api_client.id

    # ---- endpoints ----

    def _create_endpoints(self) -> None:
        """S3 gateway endpoint on every private route table and interface endpoints."""
        services = self._args.get(
            "interface_endpoint_services", DEFAULT_INTERFACE_ENDPOINT_SERVICES
        )
        if self._private_route_table_ids:  # route tables of an existing VPC are not ours
            self._create_s3_gateway_endpoint()
        subnet_ids = [subnet["subnet_id"] for subnet in self.private_subnets]
        for service in services:
            aws.ec2.VpcEndpoint(
                f"{self._name}-endpoint-{service.replace('.', '-')}",
                vpc_id=self.vpc_id,
                service_name=f"com.amazonaws.{self._region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=subnet_ids,
                security_group_ids=[self.endpoint_security_group_id],
                opts=self._child,
            )

    def _create_s3_gateway_endpoint(self) -> None:
        """S3 through the private route tables, and node egress to S3's prefix list."""
        s3 = aws.ec2.VpcEndpoint(
            f"{self._name}-endpoint-s3",
            vpc_id=self.vpc_id,
            service_name=f"com.amazonaws.{self._region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=self._private_route_table_ids,
            opts=self._child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-node-to-s3",
            security_group_id=self._node_sg.id,
            prefix_list_id=s3.prefix_list_id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS to S3 through the gateway endpoint (image layers, data lake)",
            opts=self._child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-api-client-to-s3",
            security_group_id=self._api_client_sg.id,
            prefix_list_id=s3.prefix_list_id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS to S3 through the gateway endpoint",
            opts=self._child,
        )

    # ---- flow logs ----

    def _create_flow_logs(self) -> None:
        """Flow logs of all traffic into a retained, KMS-encrypted log group."""
        key_arn = self._args.get("log_kms_key_arn")
        if key_arn is None:
            key = aws.kms.Key(
                f"{self._name}-logs-key",
                description="Encrypts the genomics platform's CloudWatch log groups",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=render(
                    key_policy(
                        self._account_id,
                        *logs_service_key_statements(self._region, self._account_id),
                    )
                ),
                opts=self._child,
            )
            aws.kms.Alias(
                f"{self._name}-logs-key-alias",
                name=f"alias/{self._name}-logs",
                target_key_id=key.key_id,
                opts=self._child,
            )
            key_arn = key.arn
        self.log_kms_key_arn = pulumi.Output.from_input(key_arn)
        group = aws.cloudwatch.LogGroup(
            f"{self._name}-flow-logs",
            name=f"/aws/vpc/flow-logs/{self._name}",
            retention_in_days=self._retention,
            kms_key_id=self.log_kms_key_arn,
            opts=self._child,
        )
        role = aws.iam.Role(
            f"{self._name}-flow-logs-role",
            description="Lets VPC flow logs write into the platform's flow log group",
            assume_role_policy=service_trust_policy(
                "vpc-flow-logs.amazonaws.com", self._account_id
            ).render(),
            opts=self._child,
        )
        aws.iam.RolePolicy(
            f"{self._name}-flow-logs-write",
            role=role.id,
            policy=render(flow_log_permissions(group.arn)),
            opts=self._child,
        )
        aws.ec2.FlowLog(
            f"{self._name}-flow-log",
            vpc_id=self.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            opts=self._child,
        )
        self.flow_log_group_name = group.name


def _zones(args: NetworkArgs) -> list[str]:
    """Zone names: explicit ones, else region + a/b/c for the requested count."""
    explicit = args.get("availability_zones")
    if explicit:
        return list(explicit)
    return [f"{args['region']}{letter}" for letter in _ZONE_LETTERS][
        : args.get("availability_zone_count", 3)
    ]


def _subnet_plan(cidr: str, zones: int) -> tuple[list[str], list[str]]:
    """Private subnets get a quarter of the VPC each (pods take VPC IPs); public ones share
    the last quarter in eighths, since they only hold NAT gateways."""
    quarters = list(ipaddress.IPv4Network(cidr).subnets(prefixlen_diff=2))
    public = list(quarters[3].subnets(prefixlen_diff=3))
    return [str(block) for block in quarters[:zones]], [str(block) for block in public[:zones]]


def _validate(args: NetworkArgs) -> None:
    """Reject inputs that would fail late in AWS, naming the input and the fix."""
    region = args["region"]
    if not re.fullmatch(r"[a-z]{2}(-gov)?-[a-z]+-\d", region):
        raise ValueError(f"NetworkArgs.region {region!r} must be a region code such as ap-south-1")
    retention = args.get("flow_log_retention_days", 365)
    if retention not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"NetworkArgs.flow_log_retention_days {retention} is not a CloudWatch Logs "
            f"retention; use one of {LOG_RETENTION_DAYS}"
        )
    for service in args.get("interface_endpoint_services", ()):
        if not _SERVICE.fullmatch(service) or service.startswith("com."):
            raise ValueError(
                f"NetworkArgs.interface_endpoint_services entry {service!r} must be a short "
                "service name such as 'ecr.api' (the com.amazonaws.<region>. prefix is added)"
            )
    if args.get("existing_vpc_id"):
        _validate_existing(args)
    else:
        _validate_new(args)


def _validate_existing(args: NetworkArgs) -> None:
    subnets = list(args.get("existing_private_subnet_ids", ()))
    if len(subnets) < 2 or len(set(subnets)) != len(subnets):
        raise ValueError(
            "NetworkArgs.existing_private_subnet_ids must list at least two distinct private "
            "subnets of existing_vpc_id, one per availability zone, e.g. "
            "['subnet-0a1', 'subnet-0b2']"
        )


def _validate_new(args: NetworkArgs) -> None:
    if args.get("existing_private_subnet_ids"):
        raise ValueError(
            "NetworkArgs.existing_private_subnet_ids needs existing_vpc_id (the VPC they belong "
            "to); set it, or drop the subnets to create a new VPC"
        )
    count = args.get("availability_zone_count", 3)
    if count not in (2, 3):
        raise ValueError(
            f"NetworkArgs.availability_zone_count {count} is unsupported; use 2 or 3 (EFS and "
            "EKS need at least two zones, the subnet plan holds three)"
        )
    explicit = list(args.get("availability_zones", ()))
    if explicit and (
        not 2 <= len(explicit) <= 3
        or len(set(explicit)) != len(explicit)
        or any(not zone.startswith(args["region"]) for zone in explicit)
    ):
        raise ValueError(
            f"NetworkArgs.availability_zones {explicit} must name 2 or 3 distinct zones of "
            f"{args['region']}, e.g. ['{args['region']}a', '{args['region']}b']"
        )
    cidr = args.get("vpc_cidr", "10.40.0.0/16")
    try:
        network = ipaddress.ip_network(cidr)
    except ValueError as error:
        raise ValueError(
            f"NetworkArgs.vpc_cidr {cidr!r} is not an IPv4 CIDR; use one such as 10.40.0.0/16"
        ) from error
    if network.version != 4 or not network.is_private or not 16 <= network.prefixlen <= 20:
        raise ValueError(
            f"NetworkArgs.vpc_cidr {cidr} must be a private IPv4 CIDR from /16 to /20, "
            "e.g. 10.40.0.0/16"
        )
    nat = args.get("nat_gateways", "one-per-az")
    if nat not in ("one-per-az", "single", "none"):
        raise ValueError(
            f"NetworkArgs.nat_gateways {nat!r} must be 'one-per-az', 'single' or 'none'"
        )
