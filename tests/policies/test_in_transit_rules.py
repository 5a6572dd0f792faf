"""In-transit encryption rules, through the real pack process (S3 ones: test_s3_bucket_rules)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.props import as_mapping, decoded
from tests.policies.rule_cases import (
    Case,
    form_tests,
    four_way_tests,
    hits,
    stack_variant,
    stack_variant_tests,
    variant,
    variant_tests,
)
from tests.support.pack import UNKNOWN, FakeResource, PackClient

pytestmark = pytest.mark.policy

STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
JOB_DEFINITION = "aws:batch/jobDefinition:JobDefinition"
FS_ID = "fs-0123456789abcdef0"


def _job(transit: str | None = "ENABLED") -> str:
    efs: dict[str, Any] = {"fileSystemId": FS_ID, "rootDirectory": "/"}
    if transit is not None:
        efs["transitEncryption"] = transit
    return json.dumps(
        {
            "image": "aligner:1",
            "volumes": [{"name": "refs", "efsVolumeConfiguration": efs}],
            "mountPoints": [{"sourceVolume": "refs", "containerPath": "/refs"}],
        }
    )


_CASES = [
    Case(
        "k8s-storage-class-efs-tls",
        STORAGE_CLASS,
        {"provisioner": "efs.csi.aws.com", "mountOptions": ["tls", "iam"]},
        unknown="mountOptions",
    ),
    Case(
        "datasync-efs-location-tls",
        "aws:datasync/efsLocation:EfsLocation",
        {"efsFileSystemArn": "arn:efs", "inTransitEncryption": "TLS1_2"},
        unknown="inTransitEncryption",
    ),
    Case(
        "apigateway-domain-name-tls12",
        "aws:apigateway/domainName:DomainName",
        {"domainName": "api.example.org", "securityPolicy": "TLS_1_2"},
        unknown="securityPolicy",
    ),
    Case(
        "apigateway-domain-name-tls12",
        "aws:apigatewayv2/domainName:DomainName",
        {
            "domainName": "api.example.org",
            "domainNameConfiguration": {"endpointType": "REGIONAL", "securityPolicy": "TLS_1_2"},
        },
        unknown="domainNameConfiguration",
    ),
    Case(
        "apigateway-integration-no-plain-http",
        "aws:apigateway/integration:Integration",
        {"type": "HTTP_PROXY", "uri": "https://backend.example.org/{proxy}"},
        unknown="uri",
    ),
    Case(
        "apigateway-integration-no-plain-http",
        "aws:apigatewayv2/integration:Integration",
        {"integrationType": "HTTP_PROXY", "integrationUri": "https://backend.example.org"},
        unknown="integrationUri",
    ),
    Case(
        "storagegateway-gateway-smb-encryption",
        "aws:storagegateway/gateway:Gateway",
        {"gatewayType": "FILE_S3", "smbSecurityStrategy": "MandatoryEncryption"},
        unknown="smbSecurityStrategy",
    ),
    Case(
        "batch-job-definition-efs-transit-encryption",
        JOB_DEFINITION,
        {"type": "container", "containerProperties": _job()},
        unknown="containerProperties",
    ),
    Case(
        "lb-listener-https-only",
        "aws:lb/listener:Listener",
        {
            "protocol": "HTTPS",
            "port": 443,
            "defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}],
        },
        unknown="protocol",
    ),
    Case(
        "lb-listener-https-only",
        "aws:alb/listener:Listener",
        {
            "protocol": "HTTP",
            "port": 80,
            "defaultActions": [
                {"type": "redirect", "redirect": {"protocol": "HTTPS", "statusCode": "HTTP_301"}}
            ],
        },
        unknown="defaultActions",
    ),
]
CASES = {case.id: case for case in _CASES}

MUTATIONS = [
    pytest.param(
        "k8s-storage-class-efs-tls@storage.k8s.io/v1",
        {"mountOptions": ["iam"]},
        "without the `tls` mount option",
        id="storage-class-no-tls",
    ),
    pytest.param(
        "k8s-storage-class-efs-tls@storage.k8s.io/v1",
        {"mountOptions": None},
        "without the `tls` mount option",
        id="storage-class-no-options",
    ),
    pytest.param(
        "datasync-efs-location-tls@datasync/efsLocation",
        {"inTransitEncryption": "NONE"},
        "inTransitEncryption NONE",
        id="datasync-none",
    ),
    pytest.param(
        "datasync-efs-location-tls@datasync/efsLocation",
        {"inTransitEncryption": None},
        "unset (NONE)",
        id="datasync-unset",
    ),
    pytest.param(
        "apigateway-domain-name-tls12@apigateway/domainName",
        {"securityPolicy": "TLS_1_0"},
        "uses security policy TLS_1_0",
        id="rest-domain-tls10",
    ),
    pytest.param(
        "apigateway-domain-name-tls12@apigateway/domainName",
        {"securityPolicy": None},
        "uses security policy unset",
        id="rest-domain-unset",
    ),
    pytest.param(
        "apigateway-integration-no-plain-http@apigateway/integration",
        {"uri": "http://backend.example.org/{proxy}"},
        "over plain HTTP",
        id="rest-integration-http",
    ),
    pytest.param(
        "storagegateway-gateway-smb-encryption@storagegateway/gateway",
        {"smbSecurityStrategy": "ClientSpecified"},
        "smbSecurityStrategy ClientSpecified",
        id="gateway-client-specified",
    ),
    pytest.param(
        "storagegateway-gateway-smb-encryption@storagegateway/gateway",
        {"smbSecurityStrategy": None},
        "smbSecurityStrategy unset",
        id="gateway-unset",
    ),
    pytest.param(
        "batch-job-definition-efs-transit-encryption@batch/jobDefinition",
        {"containerProperties": _job("DISABLED")},
        f"EFS volume {FS_ID} in containerProperties is mounted without transitEncryption",
        id="batch-disabled",
    ),
    pytest.param(
        "batch-job-definition-efs-transit-encryption@batch/jobDefinition",
        {"containerProperties": _job(None)},
        "without transitEncryption ENABLED",
        id="batch-unset",
    ),
    pytest.param(
        "lb-listener-https-only@lb/listener",
        {"protocol": "HTTP", "port": 80},
        "serves plain HTTP on port 80",
        id="listener-http-forward",
    ),
    pytest.param(
        "apigateway-domain-name-tls12@apigatewayv2/domainName",
        {"domainNameConfiguration": {"endpointType": "REGIONAL", "securityPolicy": "TLS_1_0"}},
        "uses security policy TLS_1_0",
        id="http-domain-tls10",
    ),
    pytest.param(
        "apigateway-integration-no-plain-http@apigatewayv2/integration",
        {"integrationUri": "http://10.0.0.1:8080"},
        "over plain HTTP",
        id="http-integration-http",
    ),
    pytest.param(
        "lb-listener-https-only@alb/listener",
        {"defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTP"}}]},
        "instead of redirecting to HTTPS",
        id="alb-listener-redirect-to-http",
    ),
    pytest.param(
        "lb-listener-https-only@lb/listener",
        {"protocol": None},
        "serves plain HTTP",
        id="listener-default-protocol",
    ),
]


(
    test_compliant_baseline_passes,
    test_mutation_is_reported,
    test_unknown_input_is_never_mandatory,
    test_unrelated_type_is_ignored,
) = four_way_tests(CASES, MUTATIONS)


test_other_form_same_verdict = form_tests(CASES, MUTATIONS)

STORAGE, DATASYNC, REST_DOMAIN, HTTP_DOMAIN = (
    "k8s-storage-class-efs-tls@storage.k8s.io/v1",
    "datasync-efs-location-tls@datasync/efsLocation",
    "apigateway-domain-name-tls12@apigateway/domainName",
    "apigateway-domain-name-tls12@apigatewayv2/domainName",
)
REST_INTEGRATION, HTTP_INTEGRATION, GATEWAY, BATCH, LB, ALB = (
    "apigateway-integration-no-plain-http@apigateway/integration",
    "apigateway-integration-no-plain-http@apigatewayv2/integration",
    "storagegateway-gateway-smb-encryption@storagegateway/gateway",
    "batch-job-definition-efs-transit-encryption@batch/jobDefinition",
    "lb-listener-https-only@lb/listener",
    "lb-listener-https-only@alb/listener",
)


def _two_volumes(second: str) -> str:
    job = json.loads(_job())
    job["volumes"].append(
        {
            "name": "scratch",
            "efsVolumeConfiguration": {"fileSystemId": "fs-2", "transitEncryption": second},
        }
    )
    return json.dumps(job)


VARIANTS = [
    variant(STORAGE, "string-vs-list", {"mountOptions": "tls"}, None),
    variant(STORAGE, "string-vs-list", {"mountOptions": ["iam,tls"]}, None),
    variant(STORAGE, "equivalent-value", {"mountOptions": ["notls", "iam"]}, "without the `tls`"),
    variant(DATASYNC, "case-and-type", {"inTransitEncryption": "none"}, "inTransitEncryption none"),
    variant(REST_DOMAIN, "wildcard-value", {"securityPolicy": "TLS_1_0"}, "TLS_1_0"),
    variant(
        HTTP_DOMAIN,
        "json-vs-object",
        {"domainNameConfiguration": '{"endpointType": "REGIONAL", "securityPolicy": "TLS_1_0"}'},
        "uses security policy TLS_1_0",
    ),
    variant(REST_INTEGRATION, "case-and-type", {"uri": "HTTP://backend/{proxy}"}, "plain HTTP"),
    variant(REST_INTEGRATION, "case-and-type", {"uri": "  http://backend/x"}, "plain HTTP"),
    variant(HTTP_INTEGRATION, "equivalent-value", {"integrationUri": "arn:aws:lambda:x"}, None),
    variant(
        GATEWAY, "equivalent-value", {"smbSecurityStrategy": "MandatoryEncryptionNoAes128"}, None
    ),
    variant(
        GATEWAY, "equivalent-value", {"smbSecurityStrategy": "MandatorySigning"}, "MandatorySigning"
    ),
    variant(
        BATCH,
        "string-vs-list",
        {"containerProperties": _two_volumes("DISABLED")},
        "EFS volume fs-2 in containerProperties",
    ),
    variant(
        BATCH,
        "json-vs-object",
        {"containerProperties": json.loads(_job("DISABLED"))},
        "transitEncryption",
    ),
    variant(LB, "case-and-type", {"protocol": "http", "port": 80}, "serves plain HTTP"),
    variant(
        ALB,
        "equivalent-value",
        {"defaultActions": [{"type": "redirect", "redirect": {"protocol": "#{protocol}"}}]},
        "instead of redirecting to HTTPS",
    ),
    variant(
        ALB,
        "string-vs-list",
        {
            "defaultActions": [
                {"type": "redirect", "redirect": {"protocol": "HTTPS"}},
                {"type": "forward", "targetGroupArn": "arn:tg"},
            ]
        },
        "instead of redirecting to HTTPS",
    ),
]

test_adversarial_variant = variant_tests(CASES, VARIANTS)


def test_enhanced_security_policies_are_accepted(pack: PackClient) -> None:
    """AWS's newer TLS 1.3 security policies satisfy the TLS 1.2 floor."""
    case = CASES["apigateway-domain-name-tls12@apigateway/domainName"]
    found = pack.analyze(
        FakeResource(case.type, "api", {"securityPolicy": "SecurityPolicy_TLS13_1_3_2025_09"})
    )
    assert hits(found, case.rule) == []


