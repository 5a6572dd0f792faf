"""The rendered prod stack holds together on a first `pulumi up`: facts across components.

Each test reads the registrations of the whole program (as `make preview` records them) and
checks one thing AWS needs that no single component can see: the order API Gateway accepts
its parts in, the key policy a service principal needs, the identity a job runs as, the
selection AWS Backup evaluates.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from tests.support.harness import json_input
from tests.support.stack import StackView, rendered
from tools.preview.program import RecordedResource

REGION = "ap-south-1"
ACCOUNT = "111122223333"
SYNC_WORKFLOW = "gen-prod-lab-sync-state-machine"


@pytest.fixture(scope="module")
def prod() -> StackView:
    """The prod stack as its stack file configures it."""
    return rendered("prod")


def _trust_conditions(role: RecordedResource) -> list[dict[str, Any]]:
    return [s.get("Condition", {}) for s in json_input(role, "assumeRolePolicy")["Statement"]]


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["Statement"])


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _role_statements(stack: StackView, role: RecordedResource) -> list[dict[str, Any]]:
    """Every statement of the inline policies attached to `role`."""
    policies = stack.referencing("aws:iam/rolePolicy:RolePolicy", "role", role)
    return [s for policy in policies for s in _statements(json_input(policy, "policy"))]


# ---- lab API ----


def test_every_mapping_waits_for_the_method_response_of_its_status(prod: StackView) -> None:
    """PutIntegrationResponse is refused before the method response of the same status."""
    method_responses = prod.of_type("aws:apigateway/methodResponse:MethodResponse")
    mappings = prod.of_type("aws:apigateway/integrationResponse:IntegrationResponse")
    assert len(mappings) == 12
    for mapping in mappings:
        (own,) = [
            m
            for m in method_responses
            if all(m.inputs[k] == mapping.inputs[k] for k in ("resourceId", "httpMethod"))
            and m.inputs["statusCode"] == mapping.inputs["statusCode"]
        ]
        assert own.urn in mapping.dependencies, mapping.name


def test_deployment_waits_for_every_method_and_integration_response(prod: StackView) -> None:
    """The deployment snapshots the API only once every response of every route exists."""
    deployment = prod.one("aws:apigateway/deployment:Deployment")
    for type_token in (
        "aws:apigateway/methodResponse:MethodResponse",
        "aws:apigateway/integrationResponse:IntegrationResponse",
        "aws:apigateway/integration:Integration",
    ):
        missing = [r.name for r in prod.of_type(type_token) if r.urn not in deployment.dependencies]
        assert missing == [], type_token


def test_the_role_api_gateway_assumes_carries_no_source_account(prod: StackView) -> None:
    """API Gateway sends no aws:SourceAccount for integration credentials."""
    integrations = prod.of_type("aws:apigateway/integration:Integration")
    roles = {r.urn: r for i in integrations for r in prod.referenced(i, "credentials")}
    assert len(roles) == 1
    for condition in _trust_conditions(next(iter(roles.values()))):
        assert "aws:SourceAccount" not in json.dumps(condition)


def test_start_execution_callers_may_generate_the_workflow_data_key(prod: StackView) -> None:
    """The workflow's executions are encrypted with a customer key: StartExecution's caller
    needs kms:GenerateDataKey on it, scoped to that state machine's encryption context."""
    machine = prod.one("aws:sfn/stateMachine:StateMachine", SYNC_WORKFLOW)
    key_arn = machine.inputs["encryptionConfiguration"]["kmsKeyId"]
    machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine.inputs['name']}"
    starts = [
        i
        for i in prod.of_type("aws:apigateway/integration:Integration")
        if i.inputs["uri"].endswith(":states:action/StartExecution")
    ]
    assert len(starts) == 3
    assert all(machine_arn in i.inputs["requestTemplates"]["application/json"] for i in starts)
    (caller,) = prod.referenced(starts[0], "credentials")
    context = {"kms:EncryptionContext:aws:states:stateMachineArn": machine_arn}
    grants = [
        s
        for s in _role_statements(prod, caller)
        if "kms:GenerateDataKey" in _actions(s)
        and s["Resource"] == [key_arn]
        and s.get("Condition", {}).get("StringEquals") == context
    ]
    assert grants
    (runner,) = prod.referenced(machine, "roleArn")
    runs = [
        s
        for s in _role_statements(prod, runner)
        if {"kms:Decrypt", "kms:GenerateDataKey"} <= _actions(s)
        and s["Resource"] == [key_arn]
        and s["Condition"]["StringEquals"] == context
    ]
    assert runs


