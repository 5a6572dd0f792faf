"""The service-role rule, through the real pack process: a feature AWS performs by assuming a
role the resource must name (ECR creation templates, flow logs, role-invoked event targets)."""

from __future__ import annotations

import pytest

from tests.policies.rule_cases import Case, four_way_tests, variant, variant_tests

pytestmark = pytest.mark.policy

RULE = "service-role-required"
ACCOUNT = "111122223333"
KEY_ARN = f"arn:aws:kms:ap-south-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service"
KMS = [{"encryptionType": "KMS", "kmsKey": KEY_ARN}]

_CASES = [
    Case(
        RULE,
        "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
        {
            "prefix": "quay",
            "appliedFors": ["PULL_THROUGH_CACHE"],
            "encryptionConfigurations": KMS,
            "customRoleArn": ROLE_ARN,
        },
        unknown="encryptionConfigurations",
    ),
    Case(
        RULE,
        "aws:ec2/flowLog:FlowLog",
        {"vpcId": "vpc-1", "logDestinationType": "cloud-watch-logs", "iamRoleArn": ROLE_ARN},
        unknown="logDestinationType",
    ),
    Case(
        RULE,
        "aws:cloudwatch/eventTarget:EventTarget",
        {
            "rule": "sync",
            "arn": f"arn:aws:states:ap-south-1:{ACCOUNT}:stateMachine:sync",
            "roleArn": ROLE_ARN,
        },
        unknown="arn",
    ),
]
CASES = {case.id: case for case in _CASES}
TEMPLATE, FLOW_LOG, TARGET = CASES

MUTATIONS = [
    pytest.param(
        TEMPLATE,
        {"customRoleArn": None},
        "encrypts with KMS but names no customRoleArn",
        id="template-kms-no-role",
    ),
    pytest.param(
        TEMPLATE,
        {
            "customRoleArn": None,
            "encryptionConfigurations": None,
            "resourceTags": [{"key": "project", "value": "x"}],
        },
        "sets resource tags but names no customRoleArn",
        id="template-tags-no-role",
    ),
    pytest.param(FLOW_LOG, {"iamRoleArn": None}, "no iamRoleArn", id="flow-log-no-role"),
    pytest.param(
        FLOW_LOG,
        {"iamRoleArn": None, "logDestinationType": None},
        "delivers to CloudWatch Logs but names no iamRoleArn",
        id="flow-log-default-destination-no-role",
    ),
    pytest.param(
        TARGET, {"roleArn": None}, "invokes states through a role", id="target-sfn-no-role"
    ),
]

(
    test_compliant_baseline_passes,
    test_mutation_is_reported,
    test_unknown_input_is_never_mandatory,
    test_unrelated_type_is_ignored,
) = four_way_tests(CASES, MUTATIONS)

VARIANTS = [
    # AES256 and S3 destinations need no role: the rule must not demand one.
    variant(
        TEMPLATE,
        "equivalent-value",
        {"customRoleArn": None, "encryptionConfigurations": [{"encryptionType": "AES256"}]},
        None,
    ),
    variant(
        TEMPLATE,
        "json-vs-object",
        {"customRoleArn": "", "encryptionConfigurations": KMS},
        "names no customRoleArn",
    ),
    variant(FLOW_LOG, "equivalent-value", {"iamRoleArn": None, "logDestinationType": "s3"}, None),
    variant(FLOW_LOG, "equivalent-value", {"iamRoleArn": ""}, "names no iamRoleArn"),
    # Lambda and SNS targets are reached through their resource policies.
    variant(
        TARGET,
        "equivalent-value",
        {"roleArn": None, "arn": f"arn:aws:lambda:ap-south-1:{ACCOUNT}:function:tagger"},
        None,
    ),
    variant(
        TARGET,
        "equivalent-value",
        {"roleArn": None, "arn": f"arn:aws:kinesis:ap-south-1:{ACCOUNT}:stream/s"},
        "invokes kinesis through a role",
    ),
    variant(
        TARGET,
        "equivalent-value",
        {"roleArn": None, "arn": f"arn:aws:events:ap-south-1:{ACCOUNT}:event-bus/other"},
        "invokes events through a role",
    ),
]

test_adversarial_variant = variant_tests(CASES, VARIANTS)