def test_other_provisioners_and_gateway_types_are_out_of_scope(pack: PackClient) -> None:
    """EBS storage classes and volume gateways carry no EFS/SMB traffic to check."""
    ebs = FakeResource(STORAGE_CLASS, "gp3", {"provisioner": "ebs.csi.aws.com"})
    volume_gateway = FakeResource(
        "aws:storagegateway/gateway:Gateway", "vgw", {"gatewayType": "CACHED"}
    )
    assert hits(pack.analyze(ebs), "k8s-storage-class-efs-tls") == []
    assert hits(pack.analyze(volume_gateway), "storagegateway-gateway-smb-encryption") == []


def test_nlb_tcp_listener_is_not_plain_http(pack: PackClient) -> None:
    """A TCP/TLS listener of a network load balancer is outside the HTTP redirect rule."""
    listener = FakeResource("aws:lb/listener:Listener", "nlb", {"protocol": "TLS", "port": 443})
    assert hits(pack.analyze(listener), "lb-listener-https-only") == []


def test_unknown_sentinel_is_not_decoded_as_a_document() -> None:
    """JSON-text helpers leave the engine's unknown sentinel alone instead of parsing it."""
    assert decoded(UNKNOWN) == UNKNOWN
    assert as_mapping(UNKNOWN) == {}


