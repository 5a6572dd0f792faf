"""The lab sync workflow: keeps the ELN, the metadata store and the lake in step.

A STANDARD Step Functions state machine that the lab API starts for every write. It checks the
request's shape, records the experiment, dataset or event in the metadata store (DynamoDB
optimized integration), announces a dataset's S3 prefix and tag set on the lab event bus for
the object tagger (the only writer of object tags, see docs/architecture.md; a rule made by
components/transfer/transfer.py subscribes it), notifies the ELN over an EventBridge connection
(HTTP Task; omitted when no ELN is configured) and publishes a metadata event. Every Task retries
with exponential backoff and jitter; anything left over is published to the alerts topic and the
execution fails.

The definition is typed Python (components/blocks/state_machine.py) and validated at construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.event_dlq import EventDeadLetterQueue
from components.blocks.iam_documents import service_trust_policy
from components.blocks.state_machine import (
    Catch,
    Choice,
    ChoiceRule,
    Definition,
    Fail,
    Pass,
    Retry,
    State,
    Succeed,
    Task,
    all_of,
    is_present,
    string_equals,
    validate,
)
from components.blocks.state_machine_resource import (
    create_execution_key,
    create_state_machine,
    execution_key_statements,
)
from components.lab.metadata_store import METADATA_SORT_KEY
from components.lab.policy import (
    AwsContext,
    aws_context,
    document,
    kms_via_services,
    render,
    statement,
)

__all__ = [
    "EVENT_SOURCE",
    "PREFIX_ASSOCIATED",
    "RECORDED",
    "LabSyncWorkflow",
    "LabSyncWorkflowArgs",
    "SyncRefs",
    "sync_definition",
]

EVENT_SOURCE: Final = "genomics.lab"
"""`source` of every event the workflow puts on the lab bus."""
PREFIX_ASSOCIATED: Final = "Dataset Prefix Associated"
"""Detail type the object tagger subscribes to: a dataset's S3 URI and tag set."""
RECORDED: Final = "Lab Metadata Recorded"
"""Detail type of the event every successful execution publishes."""

_DYNAMODB_TRANSIENT: Final = (
    "DynamoDB.ProvisionedThroughputExceededException",
    "DynamoDB.RequestLimitExceededException",
    "DynamoDB.ThrottlingException",
    "DynamoDB.InternalServerErrorException",
    "States.Timeout",
)
_HTTP_TRANSIENT: Final = (
    "States.Http.StatusCode.429",
    "States.Http.StatusCode.500",
    "States.Http.StatusCode.502",
    "States.Http.StatusCode.503",
    "States.Http.StatusCode.504",
    "States.Timeout",
)
_SERVICE_TRANSIENT: Final = ("States.TaskFailed", "States.Timeout")

_NOTIFY_FAILURE: Final = "NotifyFailure"
_FAILED: Final = "SyncFailed"


@dataclass(frozen=True)
class SyncRefs:
    """The resolved names and ARNs the definition refers to."""

    table_name: str
    event_bus_arn: str
    alerts_topic_arn: str
    eln_endpoint: str = ""
    eln_connection_arn: str = ""


def _retry(errors: tuple[str, ...], attempts: int = 4) -> tuple[Retry, ...]:
    return (Retry(errors, interval_seconds=2, max_attempts=attempts, backoff_rate=2.0),)


def _catch() -> tuple[Catch, ...]:
    return (Catch(("States.ALL",), _NOTIFY_FAILURE),)


def _names(*attributes: str) -> dict[str, str]:
    """ExpressionAttributeNames for `attributes`, so no DynamoDB reserved word can bite."""
    return {f"#{attribute}": attribute for attribute in attributes}