# ---- lab event bus and ELN connection ----


def _key_policy_of(stack: StackView, resource: RecordedResource, prop: str) -> dict[str, Any]:
    (key,) = stack.referenced(resource, prop)
    assert key.type == "aws:kms/key:Key"
    policy: dict[str, Any] = json_input(key, "policy")
    return policy


def test_event_bus_key_policy_admits_eventbridge_for_that_bus(prod: StackView) -> None:
    """EventBridge encrypts with its own principal; the key policy grants it for this bus."""
    bus = prod.one("aws:cloudwatch/eventBus:EventBus")
    bus_arn = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{bus.inputs['name']}"
    statements = _statements(_key_policy_of(prod, bus, "kmsKeyIdentifier"))
    admitted = [s for s in statements if s["Principal"] == {"Service": "events.amazonaws.com"}]
    crypto = [s for s in admitted if {"kms:Decrypt", "kms:GenerateDataKey"} <= _actions(s)]
    assert [s["Condition"]["StringEquals"] for s in crypto] == [
        {"kms:EncryptionContext:aws:events:event-bus:arn": bus_arn, "aws:SourceArn": bus_arn}
    ]
    assert any(_actions(s) == {"kms:DescribeKey"} for s in admitted)


def test_connection_key_is_tagged_for_api_destinations(prod: StackView) -> None:
    """A connection's customer key must carry EventBridgeApiDestinations=true."""
    connection = prod.one("aws:cloudwatch/eventConnection:EventConnection")
    (key,) = prod.referenced(connection, "kmsKeyIdentifier")
    assert key.inputs["tags"]["EventBridgeApiDestinations"] == "true"


def test_workflow_role_may_decrypt_the_connection_secret_through_secrets_manager(
    prod: StackView,
) -> None:
    """Reading the connection's secret needs kms:Decrypt on its key via Secrets Manager."""
    connection = prod.one("aws:cloudwatch/eventConnection:EventConnection")
    key_arn = connection.inputs["kmsKeyIdentifier"]
    (runner,) = prod.referenced(
        prod.one("aws:sfn/stateMachine:StateMachine", SYNC_WORKFLOW), "roleArn"
    )
    grants = [
        s
        for s in _role_statements(prod, runner)
        if "kms:Decrypt" in _actions(s) and s["Resource"] == [key_arn]
    ]
    assert [g["Condition"]["StringEquals"]["kms:ViaService"] for g in grants] == [
        f"secretsmanager.{REGION}.amazonaws.com"
    ]


# ---- DataZone ----


def test_datazone_execution_role_may_use_the_domain_key(prod: StackView) -> None:
    """The data portal uses the domain key through the domain execution role."""
    domain = prod.one("aws:datazone/domain:Domain")
    (role,) = prod.referenced(domain, "domainExecutionRole")
    key_arn = domain.inputs["kmsKeyIdentifier"]
    granted = {
        action
        for s in _role_statements(prod, role)
        if s["Resource"] == [key_arn]
        for action in _actions(s)
    }
    assert {"kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"} <= granted


# ---- Batch ----


def test_batch_instances_can_reach_aws_apis_and_efs(prod: StackView) -> None:
    """The compute environment's groups allow HTTPS out (ECS, ECR, Logs) and NFS to EFS."""
    environment = prod.one("aws:batch/computeEnvironment:ComputeEnvironment")
    group_ids = environment.inputs["computeResources"]["securityGroupIds"]
    egress = [
        (r.inputs["ipProtocol"], r.inputs["fromPort"])
        for r in prod.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if r.inputs["securityGroupId"] in group_ids
    ]
    assert ("tcp", 443) in egress
    assert ("tcp", 2049) in egress


def test_batch_instance_role_trusts_ec2_without_source_account(prod: StackView) -> None:
    """Instance profiles are assumed without aws:SourceAccount, as the EKS node role is."""
    environment = prod.one("aws:batch/computeEnvironment:ComputeEnvironment")
    (profile,) = [
        r
        for r in prod.referenced(environment, "computeResources")
        if r.type == "aws:iam/instanceProfile:InstanceProfile"
    ]
    (role,) = prod.referenced(profile, "role")
    assert all("aws:SourceAccount" not in json.dumps(c) for c in _trust_conditions(role))