# ---- stack rules: EFS file-system policy and SNS topic policy ----

EFS_RULE = "efs-file-system-tls-only"
SNS_RULE = "sns-topic-tls-only"


def _document(**changes: object) -> str:
    statement: dict[str, object] = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    statement.update(changes)
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _efs(policy: str | None = _document()) -> list[FakeResource]:
    fakes = [FakeResource("aws:efs/fileSystem:FileSystem", "refs", {"encrypted": True})]
    if policy is not None:
        fakes.append(
            FakeResource(
                "aws:efs/fileSystemPolicy:FileSystemPolicy",
                "refs-policy",
                {"fileSystemId": FS_ID, "policy": policy},
                depends_on={"fileSystemId": ["refs"]},
            )
        )
    return fakes


def _sns(policy: str | None = _document(), inline: str | None = None) -> list[FakeResource]:
    topic_props = {"name": "alerts", **({"policy": inline} if inline else {})}
    fakes = [FakeResource("aws:sns/topic:Topic", "alerts", topic_props)]
    if policy is not None:
        fakes.append(
            FakeResource(
                "aws:sns/topicPolicy:TopicPolicy",
                "alerts-policy",
                {"arn": "arn:aws:sns:ap-south-1:111122223333:alerts", "policy": policy},
                depends_on={"arn": ["alerts"]},
            )
        )
    return fakes


