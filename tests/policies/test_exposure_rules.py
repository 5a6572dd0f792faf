"""Exposure resource rules, through the real pack process (bucket rules: test_s3_bucket_rules)."""

from __future__ import annotations

import pytest

from tests.policies.rule_cases import (
    Case,
    four_way_tests,
    hits,
)
from tests.support.pack import FakeResource, PackClient

pytestmark = pytest.mark.policy

SG_RULE = "ec2-security-group-no-world-ingress"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"

_CASES = [
    Case(
        "eks-cluster-endpoint-restricted",
        "aws:eks/cluster:Cluster",
        {
            "vpcConfig": {
                "subnetIds": ["subnet-1"],
                "endpointPublicAccess": True,
                "endpointPrivateAccess": True,
                "publicAccessCidrs": ["203.0.113.0/24"],
            }
        },
        unknown="vpcConfig",
    ),
    Case(
        SG_RULE,
        INGRESS_RULE,
        {
            "securityGroupId": "sg-1",
            "ipProtocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
            "cidrIpv4": "10.0.0.0/16",
        },
        unknown="cidrIpv4",
    ),
    Case(
        SG_RULE,
        SECURITY_GROUP,
        {
            "vpcId": "vpc-1",
            "ingress": [
                {"protocol": "tcp", "fromPort": 2049, "toPort": 2049, "cidrBlocks": ["10.0.0.0/16"]}
            ],
            "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}],
        },
        unknown="ingress",
    ),
    Case(
        SG_RULE,
        SECURITY_GROUP_RULE,
        {
            "type": "ingress",
            "securityGroupId": "sg-1",
            "protocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
            "cidrBlocks": ["10.0.0.0/16"],
        },
        unknown="cidrBlocks",
    ),
    Case(
        "lambda-function-url-iam-auth",
        "aws:lambda/functionUrl:FunctionUrl",
        {"functionName": "tag-audit", "authorizationType": "AWS_IAM"},
        unknown="authorizationType",
    ),
]
CASES = {case.id: case for case in _CASES}

MUTATIONS = [
    pytest.param(
        "eks-cluster-endpoint-restricted@eks/cluster",
        {"vpcConfig": {"subnetIds": ["subnet-1"]}},
        "exposes its public API endpoint to 0.0.0.0/0",
        id="eks-defaults",
    ),
    pytest.param(
        "eks-cluster-endpoint-restricted@eks/cluster",
        {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["10.0.0.0/8", "::/0"]}},
        "exposes its public API endpoint to ::/0",
        id="eks-ipv6-anywhere",
    ),
    pytest.param(
        f"{SG_RULE}@vpc/securityGroupIngressRule",
        {"cidrIpv4": "0.0.0.0/0"},
        "admits 0.0.0.0/0 on port 443",
        id="ingress-rule-ipv4",
    ),
    pytest.param(
        f"{SG_RULE}@vpc/securityGroupIngressRule",
        {"cidrIpv4": None, "cidrIpv6": "::/0", "fromPort": 0, "toPort": 65535},
        "admits ::/0 on port 0-65535",
        id="ingress-rule-ipv6",
    ),
    pytest.param(
        f"{SG_RULE}@ec2/securityGroup",
        {
            "ingress": [
                {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}
            ]
        },
        "admits 0.0.0.0/0 on port 22",
        id="inline-ingress",
    ),
    pytest.param(
        f"{SG_RULE}@ec2/securityGroupRule",
        {"cidrBlocks": None, "ipv6CidrBlocks": ["::/0"]},
        "admits ::/0",
        id="sg-rule-ipv6",
    ),
    pytest.param(
        "lambda-function-url-iam-auth@lambda/functionUrl",
        {"authorizationType": "NONE"},
        "authorizationType NONE",
        id="function-url-none",
    ),
]


(
    test_compliant_baseline_passes,
    test_mutation_is_reported,
    test_unknown_input_is_never_mandatory,
    test_unrelated_type_is_ignored,
) = four_way_tests(CASES, MUTATIONS)


def test_private_only_endpoint_passes(pack: PackClient) -> None:
    """A cluster without a public endpoint needs no CIDR list."""
    cluster = FakeResource(
        "aws:eks/cluster:Cluster",
        "private",
        {"vpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True}},
    )
    assert hits(pack.analyze(cluster), "eks-cluster-endpoint-restricted") == []


def test_world_egress_rule_is_not_ingress(pack: PackClient) -> None:
    """Egress to the internet (through the NAT) is not what this rule guards."""
    egress = FakeResource(
        SECURITY_GROUP_RULE,
        "egress",
        {
            "type": "egress",
            "protocol": "-1",
            "fromPort": 0,
            "toPort": 0,
            "cidrBlocks": ["0.0.0.0/0"],
        },
    )
    assert hits(pack.analyze(egress), SG_RULE) == []


def test_public_load_balancer_is_exempted_by_name(pack: PackClient) -> None:
    """A deliberately public load balancer's group is exempted through `exclude`."""
    pack.configure({SG_RULE: {"exclude": ["public-alb-*"]}})
    rule = FakeResource(
        INGRESS_RULE, "public-alb-https", {"cidrIpv4": "0.0.0.0/0", "fromPort": 443, "toPort": 443}
    )
    assert hits(pack.analyze(rule), SG_RULE) == []
