"""Tagging and tag audit beyond one Lambda: a Step Functions Distributed Map over the S3 listing.

The object tagger and the tag audit handle an object list in-process while it is at most the
configured threshold (`fan_out_threshold`). Above it they start this state machine instead, with
the input

    {"mode": "tag" | "audit", "bucket": "<data bucket>", "prefix": "projects/",
     "modifiedSince": "<ISO 8601 time or empty>", "source": "<what asked for the run>"}

A Distributed Map lists `s3://bucket/prefix` itself (ItemReader `s3:listObjectsV2`), hands
batches of up to `MAX_ITEMS_PER_BATCH` objects to EXPRESS child workflows, each of which invokes
the same tagger or audit function in batch mode, writes the Map Run's results under `fanout/` in
the transfer-reports bucket (ResultWriter), and publishes one SNS summary naming that location.
Tagging tolerates no failed batch; the audit tolerates a few (`AUDIT_TOLERATED_FAILURE_PERCENT`).

See docs/transfer.md for when each path is used and the limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import service_trust_policy
from components.blocks.state_machine import (
    STATES_ALL,
    Catch,
    Choice,
    ChoiceRule,
    Definition,
    DistributedMap,
    Fail,
    ItemBatcher,
    ItemReader,
    ResultWriter,
    Retry,
    Succeed,
    Task,
    string_equals,
    validate,
)
from components.blocks.state_machine_resource import (
    create_execution_key,
    create_state_machine,
    execution_key_statements,
)
from contracts.facts import LOG_RETENTION_DAYS

__all__ = [
    "AUDIT_TOLERATED_FAILURE_PERCENT",
    "FANOUT_RESULT_PREFIX",
    "MAX_ITEMS_PER_BATCH",
    "MODES",
    "FanOutRefs",
    "TransferFanOut",
    "TransferFanOutArgs",
    "fanout_definition",
    "fanout_state_machine_arn",
    "fanout_state_machine_name",
]

FANOUT_RESULT_PREFIX: Final = "fanout"
"""Key prefix of Map Run results (ResultWriter) in the transfer-reports bucket."""
MAX_ITEMS_PER_BATCH: Final = 1000
"""Objects per child workflow: one listing page, a few seconds of one Lambda's threads."""
MAX_BATCH_BYTES: Final = 200 * 1024
"""Batch payload cap, under Lambda's and Step Functions' 256 KiB (keys can be 1 KiB long)."""
AUDIT_TOLERATED_FAILURE_PERCENT: Final = 5
"""Failed audit batches a run tolerates; their objects are listed in the Map Run's results."""
BATCH_TASK_TIMEOUT_SECONDS: Final = 240
"""One batch's Lambda call; EXPRESS child workflows end after 5 minutes."""
MODES: Final = ("tag", "audit")

_LAMBDA_INVOKE: Final = "arn:aws:states:::lambda:invoke"
_SNS_PUBLISH: Final = "arn:aws:states:::sns:publish"
_LAMBDA_TRANSIENT: Final = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
_SNS_TRANSIENT: Final = (
    "SNS.SdkClientException",
    "SNS.InternalErrorException",
    "SNS.ThrottledException",
)


def fanout_state_machine_name(name_prefix: str) -> str:
    """Physical name of the fan-out state machine."""
    return f"{name_prefix}-transfer-fanout"


def fanout_state_machine_arn(
    region: pulumi.Input[str], account: pulumi.Input[str], name_prefix: str
) -> pulumi.Output[str]:
    """The state machine's ARN before it exists, so the functions it invokes can name it."""
    return pulumi.Output.concat(
        "arn:aws:states:", region, ":", account, ":stateMachine:",
        fanout_state_machine_name(name_prefix),
    )  # fmt: skip


@dataclass(frozen=True)
class FanOutRefs:
    """The physical names the definition refers to."""

    environment: str
    tagger_function_arn: str
    audit_function_arn: str
    reports_bucket: str
    transfers_topic_arn: str
    reports_topic_arn: str
    max_concurrency: int