def _update(
    table: str, partition: str, sets: dict[str, str], values: dict[str, object], next_state: str
) -> Task:
    """An idempotent upsert of the entity's METADATA item (createdAt kept on re-registration)."""
    expression = ", ".join(f"#{attr} = {value}" for attr, value in sets.items())
    return Task(
        resource="arn:aws:states:::dynamodb:updateItem",
        parameters={
            "TableName": table,
            "Key": {"pk": {"S.$": partition}, "sk": {"S": METADATA_SORT_KEY}},
            "UpdateExpression": f"SET {expression}, #createdAt = if_not_exists(#createdAt, :now)",
            "ExpressionAttributeNames": _names(*sets, "createdAt"),
            "ExpressionAttributeValues": {
                ":now": {"S.$": "$$.State.EnteredTime"},
                ":request": {"S.$": "$.requestId"},
                ":doc": {"S.$": "States.JsonToString($.detail)"},
                **values,
            },
        },
        result_path=None,
        retry=_retry(_DYNAMODB_TRANSIENT),
        catch=_catch(),
        next=next_state,
    )


def _put_event(bus_arn: str, detail_type: str, detail: dict[str, str], next_state: str) -> Task:
    return Task(
        resource="arn:aws:states:::events:putEvents",
        parameters={
            "Entries": [
                {
                    "EventBusName": bus_arn,
                    "Source": EVENT_SOURCE,
                    "DetailType": detail_type,
                    "Detail": detail,
                }
            ]
        },
        result_path=None,
        retry=_retry(_SERVICE_TRANSIENT),
        catch=_catch(),
        next=next_state,
    )


def _describe(kind: str, id_path: str, project_path: str | None, next_state: str) -> Pass:
    """Record what the execution is about at `$.subject`, for the ELN and the metadata event."""
    subject: dict[str, str] = {"type": kind, "id.$": id_path}
    if project_path:
        subject["project.$"] = project_path
    return Pass(parameters=subject, result_path="$.subject", next=next_state)


