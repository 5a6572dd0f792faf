"""How every state machine of the platform is encrypted, logged and traced: one place.

Both workflows (the lab sync and the transfer fan-out) run as STANDARD state machines that log
every event without execution data to a `/aws/vendedlogs/states/` group, trace with X-Ray and
encrypt definition and history with a key of their own. Writing that here, once, keeps them
from drifting apart (one was once CMK-encrypted and the other not).

A customer managed key on a state machine that logs needs three grants, the ones CDK's
`StateMachine` adds when both are set (aws-cdk-lib/aws-stepfunctions/lib/state-machine.ts) and
AWS's "Data at rest encryption in Step Functions" describes:

- the execution role may `kms:Decrypt` and `kms:GenerateDataKey` for this state machine's
  data (encryption context `aws:states:stateMachineArn`);
- the execution role may `kms:GenerateDataKey` for log delivery (encryption context
  `SourceArn` = `arn:aws:logs:<region>:<account>:*`): Step Functions makes the log data key with
  the role;
- CloudWatch Logs' delivery service (`delivery.logs.amazonaws.com`) may `kms:Decrypt` that
  data key, so the key policy names it, bound to the same encryption context.

Without the last two, executions run but their log events are never delivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import Condition, PolicyDocument, Principal, Statement

__all__ = [
    "LOG_DELIVERY_SERVICE",
    "create_execution_key",
    "create_state_machine",
    "execution_key_statements",
    "start_execution_key_statement",
]

LOG_DELIVERY_SERVICE: Final = "delivery.logs.amazonaws.com"
"""The principal that decrypts a state machine's log data keys to deliver its log events."""

_DATA_KEY_REUSE_SECONDS: Final = 300
"""How long Step Functions reuses a data key: fewer KMS calls, same key (60-900 seconds)."""


def _logs_source(region: pulumi.Input[str], account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """The literal encryption-context value Step Functions binds log data keys to."""
    return pulumi.Output.concat("arn:aws:logs:", region, ":", account_id, ":*")


def create_execution_key(
    name: str,
    *,
    machine_name: str,
    region: pulumi.Input[str],
    account_id: pulumi.Input[str],
    parent: pulumi.Resource,
) -> aws.kms.Key:
    """The state machine's own key: the account administers it through IAM, and log delivery
    may decrypt the log data keys Step Functions makes under it for this account."""
    account_root = pulumi.Output.concat("arn:aws:iam::", account_id, ":root")
    policy = PolicyDocument(
        Statement(
            sid="EnableIamPoliciesOfThisAccount",
            effect="Allow",
            principal=Principal("AWS", (account_root,)),
            actions=("kms:*",),
            resources=("*",),
        ),
        Statement(
            sid="LogDeliveryDecryptsExecutionLogs",
            effect="Allow",
            principal=Principal("Service", (LOG_DELIVERY_SERVICE,)),
            actions=("kms:Decrypt",),
            resources=("*",),
            conditions=(
                Condition(
                    "StringEquals",
                    "kms:EncryptionContext:SourceArn",
                    _logs_source(region, account_id),
                ),
            ),
        ),
    )
    return aws.kms.Key(
        f"{name}-execution-key",
        description=f"Encrypts the {machine_name} state machine's definition, history and logs",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=policy.render(),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def execution_key_statements(
    key_arn: pulumi.Input[str],
    machine_arn: pulumi.Input[str],
    region: pulumi.Input[str],
    account_id: pulumi.Input[str],
) -> list[dict[str, Any]]:
    """The execution role's grants on the key: this state machine's data, and log data keys."""
    return [
        {
            "Sid": "EncryptExecutionData",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": [key_arn],
            "Condition": {
                "StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": machine_arn}
            },
        },
        {
            "Sid": "EncryptExecutionLogs",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey"],
            "Resource": [key_arn],
            "Condition": {
                "StringEquals": {
                    "kms:EncryptionContext:SourceArn": _logs_source(region, account_id)
                }
            },
        },
    ]


def start_execution_key_statement(
    key_arn: pulumi.Input[str], machine_arn: pulumi.Input[str]
) -> dict[str, Any]:
    """What a caller of `states:StartExecution` needs besides that action: Step Functions
    encrypts the execution input under the state machine's key with the caller's
    credentials, so the caller needs `kms:GenerateDataKey`, bound by the encryption context to
    that one state machine ("Data at rest encryption in Step Functions")."""
    return {
        "Sid": "StartEncryptedExecutions",
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey"],
        "Resource": [key_arn],
        "Condition": {
            "StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": machine_arn}
        },
    }


def create_state_machine(
    name: str,
    *,
    machine_name: str,
    role_arn: pulumi.Input[str],
    definition: pulumi.Input[str],
    log_group_arn: pulumi.Input[str],
    key_arn: pulumi.Input[str],
    role_policies: Sequence[pulumi.Resource],
    parent: pulumi.Resource,
) -> aws.sfn.StateMachine:
    """A STANDARD state machine logging at ALL (no execution data), traced, under `key_arn`."""
    return aws.sfn.StateMachine(
        name,
        name=machine_name,
        type="STANDARD",
        role_arn=role_arn,
        definition=definition,
        logging_configuration=aws.sfn.StateMachineLoggingConfigurationArgs(
            level="ALL",
            include_execution_data=False,
            log_destination=pulumi.Output.concat(log_group_arn, ":*"),
        ),
        tracing_configuration=aws.sfn.StateMachineTracingConfigurationArgs(enabled=True),
        encryption_configuration=aws.sfn.StateMachineEncryptionConfigurationArgs(
            type="CUSTOMER_MANAGED_KMS_KEY",
            kms_key_id=key_arn,
            kms_data_key_reuse_period_seconds=_DATA_KEY_REUSE_SECONDS,
        ),
        # CreateStateMachine checks the role may deliver logs and use the key, so the grants
        # must exist first.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(role_policies)),
    )