def _batch_processor(mode: str, function_arn: str) -> Definition:
    step = f"{mode.capitalize()}Batch"
    # State names are unique across the whole definition, nested Map processors included
    # (Amazon States Language: "State names MUST be unique within the scope of the whole
    # state machine"), so each mode's failure state carries the mode's name.
    failed = f"{step}Failed"
    return Definition(
        start_at=step,
        states={
            step: Task(
                resource=_LAMBDA_INVOKE,
                parameters={"FunctionName": function_arn, "Payload.$": "$"},
                result_selector={"summary.$": "$.Payload"},
                result_path="$",
                timeout_seconds=BATCH_TASK_TIMEOUT_SECONDS,
                retry=(
                    Retry(_LAMBDA_TRANSIENT, interval_seconds=2, max_attempts=6, backoff_rate=2.0),
                    Retry(("TaggingFailedError",), interval_seconds=5, max_attempts=2),
                ),
                catch=(Catch((STATES_ALL,), failed),),
                end=True,
                comment=f"{mode} one batch of objects with the {mode} function in batch mode",
            ),
            failed: Fail(error="BatchFailed", cause=f"the {mode} function failed on this batch"),
        },
    )


def _mode_states(mode: str, refs: FanOutRefs) -> dict[str, Any]:
    title = mode.capitalize()
    function_arn = refs.tagger_function_arn if mode == "tag" else refs.audit_function_arn
    topic = refs.transfers_topic_arn if mode == "tag" else refs.reports_topic_arn
    tolerated = 0 if mode == "tag" else AUDIT_TOLERATED_FAILURE_PERCENT
    notify_retry = (Retry(_SNS_TRANSIENT, interval_seconds=2, max_attempts=3),)
    return {
        f"{title}Objects": DistributedMap(
            item_reader=ItemReader({"Bucket.$": "$.bucket", "Prefix.$": "$.prefix"}),
            item_selector={
                "Key.$": "$$.Map.Item.Value.Key",
                "Size.$": "$$.Map.Item.Value.Size",
                "LastModified.$": "$$.Map.Item.Value.LastModified",
            },
            item_batcher=ItemBatcher(
                max_items_per_batch=MAX_ITEMS_PER_BATCH,
                max_input_bytes_per_batch=MAX_BATCH_BYTES,
                batch_input={
                    "bucket.$": "$.bucket",
                    "mode": mode,
                    "environment": refs.environment,
                    "modifiedSince.$": "$.modifiedSince",
                    "run.$": "$$.Execution.Name",
                },
            ),
            processor=_batch_processor(mode, function_arn),
            execution_type="EXPRESS",
            max_concurrency=refs.max_concurrency,
            tolerated_failure_percentage=tolerated,
            result_writer=ResultWriter(refs.reports_bucket, f"{FANOUT_RESULT_PREFIX}/{mode}"),
            result_path="$.map",
            label=f"{title}Objects",
            catch=(Catch((STATES_ALL,), f"Notify{title}Failed", result_path="$.error"),),
            next=f"Notify{title}Done",
            comment=f"{mode} every object under s3://bucket/prefix, batch by batch",
        ),
        f"Notify{title}Done": Task(
            resource=_SNS_PUBLISH,
            parameters={
                "TopicArn": topic,
                "Subject.$": f"States.Format('[{refs.environment}] fan-out {mode} finished: {{}}',"
                " $$.Execution.Name)",
                "Message.$": "States.Format('Distributed Map {} of s3://{}/{} finished "
                f"(source: {{}}). Per-batch counts: s3://{refs.reports_bucket}/{{}} "
                "(Map Run {}).', $.mode, $.bucket, $.prefix, $.source, "
                "$.map.ResultWriterDetails.Key, $.map.MapRunArn)",
            },
            result_path=None,
            retry=notify_retry,
            catch=(Catch((STATES_ALL,), "Done"),),
            next="Done",
            comment="One summary per run; the per-batch counts are in the ResultWriter files",
        ),
        f"Notify{title}Failed": Task(
            resource=_SNS_PUBLISH,
            parameters={
                "TopicArn": topic,
                "Subject.$": f"States.Format('[{refs.environment}] FAILED fan-out {mode}: {{}}',"
                " $$.Execution.Name)",
                "Message.$": "States.Format('Distributed Map {} of s3://{}/{} failed "
                "(source: {}): {}. See the execution and the Map Run results under "
                f"s3://{refs.reports_bucket}/{FANOUT_RESULT_PREFIX}/{mode}/.', $.mode, $.bucket, "
                "$.prefix, $.source, $.error.Error)",
            },
            result_path=None,
            retry=notify_retry,
            catch=(Catch((STATES_ALL,), "Failed"),),
            next="Failed",
        ),
    }


