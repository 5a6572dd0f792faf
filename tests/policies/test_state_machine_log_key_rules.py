"""The state-machine log-key rule, through the real pack process (AnalyzeStack): a state
machine that logs under a customer managed key lets log delivery decrypt and its role make
log data keys."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.rule_cases import hits, stack_variant, stack_variant_tests
from tests.support.pack import FakeResource, PackClient

pytestmark = pytest.mark.policy

RULE = "sfn-log-delivery-key-grants"
ACCOUNT = "111122223333"
LOGS = f"arn:aws:logs:ap-south-1:{ACCOUNT}:*"
ROOT = {
    "Sid": "Admin",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
DELIVERY = {
    "Sid": "LogDelivery",
    "Effect": "Allow",
    "Principal": {"Service": "delivery.logs.amazonaws.com"},
    "Action": "kms:Decrypt",
    "Resource": "*",
    "Condition": {"StringEquals": {"kms:EncryptionContext:SourceArn": LOGS}},
}
LOG_KEYS = {
    "Sid": "EncryptExecutionLogs",
    "Effect": "Allow",
    "Action": ["kms:GenerateDataKey"],
    "Resource": ["arn:aws:kms:ap-south-1:111122223333:key/k"],
    "Condition": {"StringEquals": {"kms:EncryptionContext:SourceArn": LOGS}},
}
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "states.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _stack(
    key_statements: tuple[dict[str, Any], ...] = (ROOT, DELIVERY),
    role_statements: tuple[dict[str, Any], ...] = (LOG_KEYS,),
    *,
    encryption: str = "CUSTOMER_MANAGED_KMS_KEY",
    level: str = "ALL",
) -> list[FakeResource]:
    return [
        FakeResource("aws:kms/key:Key", "sync-key", {"policy": _doc(*key_statements)}),
        FakeResource("aws:iam/role:Role", "sync-role", {"assumeRolePolicy": TRUST}),
        FakeResource(
            "aws:iam/rolePolicy:RolePolicy",
            "sync-role-policy",
            {"role": "sync-role", "policy": _doc(*role_statements)},
            depends_on={"role": ["sync-role"]},
        ),
        FakeResource(
            "aws:sfn/stateMachine:StateMachine",
            "sync",
            {
                "roleArn": f"arn:aws:iam::{ACCOUNT}:role/sync-role",
                "encryptionConfiguration": {"type": encryption, "kmsKeyId": "k"},
                "loggingConfiguration": {"level": level, "logDestination": f"{LOGS}:*"},
            },
            depends_on={"roleArn": ["sync-role"], "encryptionConfiguration": ["sync-key"]},
        ),
    ]


def test_compliant_stack_passes(pack: PackClient) -> None:
    """Both grants in place: nothing to report."""
    assert hits(pack.analyze_stack(_stack()), RULE) == []


def test_key_without_log_delivery_is_reported(pack: PackClient) -> None:
    """The key policy of the sync state machine before the fix: the account only."""
    found = hits(pack.analyze_stack(_stack(key_statements=(ROOT,))), RULE)
    assert [(e, n) for e, n, _ in found] == [("mandatory", "sync")]
    assert "does not let delivery.logs.amazonaws.com kms:Decrypt" in found[0][2]


def test_role_without_log_data_keys_is_reported(pack: PackClient) -> None:
    """The role may use the key for execution data but not make log data keys."""
    data_only = {
        **LOG_KEYS,
        "Condition": {"StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": "x"}},
    }
    found = hits(pack.analyze_stack(_stack(role_statements=(data_only,))), RULE)
    assert [(e, n) for e, n, _ in found] == [("mandatory", "sync")]
    assert "may not kms:GenerateDataKey for log delivery" in found[0][2]


def test_unrelated_stack_is_ignored(pack: PackClient) -> None:
    """A stack without state machines is none of the rule's business."""
    assert hits(pack.analyze_stack(_stack()[:3]), RULE) == []


STATE_MACHINE_VARIANTS = [
    # An AWS owned key or logging off needs no grant.
    stack_variant(
        RULE, "equivalent-value", _stack((ROOT,), (), encryption="AWS_OWNED_KEY"), "sync", None
    ),
    stack_variant(RULE, "equivalent-value", _stack((ROOT,), (), level="OFF"), "sync", None),
    # Logging at ERROR still delivers logs.
    stack_variant(RULE, "equivalent-value", _stack((ROOT,), level="ERROR"), "sync", "kms:Decrypt"),
    # The delivery grant denied rather than allowed is no grant.
    stack_variant(
        RULE,
        "operator-swap",
        _stack((ROOT, {**DELIVERY, "Effect": "Deny"})),
        "sync",
        "does not let delivery.logs.amazonaws.com",
    ),
    # A wildcard action and a one-item list are the same grant.
    stack_variant(
        RULE,
        "wildcard-value",
        _stack((ROOT, {**DELIVERY, "Action": ["kms:Decrypt*"]})),
        "sync",
        None,
    ),
    # The delivery principal given to another service does not count.
    stack_variant(
        RULE,
        "principal-widening",
        _stack((ROOT, {**DELIVERY, "Principal": {"Service": "logs.amazonaws.com"}})),
        "sync",
        "does not let delivery.logs.amazonaws.com",
    ),
    stack_variant(
        RULE,
        "string-vs-list",
        _stack(
            (
                ROOT,
                {**DELIVERY, "Principal": {"Service": ["delivery.logs.amazonaws.com"]}},
            )
        ),
        "sync",
        None,
    ),
]

test_adversarial_stack_variant = stack_variant_tests(STATE_MACHINE_VARIANTS)