def sync_definition(refs: SyncRefs) -> Definition:
    """The sync workflow; the ELN notification is only part of it when an ELN is configured."""
    after_register = "NotifyEln" if refs.eln_endpoint else "PublishMetadataEvent"
    dataset_fields = ("datasetId", "experimentId", "project", "s3Uri", "tags")
    states: dict[str, State] = {
        "ValidateInput": Choice(
            comment="Belt and braces behind the API's JSON-schema validation.",
            choices=(
                ChoiceRule(
                    all_of(
                        string_equals("$.kind", "dataset"),
                        *(is_present(f"$.detail.{field}") for field in dataset_fields),
                    ),
                    "DescribeDataset",
                ),
                ChoiceRule(
                    all_of(
                        string_equals("$.kind", "experiment"),
                        is_present("$.detail.experimentId"),
                        is_present("$.detail.project"),
                    ),
                    "DescribeExperiment",
                ),
                ChoiceRule(
                    all_of(
                        string_equals("$.kind", "event"),
                        is_present("$.detail.datasetId"),
                        is_present("$.detail.eventType"),
                        is_present("$.detail.occurredAt"),
                    ),
                    "DescribeEvent",
                ),
            ),
            default="RejectInput",
        ),
        "RejectInput": Fail(
            error="Lab.InvalidInput",
            cause="The request is not a dataset, experiment or event with its required fields.",
        ),
        "DescribeDataset": _describe(
            "dataset", "$.detail.datasetId", "$.detail.project", "RegisterDataset"
        ),
        "RegisterDataset": _update(
            refs.table_name,
            "States.Format('DATASET#{}', $.detail.datasetId)",
            {
                "entityType": ":type",
                "project": ":project",
                "experimentId": ":experiment",
                "s3Uri": ":uri",
                "tagsJson": ":tags",
                "document": ":doc",
                "updatedAt": ":now",
                "lastRequestId": ":request",
            },
            {
                ":type": {"S": "dataset"},
                ":project": {"S.$": "$.detail.project"},
                ":experiment": {"S.$": "$.detail.experimentId"},
                ":uri": {"S.$": "$.detail.s3Uri"},
                ":tags": {"S.$": "States.JsonToString($.detail.tags)"},
            },
            "AssociatePrefixTags",
        ),
        "AssociatePrefixTags": _put_event(
            refs.event_bus_arn,
            PREFIX_ASSOCIATED,
            {
                "datasetId.$": "$.detail.datasetId",
                "project.$": "$.detail.project",
                "s3Uri.$": "$.detail.s3Uri",
                "tags.$": "$.detail.tags",
                "requestId.$": "$.requestId",
            },
            after_register,
        ),
        "DescribeExperiment": _describe(
            "experiment", "$.detail.experimentId", "$.detail.project", "RegisterExperiment"
        ),
        "RegisterExperiment": _update(
            refs.table_name,
            "States.Format('EXPERIMENT#{}', $.detail.experimentId)",
            {
                "entityType": ":type",
                "project": ":project",
                "document": ":doc",
                "updatedAt": ":now",
                "lastRequestId": ":request",
            },
            {":type": {"S": "experiment"}, ":project": {"S.$": "$.detail.project"}},
            after_register,
        ),
        "DescribeEvent": _describe("event", "$.detail.datasetId", None, "RecordEvent"),
        "RecordEvent": Task(
            resource="arn:aws:states:::dynamodb:putItem",
            comment="The sort key carries the request id, so a retried execution rewrites it.",
            parameters={
                "TableName": refs.table_name,
                "Item": {
                    "pk": {"S.$": "States.Format('DATASET#{}', $.detail.datasetId)"},
                    "sk": {"S.$": "States.Format('EVENT#{}#{}', $.detail.occurredAt, $.requestId)"},
                    "entityType": {"S": "event"},
                    "eventType": {"S.$": "$.detail.eventType"},
                    "occurredAt": {"S.$": "$.detail.occurredAt"},
                    "document": {"S.$": "States.JsonToString($.detail)"},
                    "createdAt": {"S.$": "$$.State.EnteredTime"},
                },
            },
            result_path=None,
            retry=_retry(_DYNAMODB_TRANSIENT),
            catch=_catch(),
            next="PublishMetadataEvent",
        ),
        "PublishMetadataEvent": _put_event(
            refs.event_bus_arn,
            RECORDED,
            {
                "kind.$": "$.kind",
                "subject.$": "$.subject",
                "requestId.$": "$.requestId",
                "recordedAt.$": "$$.State.EnteredTime",
            },
            "Recorded",
        ),
        "Recorded": Succeed(),
        _NOTIFY_FAILURE: Task(
            resource="arn:aws:states:::sns:publish",
            comment="Names the execution and the error only; payloads stay out of e-mail.",
            parameters={
                "TopicArn": refs.alerts_topic_arn,
                "Subject": "Lab sync workflow failed",
                "Message.$": (
                    "States.Format('Lab sync execution {} failed with {} (request {}).', "
                    "$$.Execution.Id, $.error.Error, $.requestId)"
                ),
            },
            result_path=None,
            retry=_retry(_SERVICE_TRANSIENT, attempts=3),
            catch=(Catch(("States.ALL",), _FAILED),),
            next=_FAILED,
        ),
        _FAILED: Fail(error="Lab.SyncFailed", cause="See the execution history for the error."),
    }
    if refs.eln_endpoint:
        states["NotifyEln"] = Task(
            resource="arn:aws:states:::http:invoke",
            comment="EventBridge connection adds the ELN API key; the key never enters the ASL.",
            parameters={
                "ApiEndpoint": refs.eln_endpoint,
                "Method": "POST",
                "Authentication": {"ConnectionArn": refs.eln_connection_arn},
                "Headers": {"Content-Type": "application/json"},
                "RequestBody": {
                    "kind.$": "$.kind",
                    "subject.$": "$.subject",
                    "requestId.$": "$.requestId",
                    "status": "registered",
                },
            },
            result_path=None,
            timeout_seconds=30,
            retry=_retry(_HTTP_TRANSIENT, attempts=5),
            catch=_catch(),
            next="PublishMetadataEvent",
        )
    return validate(
        Definition(
            comment="Lab data mesh sync: metadata store, prefix tags, ELN, metadata events.",
            start_at="ValidateInput",
            states=states,
            timeout_seconds=900,
        )
    )