def fanout_definition(refs: FanOutRefs) -> Definition:
    """The validated state machine; DefinitionError if a change broke its structure."""
    states: dict[str, Any] = {
        "ChooseMode": Choice(
            choices=tuple(
                ChoiceRule(string_equals("$.mode", mode), f"{mode.capitalize()}Objects")
                for mode in MODES
            ),
            default="UnknownMode",
        ),
        **_mode_states("tag", refs),
        **_mode_states("audit", refs),
        "UnknownMode": Fail(error="UnknownMode", cause='input mode must be "tag" or "audit"'),
        "Failed": Fail(error="FanOutFailed", cause="the Distributed Map run failed; see SNS"),
        "Done": Succeed(),
    }
    return validate(
        Definition(
            start_at="ChooseMode",
            states=states,
            comment="Tag or audit every object under a bucket prefix with a Distributed Map",
            timeout_seconds=24 * 3600,
        )
    )


class TransferFanOutArgs(TypedDict):
    """What the fan-out lists, whom it invokes, where it writes and whom it tells."""

    name_prefix: str
    """Prefix of physical names, e.g. `gen-prod` (state machine `<prefix>-transfer-fanout`)."""
    environment: str
    """Deployment environment, passed to the batches and named in the SNS subjects."""
    region: str
    """Region of the state machine (the transfer region)."""
    account_id: pulumi.Input[str]
    """Account id, for the ARNs of the state machine's own executions."""
    data_bucket_names: Sequence[pulumi.Input[str]]
    """Buckets the Distributed Map may list (s3:ListBucket)."""
    reports_bucket: pulumi.Input[str]
    """The transfer-reports bucket; results go under `fanout/`."""
    data_key_arn: pulumi.Input[str]
    """KMS key of the reports bucket (results are written through S3 with it)."""
    log_key_arn: pulumi.Input[str]
    """KMS key of the state machine's log group."""
    log_retention_days: int
    """Retention of the log group; a CloudWatch Logs allowed value."""
    tagger_function_arn: pulumi.Input[str]
    """Object tagger; invoked with `{"Items": [...], "BatchInput": {"mode": "tag", ...}}`."""
    audit_function_arn: pulumi.Input[str]
    """Tag audit; invoked with `{"Items": [...], "BatchInput": {"mode": "audit", ...}}`."""
    transfers_topic_arn: pulumi.Input[str]
    """Topic of the tagging summary."""
    reports_topic_arn: pulumi.Input[str]
    """Topic of the audit summary."""
    max_concurrency: NotRequired[int]
    """Child workflows (so Lambda invocations) at once, 1-1000; 10 unless given."""


def _validate(args: TransferFanOutArgs) -> None:
    concurrency = args.get("max_concurrency", 10)
    if not 1 <= concurrency <= 1000:
        raise ValueError(
            f"TransferFanOutArgs.max_concurrency {concurrency} must be between 1 and 1000"
        )
    if args["log_retention_days"] not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"TransferFanOutArgs.log_retention_days {args['log_retention_days']} is not a value "
            "CloudWatch Logs allows (e.g. 30, 90, 365)"
        )
    if not args["data_bucket_names"]:
        raise ValueError("TransferFanOutArgs.data_bucket_names is empty; name the data buckets")


def _statement(
    sid: str, actions: list[str], resources: list[Any], condition: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": resources,
    }
    if condition is not None:
        statement["Condition"] = dict(condition)
    return statement