@pytest.mark.parametrize(
    ("rule", "fakes"),
    [
        pytest.param(EFS_RULE, _efs(), id="efs"),
        pytest.param(SNS_RULE, _sns(), id="sns-topic-policy"),
        pytest.param(SNS_RULE, _sns(None, inline=_document()), id="sns-inline-policy"),
        pytest.param(
            SNS_RULE, _sns(_document(Action="sns:Publish", Principal="*")), id="sns-publish-only"
        ),
    ],
)
def test_tls_only_policies_pass(pack: PackClient, rule: str, fakes: list[FakeResource]) -> None:
    """A file system or topic whose policy denies insecure transport for everyone is compliant."""
    assert hits(pack.analyze_stack(fakes), rule) == []


@pytest.mark.parametrize(
    ("rule", "fakes", "target", "fragment"),
    [
        pytest.param(EFS_RULE, _efs(None), "refs", "has no file-system policy", id="efs-none"),
        pytest.param(
            EFS_RULE,
            _efs(_document(Effect="Allow")),
            "refs",
            "does not deny ClientMount and ClientWrite",
            id="efs-allow",
        ),
        pytest.param(
            EFS_RULE,
            _efs(_document(Action="elasticfilesystem:ClientMount")),
            "refs",
            "does not deny ClientMount and ClientWrite",
            id="efs-mount-only",
        ),
        pytest.param(
            EFS_RULE,
            _efs(_document(Condition={"Bool": {"aws:SecureTransport": "true"}})),
            "refs",
            "when aws:SecureTransport = false",
            id="efs-wrong-condition",
        ),
        pytest.param(SNS_RULE, _sns(None), "alerts", "no topic policy denies", id="sns-none"),
        pytest.param(
            SNS_RULE,
            _sns(_document(Principal={"AWS": "arn:aws:iam::111122223333:root"})),
            "alerts",
            "no topic policy denies sns:Publish",
            id="sns-one-principal",
        ),
        pytest.param(
            SNS_RULE,
            _sns(_document(Action="sns:Subscribe")),
            "alerts",
            "no topic policy denies sns:Publish",
            id="sns-wrong-action",
        ),
    ],
)
def test_missing_or_weak_tls_policy_is_reported(
    pack: PackClient, rule: str, fakes: list[FakeResource], target: str, fragment: str
) -> None:
    """No policy, or one that does not deny insecure transport, is reported on the owner."""
    found = hits(pack.analyze_stack(fakes), rule)
    assert [(e, name) for e, name, _ in found] == [("mandatory", target)]
    assert fragment in found[0][2]


