"""Exposure resource rules, through the real pack process (bucket rules: test_s3_bucket_rules)."""

from __future__ import annotations

import pytest

from tests.policies.rule_cases import (
    Case,
    four_way_tests,
    hits,
    variant,
    variant_tests,
)
from tests.support.pack import FakeResource, PackClient

pytestmark = pytest.mark.policy

SG_RULE = "ec2-security-group-no-world-ingress"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"

_CASES = [
    Case(
        "ec2-imdsv2-required",
        "aws:ec2/launchTemplate:LaunchTemplate",
        {"metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required"}},
        unknown="metadataOptions",
    ),
    Case(
        "ec2-imdsv2-required",
        "aws:ec2/instance:Instance",
        {"instanceType": "t3.micro", "metadataOptions": {"httpTokens": "required"}},
        unknown="metadataOptions",
    ),
    Case(
        "apigateway-method-authorization",
        "aws:apigateway/method:Method",
        {"restApi": "api", "resourceId": "r", "httpMethod": "POST", "authorization": "AWS_IAM"},
        unknown="authorization",
    ),
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

IMDS_TEMPLATE, IMDS_INSTANCE, METHOD = (
    "ec2-imdsv2-required@ec2/launchTemplate",
    "ec2-imdsv2-required@ec2/instance",
    "apigateway-method-authorization@apigateway/method",
)
EKS, INGRESS, GROUP, GROUP_RULE, URL = (
    "eks-cluster-endpoint-restricted@eks/cluster",
    f"{SG_RULE}@vpc/securityGroupIngressRule",
    f"{SG_RULE}@ec2/securityGroup",
    f"{SG_RULE}@ec2/securityGroupRule",
    "lambda-function-url-iam-auth@lambda/functionUrl",
)

MUTATIONS = [
    pytest.param(
        IMDS_TEMPLATE,
        {"metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "optional"}},
        "httpTokens is optional",
        id="imds-optional",
    ),
    pytest.param(IMDS_INSTANCE, {"metadataOptions": None}, "httpTokens is unset", id="imds-unset"),
    pytest.param(
        METHOD, {"authorization": "NONE"}, "(POST) has authorization NONE", id="method-none"
    ),
    pytest.param(
        METHOD,
        {"authorization": "CUSTOM"},
        "uses CUSTOM authorization without an authorizerId",
        id="method-custom-without-authorizer",
    ),
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


WIDE = "ingress from the whole internet is not allowed"

VARIANTS = [
    variant(IMDS_TEMPLATE, "case-and-type", {"metadataOptions": {"httpTokens": "Required"}}, None),
    variant(
        IMDS_TEMPLATE,
        "equivalent-value",
        {"metadataOptions": {"httpEndpoint": "disabled", "httpTokens": "optional"}},
        None,
    ),
    variant(
        IMDS_TEMPLATE,
        "json-vs-object",
        {"metadataOptions": '{"httpEndpoint": "enabled", "httpTokens": "optional"}'},
        "httpTokens is optional",
    ),
    variant(METHOD, "case-and-type", {"authorization": "none"}, "has authorization NONE"),
    variant(METHOD, "equivalent-value", {"authorization": None}, "has authorization unset"),
    variant(METHOD, "equivalent-value", {"httpMethod": "OPTIONS", "authorization": "NONE"}, None),
    variant(
        METHOD,
        "equivalent-value",
        {"httpMethod": "ANY", "authorization": "NONE"},
        "(ANY) has authorization NONE",
    ),
    variant(
        METHOD,
        "equivalent-value",
        {"authorization": "COGNITO_USER_POOLS", "authorizerId": "a1"},
        None,
    ),
    # Ranges that cover the internet without being spelt 0.0.0.0/0.
    variant(INGRESS, "wildcard-value", {"cidrIpv4": "0.0.0.0/1"}, "admits 0.0.0.0/1"),
    variant(INGRESS, "wildcard-value", {"cidrIpv4": "128.0.0.0/1"}, WIDE),
    variant(INGRESS, "wildcard-value", {"cidrIpv4": None, "cidrIpv6": "::0/0"}, WIDE),
    variant(INGRESS, "principal-narrowing", {"cidrIpv4": "203.0.113.0/24"}, None),
    variant(
        GROUP,
        "string-vs-list",
        {
            "ingress": {
                "protocol": "tcp",
                "fromPort": 22,
                "toPort": 22,
                "cidrBlocks": "0.0.0.0/0",
            }
        },
        "admits 0.0.0.0/0 on port 22",
    ),
    variant(
        GROUP_RULE,
        "principal-widening",
        {"cidrBlocks": ["10.0.0.0/16", "2.0.0.0/7"]},
        "admits 2.0.0.0/7",
    ),
    variant(GROUP_RULE, "equivalent-value", {"type": "egress", "cidrBlocks": ["0.0.0.0/0"]}, None),
    variant(
        EKS,
        "principal-widening",
        {"vpcConfig": {"endpointPublicAccess": "true", "publicAccessCidrs": ["0.0.0.0/1"]}},
        "exposes its public API endpoint to 0.0.0.0/1",
    ),
    variant(
        EKS,
        "case-and-type",
        {"vpcConfig": {"endpointPublicAccess": "false", "endpointPrivateAccess": True}},
        None,
    ),
    variant(URL, "case-and-type", {"authorizationType": "aws_iam"}, None),
    variant(URL, "equivalent-value", {"authorizationType": None}, "authorizationType unset"),
]

test_adversarial_variant = variant_tests(CASES, VARIANTS)


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