class TransferFanOut(pulumi.ComponentResource):
    """The Distributed Map state machine, its role and its log group."""

    state_machine_arn: pulumi.Output[str]
    """ARN of the fan-out state machine (FAN_OUT_STATE_MACHINE_ARN of the functions)."""
    role_arn: pulumi.Output[str]
    """The state machine's execution role."""
    log_group_name: pulumi.Output[str]
    """Log group of its executions (level ALL, without execution data)."""
    execution_key_arn: pulumi.Output[str]
    """The state machine's key: callers of StartExecution need kms:GenerateDataKey on it."""

    def __init__(
        self, name: str, args: TransferFanOutArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:transfer:FanOut", name, None, opts)
        _validate(args)
        child = pulumi.ResourceOptions(parent=self)
        machine_name = fanout_state_machine_name(args["name_prefix"])
        concurrency = args.get("max_concurrency", 10)
        # Fail at construction, not inside an apply, when the structure is wrong.
        fanout_definition(FanOutRefs(args["environment"], "t", "a", "r", "s", "s", concurrency))
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/vendedlogs/states/{machine_name}",
            retention_in_days=args["log_retention_days"],
            kms_key_id=args["log_key_arn"],
            opts=child,
        )
        execution_key = create_execution_key(
            name,
            machine_name=machine_name,
            region=args["region"],
            account_id=args["account_id"],
            parent=self,
        )
        trust = service_trust_policy("states.amazonaws.com", args["account_id"]).render()
        role = aws.iam.Role(
            f"{name}-role",
            name=f"{machine_name}-role"[:64],
            description="Runs the transfer fan-out (Distributed Map over S3 listings).",
            assume_role_policy=trust,
            max_session_duration=3600,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=role.name,
            name="least-privilege",
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": self._statements(args, machine_name, execution_key.arn),
                }
            ),
            opts=child,
        )
        definition = pulumi.Output.all(
            args["tagger_function_arn"],
            args["audit_function_arn"],
            args["reports_bucket"],
            args["transfers_topic_arn"],
            args["reports_topic_arn"],
        ).apply(
            lambda v: fanout_definition(
                FanOutRefs(args["environment"], v[0], v[1], v[2], v[3], v[4], concurrency)
            ).to_json()
        )
        machine = create_state_machine(
            f"{name}-state-machine",
            machine_name=machine_name,
            role_arn=role.arn,
            definition=definition,
            log_group_arn=log_group.arn,
            key_arn=execution_key.arn,
            role_policies=[policy],
            parent=self,
        )
        self.state_machine_arn = machine.arn
        self.role_arn = role.arn
        self.log_group_name = log_group.name
        self.execution_key_arn = execution_key.arn
        self.register_outputs(
            {
                "state_machine_arn": self.state_machine_arn,
                "role_arn": self.role_arn,
                "log_group_name": self.log_group_name,
                "execution_key_arn": self.execution_key_arn,
            }
        )

    @staticmethod
    def _statements(
        args: TransferFanOutArgs, machine_name: str, execution_key_arn: pulumi.Input[str]
    ) -> list[dict[str, Any]]:
        region, account = args["region"], args["account_id"]
        machine_arn = pulumi.Output.concat(
            "arn:aws:states:", region, ":", account, ":stateMachine:", machine_name
        )
        executions = pulumi.Output.concat(
            "arn:aws:states:", region, ":", account, ":execution:", machine_name, "/*"
        )
        reports = pulumi.Output.from_input(args["reports_bucket"])
        results = pulumi.Output.concat("arn:aws:s3:::", reports, f"/{FANOUT_RESULT_PREFIX}/*")
        return [
            _statement(
                "ListDataBuckets",
                ["s3:ListBucket"],
                [pulumi.Output.concat("arn:aws:s3:::", b) for b in args["data_bucket_names"]],
            ),
            _statement(
                "InvokeBatchFunctions",
                ["lambda:InvokeFunction"],
                [args["tagger_function_arn"], args["audit_function_arn"]],
            ),
            _statement(
                "WriteMapRunResults",
                [
                    "s3:PutObject",
                    "s3:GetObject",
                    "s3:ListMultipartUploadParts",
                    "s3:AbortMultipartUpload",
                ],
                [results],
            ),
            _statement(
                "EncryptMapRunResults",
                ["kms:GenerateDataKey", "kms:Decrypt"],
                [args["data_key_arn"]],
                {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            ),
            *execution_key_statements(execution_key_arn, machine_arn, region, account),
            _statement("StartChildWorkflows", ["states:StartExecution"], [machine_arn]),
            _statement(
                "ManageChildWorkflows",
                ["states:DescribeExecution", "states:StopExecution"],
                [executions],
            ),
            _statement(
                "NotifySummaries",
                ["sns:Publish"],
                [args["transfers_topic_arn"], args["reports_topic_arn"]],
            ),
            _statement(
                "DeliverLogs",
                [
                    "logs:CreateLogDelivery",
                    "logs:GetLogDelivery",
                    "logs:UpdateLogDelivery",
                    "logs:DeleteLogDelivery",
                    "logs:ListLogDeliveries",
                    "logs:PutResourcePolicy",
                    "logs:DescribeResourcePolicies",
                    "logs:DescribeLogGroups",
                ],
                # CloudWatch Logs' vended-log delivery actions accept no resource ARN.
                ["*"],
            ),
            _statement(
                "WriteTraces",
                [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                ],
                # X-Ray has no resource-level permissions.
                ["*"],
            ),
        ]
