"""The event dead-letter rule, through the real pack process: targets, schedules and encrypted
buses name an SQS DLQ, so an undeliverable event is kept and alarmed, not dropped."""

from __future__ import annotations

import pytest

from tests.policies.rule_cases import Case, four_way_tests, variant, variant_tests

pytestmark = pytest.mark.policy

RULE = "eventbridge-dead-letter-queue"
ACCOUNT = "111122223333"
DLQ = {"arn": f"arn:aws:sqs:ap-south-1:{ACCOUNT}:events-dlq"}
RETRY = {"maximumEventAgeInSeconds": 21600, "maximumRetryAttempts": 20}
FUNCTION = f"arn:aws:lambda:ap-south-1:{ACCOUNT}:function:tagger"
KEY = f"arn:aws:kms:ap-south-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SCHEDULE_TARGET = {
    "arn": FUNCTION,
    "roleArn": f"arn:aws:iam::{ACCOUNT}:role/scheduler",
    "deadLetterConfig": DLQ,
}

_CASES = [
    Case(
        RULE,
        "aws:cloudwatch/eventTarget:EventTarget",
        {"rule": "object-created", "arn": FUNCTION, "deadLetterConfig": DLQ, "retryPolicy": RETRY},
        unknown="deadLetterConfig",
    ),
    Case(
        RULE,
        "aws:scheduler/schedule:Schedule",
        {"scheduleExpression": "cron(0 6 * * ? *)", "target": SCHEDULE_TARGET},
        unknown="target",
    ),
    Case(
        RULE,
        "aws:cloudwatch/eventBus:EventBus",
        {"name": "lab", "kmsKeyIdentifier": KEY, "deadLetterConfig": DLQ},
        unknown="kmsKeyIdentifier",
    ),
]
CASES = {case.id: case for case in _CASES}
TARGET, SCHEDULE, BUS = CASES

MUTATIONS = [
    pytest.param(
        TARGET, {"deadLetterConfig": None}, "names no SQS deadLetterConfig", id="target-no-dlq"
    ),
    pytest.param(TARGET, {"retryPolicy": None}, "sets no retryPolicy", id="target-no-retry"),
    pytest.param(
        SCHEDULE,
        {"target": {k: v for k, v in SCHEDULE_TARGET.items() if k != "deadLetterConfig"}},
        "names no SQS target.deadLetterConfig",
        id="schedule-no-dlq",
    ),
    pytest.param(
        BUS,
        {"deadLetterConfig": None},
        "is encrypted with a KMS key but names no deadLetterConfig",
        id="encrypted-bus-no-dlq",
    ),
]

(
    test_compliant_baseline_passes,
    test_mutation_is_reported,
    test_unknown_input_is_never_mandatory,
    test_unrelated_type_is_ignored,
) = four_way_tests(CASES, MUTATIONS)

VARIANTS = [
    # A DLQ that is not a queue, or an empty one, is no DLQ.
    variant(
        TARGET,
        "equivalent-value",
        {"deadLetterConfig": {"arn": f"arn:aws:sns:ap-south-1:{ACCOUNT}:alerts"}},
        "names no SQS deadLetterConfig",
    ),
    variant(TARGET, "equivalent-value", {"deadLetterConfig": {"arn": ""}}, "names no SQS"),
    variant(TARGET, "json-vs-object", {"deadLetterConfig": {}}, "names no SQS deadLetterConfig"),
    variant(
        SCHEDULE,
        "equivalent-value",
        {"target": {**SCHEDULE_TARGET, "deadLetterConfig": {"arn": "*"}}},
        "names no SQS target.deadLetterConfig",
    ),
    # A bus under an AWS owned key has no KMS failures to dead-letter.
    variant(BUS, "equivalent-value", {"kmsKeyIdentifier": None, "deadLetterConfig": None}, None),
    variant(BUS, "equivalent-value", {"kmsKeyIdentifier": ""}, None),
]

test_adversarial_variant = variant_tests(CASES, VARIANTS)