def test_batch_jobs_may_write_the_700_mode_workspaces(prod: StackView) -> None:
    """Root in the job, not squashed, through the projects access point only."""
    definitions = prod.of_type("aws:batch/jobDefinition:JobDefinition")
    assert definitions  # one per pipeline step
    access_points = {
        json.loads(d.inputs["containerProperties"])["volumes"][0]["efsVolumeConfiguration"][
            "authorizationConfig"
        ]["accessPointId"]
        for d in definitions
    }
    (access_point_id,) = access_points
    (job_role,) = [
        r for r in prod.of_type("aws:iam/role:Role") if r.name.endswith("-batch-job-role")
    ]
    mounts = [
        s
        for s in _role_statements(prod, job_role)
        if "elasticfilesystem:ClientRootAccess" in _actions(s)
    ]
    assert len(mounts) == 1
    arn = mounts[0]["Condition"]["ArnEquals"]["elasticfilesystem:AccessPointArn"]
    assert arn.endswith(f":access-point/{access_point_id}")


# ---- EKS add-ons ----


def test_container_insights_waits_for_every_node_group(prod: StackView) -> None:
    """Its DaemonSets need nodes; created before them, the add-on never turns ACTIVE."""
    (addon,) = [
        a
        for a in prod.of_type("aws:eks/addon:Addon")
        if a.inputs["addonName"] == "amazon-cloudwatch-observability"
    ]
    groups = prod.of_type("aws:eks/nodeGroup:NodeGroup")
    assert len(groups) == 2
    assert all(group.urn in addon.dependencies for group in groups)


# ---- pipeline images ----


