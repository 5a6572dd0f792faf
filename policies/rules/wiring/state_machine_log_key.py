"""A state machine that logs under a customer managed key has the grants log delivery needs.

Step Functions makes each log data key under the state machine's key with the execution role
(`kms:GenerateDataKey`, encryption context `SourceArn` = `arn:aws:logs:<region>:<account>:*`),
and CloudWatch Logs' delivery service decrypts it (`delivery.logs.amazonaws.com`,
`kms:Decrypt`, granted in the key policy): the two grants CDK's `StateMachine` adds whenever
both a customer managed key and logging are set (aws-cdk-lib/aws-stepfunctions). Without them
the state machine is created and runs, and no log event is ever delivered. The key and the role
are joined to the state machine by reference; a key the stack does not create is not judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from policies.framework import EnforcementLevel, Severity, StackResource, StackRule, StackView
from policies.iam import Statement, grants, statements
from policies.props import as_text, dig

__all__ = ["RULE"]

STATE_MACHINE: Final = "aws:sfn/stateMachine:StateMachine"
KEY: Final = "aws:kms/key:Key"
ROLE: Final = "aws:iam/role:Role"
ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
DELIVERY: Final = "delivery.logs.amazonaws.com"
LOGS_CONTEXT: Final = "kms:encryptioncontext:sourcearn"


def _referenced(stack: StackView, resource: StackResource, prop: str, type_: str) -> list[Any]:
    found = (stack.by_urn(urn) for urn in resource.property_dependencies.get(prop, ()))
    return [r for r in found if r is not None and r.type == type_]


def _allows(statement: Statement, action: str) -> bool:
    return statement.effect == "Allow" and grants(statement, action)


def _delivery_may_decrypt(key: StackResource) -> bool:
    for statement in statements(key.props.get("policy")):
        services = statement.principals if isinstance(statement.principals, dict) else {}
        if DELIVERY in services.get("Service", ()) and _allows(statement, "kms:Decrypt"):
            return True
    return False


def _role_makes_log_keys(stack: StackView, role: StackResource) -> bool:
    for policy in stack.referencing(role, ROLE_POLICY, prop="role"):
        for statement in statements(policy.props.get("policy")):
            keys = {k.lower() for c in statement.conditions.values() for k in c}
            if _allows(statement, "kms:GenerateDataKey") and LOGS_CONTEXT in keys:
                return True
    return False


def _check(stack: StackView) -> Iterator[tuple[str, str | None]]:
    for machine in stack.of_type(STATE_MACHINE):
        props = machine.props
        encryption = props.get("encryptionConfiguration")
        if as_text(dig(encryption, "type")) != "CUSTOMER_MANAGED_KMS_KEY":
            continue
        if (as_text(dig(props.get("loggingConfiguration"), "level")) or "OFF") == "OFF":
            continue
        for key in _referenced(stack, machine, "encryptionConfiguration", KEY):
            if not _delivery_may_decrypt(key):
                yield (
                    f"state machine {machine.name} logs under key {key.name}, whose policy "
                    f"does not let {DELIVERY} kms:Decrypt the log data keys",
                    machine.urn,
                )
        for role in _referenced(stack, machine, "roleArn", ROLE):
            if not _role_makes_log_keys(stack, role):
                yield (
                    f"state machine {machine.name} logs under a customer managed key, but its "
                    f"role {role.name} may not kms:GenerateDataKey for log delivery "
                    "(kms:EncryptionContext:SourceArn)",
                    machine.urn,
                )


RULE = StackRule(
    name="sfn-log-delivery-key-grants",
    description=(
        "A state machine that logs under a customer managed key lets log delivery decrypt (key "
        "policy) and its role generate log data keys (identity policy)."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Create the state machine through components.blocks.state_machine_resource: its key "
        "and execution_key_statements() carry both grants."
    ),
    concern="wiring",
    check=_check,
)