@pytest.mark.parametrize(
    ("rule", "fakes"),
    [
        pytest.param(EFS_RULE, _efs(UNKNOWN), id="efs"),
        pytest.param(SNS_RULE, _sns(UNKNOWN), id="sns"),
    ],
)
def test_unknown_policy_is_never_mandatory(
    pack: PackClient, rule: str, fakes: list[FakeResource]
) -> None:
    """A policy document rendered from unknown ARNs waits for the update."""
    found = hits(pack.analyze_stack(fakes), rule)
    assert found
    assert all(e == "advisory" and "during preview" in m for e, _, m in found)


@pytest.mark.parametrize("rule", [EFS_RULE, SNS_RULE])
def test_stack_rules_ignore_unrelated_types(pack: PackClient, rule: str) -> None:
    """A stack of unrelated resources is quiet."""
    fakes = [FakeResource("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"})]
    assert hits(pack.analyze_stack(fakes), rule) == []


STACK_VARIANTS = [
    stack_variant(
        EFS_RULE,
        "if-exists",
        _efs(_document(Condition={"BoolIfExists": {"aws:SecureTransport": "false"}})),
        "refs",
        None,
    ),
    stack_variant(
        EFS_RULE,
        "principal-narrowing",
        _efs(_document(Principal={"AWS": "arn:aws:iam::111122223333:root"})),
        "refs",
        "does not deny ClientMount and ClientWrite",
    ),
    stack_variant(
        EFS_RULE,
        "wildcard-value",
        _efs(_document(Action="elasticfilesystem:Client*")),
        "refs",
        None,
    ),
    stack_variant(
        EFS_RULE,
        "not-element",
        _efs(_document(Action=None, NotAction="elasticfilesystem:ClientWrite")),
        "refs",
        "does not deny ClientMount and ClientWrite",
    ),
    stack_variant(
        EFS_RULE,
        "operator-swap",
        _efs(_document(Condition={"StringEquals": {"aws:SecureTransport": "false"}})),
        "refs",
        "when aws:SecureTransport = false",
    ),
    stack_variant(
        SNS_RULE,
        "string-vs-list",
        _sns(_document(Principal={"AWS": ["*"]}, Action=["sns:Publish"])),
        "alerts",
        None,
    ),
    stack_variant(
        SNS_RULE,
        "json-vs-object",
        _sns(json.loads(_document(Action="sns:Subscribe"))),
        "alerts",
        "no topic policy denies sns:Publish",
    ),
    stack_variant(
        SNS_RULE,
        "case-and-type",
        _sns(_document(Condition={"Bool": {"aws:SecureTransport": "true"}})),
        "alerts",
        "no topic policy denies sns:Publish",
    ),
]

test_adversarial_stack_variant = stack_variant_tests(STACK_VARIANTS)