def test_cache_template_names_a_role_ecr_may_assume_with_the_key(prod: StackView) -> None:
    """A creation template that encrypts with KMS needs a role ECR assumes to create the
    repository under the key; the role is this account's, holds the key actions on exactly the
    template's key, and may create repositories only under the template's prefix."""
    (template,) = prod.of_type("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate")
    (key_arn,) = [c["kmsKey"] for c in template.inputs["encryptionConfigurations"]]
    (role,) = prod.referenced(template, "customRoleArn")
    (trust,) = _statements(json_input(role, "assumeRolePolicy"))
    assert trust["Principal"] == {"Service": "ecr.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    grants = {frozenset(_actions(s)): s["Resource"] for s in _role_statements(prod, role)}
    assert grants[frozenset({"kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"})] == [key_arn]
    prefix = template.inputs["prefix"]
    assert grants[frozenset({"ecr:CreateRepository"})] == [
        f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{prefix}/*"
    ]


# ---- undelivered events ----

QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"


def _queue_arn(queue: RecordedResource) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue.inputs['name']}"


def _dead_letter_queue(stack: StackView, resource: RecordedResource, prop: str) -> RecordedResource:
    """The queue `resource` names in `prop`, by reference and by ARN alike."""
    (queue,) = [r for r in stack.referenced(resource, prop) if r.type == QUEUE]
    config = resource.inputs[prop]
    named = config["deadLetterConfig"]["arn"] if prop == "target" else config["arn"]
    assert named == _queue_arn(queue)
    return queue


def _events_may_send(stack: StackView, queue: RecordedResource, source: RecordedResource) -> None:
    """The queue's policy lets EventBridge send for `source` (a rule or a bus) by
    `aws:SourceArn`, and the queue's key lets EventBridge encrypt for this account."""
    (policy,) = stack.referencing(QUEUE_POLICY, "queueUrl", queue)
    assert source.urn in policy.property_dependencies["policy"]
    (allow,) = [s for s in _statements(json_input(policy, "policy")) if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert _actions(allow) == {"sqs:SendMessage"}
    assert allow["Resource"] == _queue_arn(queue)
    assert set(allow["Condition"]) == {"ArnEquals"}
    assert set(allow["Condition"]["ArnEquals"]) == {"aws:SourceArn"}
    (key,) = stack.referenced(queue, "kmsMasterKeyId")
    (events,) = [
        s
        for s in _statements(json_input(key, "policy"))
        if s["Principal"] == {"Service": "events.amazonaws.com"}
    ]
    assert _actions(events) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert events["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}


def test_every_event_target_dead_letters_to_a_queue_its_rule_may_send_to(
    prod: StackView,
) -> None:
    """An event EventBridge cannot deliver is kept, not dropped: every target names a DLQ and
    a retry policy, and the DLQ's policy admits the target's own rule."""
    targets = prod.of_type("aws:cloudwatch/eventTarget:EventTarget")
    assert len(targets) == 6
    for target in targets:
        assert target.inputs["retryPolicy"]["maximumRetryAttempts"] > 0, target.name
        queue = _dead_letter_queue(prod, target, "deadLetterConfig")
        (rule,) = prod.referenced(target, "rule")
        _events_may_send(prod, queue, rule)


def test_every_schedule_dead_letters_to_a_queue_its_role_may_send_to(prod: StackView) -> None:
    """Scheduler sends a failed invocation to the DLQ with the schedule's execution role, so
    that role may send to the queue and use the queue's key through SQS."""
    schedules = prod.of_type("aws:scheduler/schedule:Schedule")
    assert len(schedules) == 10
    for schedule in schedules:
        queue = _dead_letter_queue(prod, schedule, "target")
        (key,) = prod.referenced(queue, "kmsMasterKeyId")
        role_name = schedule.inputs["target"]["roleArn"].rsplit("/", 1)[-1]
        (role,) = [
            r for r in prod.of_type("aws:iam/role:Role") if r.inputs.get("name") == role_name
        ]
        grants = {s["Sid"]: s for s in _role_statements(prod, role)}
        assert grants["SendDeadLetters"]["Resource"] == [_queue_arn(queue)], schedule.name
        assert _actions(grants["EncryptDeadLetters"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
        assert key.urn in _role_policy_dependencies(prod, role)


def _role_policy_dependencies(stack: StackView, role: RecordedResource) -> set[str]:
    policies = stack.referencing("aws:iam/rolePolicy:RolePolicy", "role", role)
    return {urn for policy in policies for urn in policy.property_dependencies["policy"]}


def test_the_encrypted_lab_bus_dead_letters_what_it_cannot_encrypt(prod: StackView) -> None:
    """A bus under a customer managed key sends events it cannot encrypt or decrypt to its
    own DLQ; the queue admits that bus."""
    (bus,) = prod.of_type("aws:cloudwatch/eventBus:EventBus")
    assert bus.inputs["kmsKeyIdentifier"]
    queue = _dead_letter_queue(prod, bus, "deadLetterConfig")
    _events_may_send(prod, queue, bus)


# ---- state machine encryption and logs ----

STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
LOGS_SOURCE = f"arn:aws:logs:{REGION}:{ACCOUNT}:*"


def test_state_machines_encrypt_and_log_the_same_way(prod: StackView) -> None:
    """Both workflows are STANDARD, CMK-encrypted, traced and log ALL without execution data."""
    machines = prod.of_type(STATE_MACHINE)
    assert len(machines) == 2

    def shape(machine: RecordedResource) -> tuple[object, ...]:
        logging = machine.inputs["loggingConfiguration"]
        encryption = machine.inputs["encryptionConfiguration"]
        return (
            machine.inputs["type"],
            logging["level"],
            logging["includeExecutionData"],
            machine.inputs["tracingConfiguration"]["enabled"],
            encryption["type"],
            encryption["kmsDataKeyReusePeriodSeconds"],
        )

    assert {shape(m) for m in machines} == {
        ("STANDARD", "ALL", False, True, "CUSTOMER_MANAGED_KMS_KEY", 300.0)
    }


def test_log_delivery_may_use_each_state_machines_key(prod: StackView) -> None:
    """A CMK-encrypted state machine that logs: its role makes log data keys under the key
    (context SourceArn = this account's logs) and may use the key for its own data only, and
    the key policy lets CloudWatch Logs' delivery service decrypt those log data keys."""
    for machine in prod.of_type(STATE_MACHINE):
        (key,) = prod.referenced(machine, "encryptionConfiguration")
        (delivery,) = [
            s
            for s in _statements(json_input(key, "policy"))
            if s["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
        ]
        assert _actions(delivery) == {"kms:Decrypt"}
        assert delivery["Condition"] == {
            "StringEquals": {"kms:EncryptionContext:SourceArn": LOGS_SOURCE}
        }
        role_urns = machine.property_dependencies["roleArn"]
        (role,) = [prod.by_urn(urn) for urn in role_urns]
        grants = [s for s in _role_statements(prod, role) if key.urn in _depends(prod, role)]
        machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine.inputs['name']}"
        contexts = {
            frozenset(_actions(s)): s["Condition"]["StringEquals"]
            for s in grants
            if _actions(s) & {"kms:GenerateDataKey"}
            and "Condition" in s
            and any("EncryptionContext" in k for k in s["Condition"]["StringEquals"])
        }
        assert contexts[frozenset({"kms:GenerateDataKey"})] == {
            "kms:EncryptionContext:SourceArn": LOGS_SOURCE
        }, machine.name
        assert contexts[frozenset({"kms:Decrypt", "kms:GenerateDataKey"})] == {
            "kms:EncryptionContext:aws:states:stateMachineArn": machine_arn
        }, machine.name


def test_every_start_execution_caller_may_encrypt_that_executions_input(
    prod: StackView,
) -> None:
    """StartExecution on a CMK-encrypted state machine makes a data key with the caller's
    credentials: every role that may start a machine may generate a data key under that
    machine's key, bound to that machine's encryption context."""
    keys = {}
    for machine in prod.of_type(STATE_MACHINE):
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine.inputs['name']}"
        keys[arn] = machine.inputs["encryptionConfiguration"]["kmsKeyId"]
    callers = 0
    for role in prod.of_type("aws:iam/role:Role"):
        statements = _role_statements(prod, role)
        started = {
            arn
            for s in statements
            if "states:StartExecution" in _actions(s)
            for arn in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
            if arn in keys
        }
        for arn in started:
            callers += 1
            assert any(
                "kms:GenerateDataKey" in _actions(s)
                and s["Resource"] == [keys[arn]]
                and s.get("Condition", {}).get("StringEquals")
                == {"kms:EncryptionContext:aws:states:stateMachineArn": arn}
                for s in statements
            ), f"{role.name} starts {arn} without the key grant"
    # The API's integration role, the tagger, the audit and the fan-out starting itself.
    assert callers == 4


def _depends(stack: StackView, role: RecordedResource) -> set[str]:
    policies = stack.referencing("aws:iam/rolePolicy:RolePolicy", "role", role)
    return {urn for policy in policies for urn in policy.property_dependencies["policy"]}


# ---- AWS Backup ----


def test_backup_selects_tagged_volumes_only(prod: StackView) -> None:
    """Resources AND conditions: no selection tag, which AWS would OR with volume/*."""
    selection = prod.one("aws:backup/selection:Selection")
    assert selection.inputs["resources"] == ["arn:aws:ec2:*:*:volume/*"]
    assert not selection.inputs.get("selectionTags")
    assert selection.inputs["conditions"][0]["stringEquals"] == [
        {"key": "aws:ResourceTag/backup", "value": "daily"}
    ]


def test_backup_failures_page_and_completions_only_report(prod: StackView) -> None:
    """Completions (successes included) reach the reports topic; failures the alerts topic."""
    # The alerts topic exists in both regions under one name; the vault and rules are primary's.
    topics = {
        t.inputs["name"]: t
        for t in prod.of_type("aws:sns/topic:Topic")
        if t.inputs.get("region", REGION) == REGION
    }
    (notifications,) = prod.of_type("aws:backup/vaultNotifications:VaultNotifications")
    assert prod.referenced(notifications, "snsTopicArn") == [topics["gen-prod-reports"]]
    failure_targets = [
        t
        for t in prod.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if t.name.startswith("gen-prod-ops-") and t.name.endswith("-failed-alert")
    ]
    assert len(failure_targets) == 2
    for target in failure_targets:
        assert prod.referenced(target, "arn") == [topics["gen-prod-alerts"]]


# ---- log encryption ----


def test_one_key_encrypts_every_log_group(prod: StackView) -> None:
    """The network and cluster log groups use the platform's log key; no second logs key."""
    logs_principal = {"Service": f"logs.{REGION}.amazonaws.com"}
    log_keys = [
        k
        for k in prod.of_type("aws:kms/key:Key")
        if any(s.get("Principal") == logs_principal for s in _statements(json_input(k, "policy")))
    ]
    assert [k.name for k in log_keys] == ["gen-prod-logs-key"]
    groups = [g for g in prod.of_type("aws:cloudwatch/logGroup:LogGroup") if "kmsKeyId" in g.inputs]
    assert {urn for g in groups for urn in g.property_dependencies["kmsKeyId"]} == {log_keys[0].urn}


# ---- Storage Gateway ----


def test_a_gateway_without_domain_settings_fails_preview_clearly() -> None:
    """An activation key alone would build an ActiveDirectory share on an unjoined gateway.

    The stack's settings refuse it first, naming the join keys to set.
    """
    with pytest.raises(pulumi.RunError, match="genomics:storageGatewayAdDomain"):
        rendered(
            "prod", (("genomics:storageGatewayActivationKey", "ABCDE-12345-FGHIJ-67890-KLMNO"),)
        )