class LabSyncWorkflowArgs(TypedDict):
    """Inputs of the sync workflow."""

    table_name: pulumi.Input[str]
    """Metadata store table the workflow writes."""
    table_arn: pulumi.Input[str]
    """ARN of that table, for the role's grant."""
    kms_key_arn: pulumi.Input[str]
    """Platform key: the metadata table and topic use it through their services (and the log
    group unless `log_kms_key_arn` is given); the state machine, the event bus and the ELN
    connection use keys of their own."""
    alerts_topic_arn: pulumi.Input[str]
    """SNS topic that hears about failed executions."""
    log_retention_days: int
    """Retention of the execution log group."""
    log_kms_key_arn: NotRequired[pulumi.Input[str]]
    """Key of the log groups, when logs use their own key (default: `kms_key_arn`)."""
    eln_endpoint: NotRequired[str]
    """HTTPS URL the ELN accepts notifications on; empty leaves the ELN step out."""
    eln_api_key_secret_arn: NotRequired[str]
    """Secrets Manager secret holding the ELN API key (required with `eln_endpoint`)."""
    eln_api_key_header: NotRequired[str]
    """Header that carries the ELN API key (default `x-api-key`)."""
    state_machine_name: NotRequired[str]
    """Physical name of the state machine (default: the component name)."""


def _validate(name: str, args: LabSyncWorkflowArgs) -> None:
    endpoint = args.get("eln_endpoint", "")
    if endpoint and not endpoint.startswith("https://"):
        raise ValueError(
            f"LabSyncWorkflowArgs.eln_endpoint {endpoint!r} must be an https:// URL (TLS only)"
        )
    if endpoint and not args.get("eln_api_key_secret_arn"):
        raise ValueError(
            "LabSyncWorkflowArgs.eln_api_key_secret_arn is required with eln_endpoint; "
            "store the ELN API key in Secrets Manager and pass the secret's ARN"
        )
    if len(args.get("state_machine_name", name)) > 80:
        raise ValueError("LabSyncWorkflowArgs.state_machine_name must be at most 80 characters")


class LabSyncWorkflow(pulumi.ComponentResource):
    """Step Functions STANDARD workflow with its event bus, ELN connection, logs and role."""

    state_machine_arn: pulumi.Output[str]
    """ARN of the state machine the API starts."""
    event_bus_name: pulumi.Output[str]
    """Lab event bus; the object tagger subscribes to `Dataset Prefix Associated` here."""
    event_bus_arn: pulumi.Output[str]
    """ARN of the lab event bus."""
    log_group_name: pulumi.Output[str]
    """Execution log group."""
    eln_connection_arn: pulumi.Output[str] | None
    """EventBridge connection to the ELN, when an ELN is configured."""
    events_key_arn: pulumi.Output[str]
    """Key of the lab event bus and the ELN connection's secret."""
    execution_key_arn: pulumi.Output[str]
    """The state machine's own key: StartExecution callers need kms:GenerateDataKey on it."""

    def __init__(
        self,
        name: str,
        args: LabSyncWorkflowArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("genomics:lab:SyncWorkflow", name, None, opts)
        _validate(name, args)
        sm_name = args.get("state_machine_name", name)
        endpoint = args.get("eln_endpoint", "")
        # Fail at construction, not inside an apply, when the structure is wrong.
        sync_definition(
            SyncRefs("table", "bus", "topic", endpoint, "connection" if endpoint else "")
        )
        context = aws_context(self)
        self._sm_arn = pulumi.Output.concat(
            "arn:aws:states:", context.region, ":", context.account_id, ":stateMachine:", sm_name
        )
        key = args["kms_key_arn"]
        bus_name = f"{name}-bus"
        events_key = self._create_events_key(
            name,
            pulumi.Output.concat(
                "arn:aws:events:", context.region, ":", context.account_id, ":event-bus/", bus_name
            ),
            context.account_id,
        )
        # Events the bus cannot encrypt or decrypt (a KMS error) go to its own DLQ, not away.
        bus_dlq = EventDeadLetterQueue(
            f"{name}-bus-dlq",
            {"queue_name": f"{bus_name}-dlq"},
            pulumi.ResourceOptions(parent=self),
        )
        bus = aws.cloudwatch.EventBus(
            f"{name}-bus",
            name=bus_name,
            description="Lab data mesh metadata events.",
            kms_key_identifier=events_key.arn,
            dead_letter_config=aws.cloudwatch.EventBusDeadLetterConfigArgs(arn=bus_dlq.arn),
            opts=pulumi.ResourceOptions(parent=self),
        )
        bus_dlq.admit([bus.arn])
        connection = self._create_eln_connection(name, args, events_key.arn) if endpoint else None
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/vendedlogs/states/{sm_name}",
            retention_in_days=args["log_retention_days"],
            kms_key_id=args.get("log_kms_key_arn", key),
            opts=pulumi.ResourceOptions(parent=self),
        )
        execution_key = create_execution_key(
            name,
            machine_name=sm_name,
            region=context.region,
            account_id=context.account_id,
            parent=self,
        )
        role = aws.iam.Role(
            f"{name}-role",
            description="Runs the lab sync workflow.",
            assume_role_policy=service_trust_policy(
                "states.amazonaws.com", context.account_id, source_arn=self._sm_arn
            ).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=role.id,
            policy=render(
                self._permissions(
                    args,
                    bus,
                    connection,
                    events_key.arn,
                    context,
                    execution_key.arn,
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        definition = pulumi.Output.all(
            args["table_name"],
            bus.arn,
            args["alerts_topic_arn"],
            connection.arn if connection else "",
        ).apply(lambda v: sync_definition(SyncRefs(v[0], v[1], v[2], endpoint, v[3])).to_json())
        machine = create_state_machine(
            f"{name}-state-machine",
            machine_name=sm_name,
            role_arn=role.arn,
            definition=definition,
            log_group_arn=log_group.arn,
            key_arn=execution_key.arn,
            role_policies=[policy],
            parent=self,
        )
        self.state_machine_arn = machine.arn
        self.event_bus_name = bus.name
        self.event_bus_arn = bus.arn
        self.log_group_name = log_group.name
        self.eln_connection_arn = connection.arn if connection else None
        self.events_key_arn = events_key.arn
        self.execution_key_arn = execution_key.arn
        self.register_outputs(
            {
                "state_machine_arn": self.state_machine_arn,
                "event_bus_name": self.event_bus_name,
                "event_bus_arn": self.event_bus_arn,
                "events_key_arn": self.events_key_arn,
                "execution_key_arn": self.execution_key_arn,
                "log_group_name": self.log_group_name,
                "eln_connection_arn": self.eln_connection_arn,
            }
        )

    def _create_events_key(
        self, name: str, bus_arn: pulumi.Output[str], account_id: pulumi.Output[str]
    ) -> aws.kms.Key:
        """The key of the lab event bus and the ELN connection, with EventBridge's grant.

        EventBridge encrypts and matches a bus's events as its own service principal, so the
        key policy (not an IAM policy) must let `events.amazonaws.com` use the key: "The AWS
        KMS key policy must grant EventBridge ... kms:DescribeKey, kms:GenerateDataKey,
        kms:Decrypt", conditioned on the bus by `aws:SourceArn` and the encryption context
        `aws:events:event-bus:arn` ("Encrypting EventBridge event buses with AWS KMS keys").
        A connection's secret may use a customer managed key only when the key carries the
        tag `EventBridgeApiDestinations=true` ("Encrypting EventBridge connection
        authorization with AWS KMS keys"). The lake's key delegates to IAM alone and is the
        lake's, so the lab's events get their own key rather than a grant on it.
        """
        events = "events.amazonaws.com"
        policy = document(
            {
                "Sid": "EnableIamPoliciesOfThisAccount",
                "Effect": "Allow",
                "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account_id, ":root")},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "EventBridgeValidatesKey",
                "Effect": "Allow",
                "Principal": {"Service": events},
                "Action": "kms:DescribeKey",
                "Resource": "*",
            },
            {
                "Sid": "EventBridgeEncryptsLabBus",
                "Effect": "Allow",
                "Principal": {"Service": events},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:EncryptionContext:aws:events:event-bus:arn": bus_arn,
                        "aws:SourceArn": bus_arn,
                    }
                },
            },
        )
        key = aws.kms.Key(
            f"{name}-events-key",
            description=f"Encrypts the {name} event bus and ELN connection secret",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=render(policy),
            # Functional, not descriptive: EventBridge refuses a connection key without it.
            tags={"EventBridgeApiDestinations": "true"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.kms.Alias(
            f"{name}-events-key-alias",
            name=f"alias/{name}-events",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key

    def _create_eln_connection(
        self, name: str, args: LabSyncWorkflowArgs, key_arn: pulumi.Input[str]
    ) -> aws.cloudwatch.EventConnection:
        """The ELN API key, read from its secret, kept by EventBridge under the events key."""
        secret = aws.secretsmanager.get_secret_version_output(
            secret_id=args.get("eln_api_key_secret_arn"),
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        return aws.cloudwatch.EventConnection(
            f"{name}-eln-connection",
            name=f"{name}-eln",
            description="API-key connection the sync workflow notifies the ELN through.",
            authorization_type="API_KEY",
            auth_parameters=aws.cloudwatch.EventConnectionAuthParametersArgs(
                api_key=aws.cloudwatch.EventConnectionAuthParametersApiKeyArgs(
                    key=args.get("eln_api_key_header", "x-api-key"),
                    value=pulumi.Output.secret(secret.secret_string),
                )
            ),
            kms_key_identifier=key_arn,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _permissions(
        self,
        args: LabSyncWorkflowArgs,
        bus: aws.cloudwatch.EventBus,
        connection: aws.cloudwatch.EventConnection | None,
        events_key_arn: pulumi.Input[str],
        context: AwsContext,
        execution_key_arn: pulumi.Input[str],
    ) -> dict[str, object]:
        region = context.region
        statements = [
            statement(
                "WriteMetadataStore",
                ["dynamodb:PutItem", "dynamodb:UpdateItem"],
                [args["table_arn"]],
            ),
            statement("PutLabEvents", ["events:PutEvents"], [bus.arn]),
            statement("PublishAlerts", ["sns:Publish"], [args["alerts_topic_arn"]]),
            kms_via_services(args["kms_key_arn"], region, ("dynamodb", "sns", "logs")),
            # Execution data and logs are encrypted with the state machine's own key, scoped by
            # the contexts Step Functions binds its data keys to (state_machine_resource).
            *execution_key_statements(execution_key_arn, self._sm_arn, region, context.account_id),
            # Log delivery and X-Ray APIs have no resource-level permissions (AWS documents "*").
            statement(
                "DeliverExecutionLogs",
                [
                    "logs:CreateLogDelivery",
                    "logs:DeleteLogDelivery",
                    "logs:DescribeLogGroups",
                    "logs:DescribeResourcePolicies",
                    "logs:GetLogDelivery",
                    "logs:ListLogDeliveries",
                    "logs:PutResourcePolicy",
                    "logs:UpdateLogDelivery",
                ],
                ["*"],
            ),
            statement(
                "TraceExecutions",
                [
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:PutTelemetryRecords",
                    "xray:PutTraceSegments",
                ],
                ["*"],
            ),
        ]
        if connection is not None:
            statements += [
                statement(
                    "CallElnOnly",
                    ["states:InvokeHTTPEndpoint"],
                    [self._sm_arn],
                    {
                        "StringEquals": {"states:HTTPMethod": "POST"},
                        "StringLike": {"states:HTTPEndpoint": args.get("eln_endpoint", "")},
                    },
                ),
                statement(
                    "UseElnConnection", ["events:RetrieveConnectionCredentials"], [connection.arn]
                ),
                statement(
                    "ReadElnConnectionSecret",
                    ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                    [connection.secret_arn],
                ),
                # The secret is encrypted with the events key, so reading it needs kms:Decrypt
                # through Secrets Manager, whose encryption context names the secret.
                statement(
                    "DecryptElnConnectionSecret",
                    ["kms:Decrypt"],
                    [events_key_arn],
                    {
                        "StringEquals": {
                            "kms:ViaService": pulumi.Output.concat(
                                "secretsmanager.", region, ".amazonaws.com"
                            ),
                            "kms:EncryptionContext:SecretARN": connection.secret_arn,
                        }
                    },
                ),
            ]
        return document(*statements)
