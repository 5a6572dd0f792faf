"""Container Insights, log alerts, alarms and the environment dashboard.

What the platform watches, and why each alarm treats missing data the way it does:
- counts of failures (Lambda errors, replication failures, backup failures, DataSync errors,
  S3 5xx) are only published when something happens, so missing data means "nothing failed"
  (`notBreaching`);
- gauges that are always published while the thing exists (EFS I/O, node CPU and memory)
  treat missing data as `missing`, so a gap keeps the last state instead of flapping to OK.

The EKS control-plane log group belongs to the cluster component; this one creates the four
Container Insights log groups, so their retention and KMS key are ours and not the agent's
defaults (never-expire, unencrypted).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.function import PlatformFunction, PlatformFunctionArgs
from components.blocks.iam_documents import Condition, service_trust_policy
from components.observability.inventory import StackInventory
from components.observability.widgets import (
    Dashboard,
    Expression,
    Metric,
    MetricWidget,
    Stat,
    TextWidget,
)

__all__ = [
    "CONTAINER_INSIGHTS_LOG_TYPES",
    "DEFAULT_LOG_ALERT_TERMS",
    "DEFAULT_THRESHOLDS",
    "AlarmThresholds",
    "EmfMetric",
    "LogEncryptionKey",
    "Observability",
    "ObservabilityArgs",
    "ReplicationRule",
]

CONTAINER_INSIGHTS_LOG_TYPES: Final = ("application", "host", "dataplane", "performance")
"""The log groups `amazon-cloudwatch-observability` writes to under /aws/containerinsights/."""
DEFAULT_LOG_ALERT_TERMS: Final = ("ERROR",)
"""Terms of lines containers write. OOMKilled and CrashLoopBackOff are not among them: they are
container states, which the container-state alarms watch through Container Insights metrics."""
_AGENT_NAMESPACE: Final = "amazon-cloudwatch"
_AGENT_SERVICE_ACCOUNT: Final = "cloudwatch-agent"
_AGENT_POLICY_ARN: Final = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
_LABEL: Final = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
_TERM: Final = re.compile(r'^[^"\s][^"]{0,63}$')

_LAMBDA_PANELS: Final[tuple[tuple[str, str, Stat], ...]] = (
    ("Invocations", "Invocations", "Sum"),
    ("Errors", "Errors", "Sum"),
    ("Throttles", "Throttles", "Sum"),
    ("Duration p99 (ms)", "Duration", "p99"),
)

TreatMissing = Literal["breaching", "notBreaching", "ignore", "missing"]


class AlarmThresholds(TypedDict, total=False):
    """Alarm thresholds; any left out take `DEFAULT_THRESHOLDS`."""

    efs_percent_io_limit: float
    """EFS PercentIOLimit (General Purpose mode) above which I/O is close to throttling."""
    efs_throughput_utilization_percent: float
    """Bursting and provisioned modes: metered throughput as a percentage of permitted."""
    efs_elastic_metered_mibps: float
    """Elastic mode: metered throughput (MiB/s) above which usage is beyond the plan."""
    efs_client_connections: float
    """More EFS client connections than expected (runaway pods or leaked mounts)."""
    efs_burst_credit_balance_bytes: float
    """Bursting mode only: credits below this mean throughput is about to drop."""
    replication_latency_seconds: float
    """S3 replication latency; RTC promises 15 minutes (900 s)."""
    s3_4xx_errors: float
    """4xx responses per 5 minutes per bucket (denied or missing keys)."""
    s3_5xx_errors: float
    """5xx responses per 5 minutes per bucket."""
    lambda_errors: float
    """Errors per 5 minutes per function."""
    lambda_throttles: float
    """Throttles per 5 minutes per function."""
    node_cpu_percent: float
    """Average node CPU utilisation of the cluster."""
    node_memory_percent: float
    """Average node memory utilisation of the cluster."""
    pod_restarts: float
    """Container restarts across the cluster in 5 minutes (the counter's increase)."""
    untagged_objects: float
    """Objects the daily audit found without required tags."""


DEFAULT_THRESHOLDS: Final[AlarmThresholds] = {
    "efs_percent_io_limit": 95.0,
    "efs_throughput_utilization_percent": 80.0,
    "efs_elastic_metered_mibps": 500.0,
    "efs_client_connections": 500.0,
    "efs_burst_credit_balance_bytes": 1024.0**4,
    "replication_latency_seconds": 900.0,
    "s3_4xx_errors": 100.0,
    "s3_5xx_errors": 0.0,
    "lambda_errors": 0.0,
    "lambda_throttles": 0.0,
    "node_cpu_percent": 80.0,
    "node_memory_percent": 80.0,
    "pod_restarts": 5.0,
    "untagged_objects": 0.0,
}


class ReplicationRule(TypedDict):
    """One S3 replication rule whose metrics (RTC / replication metrics) are on."""

    source_bucket: pulumi.Input[str]
    """Source bucket name."""
    destination_bucket: pulumi.Input[str]
    """Destination (replica) bucket name."""
    rule_id: pulumi.Input[str]
    """The replication rule's ID, a dimension of the replication metrics."""


class EmfMetric(TypedDict):
    """A metric a function writes with Powertools (embedded metric format)."""

    namespace: str
    """The function's POWERTOOLS_METRICS_NAMESPACE."""
    dimensions: Mapping[str, str]
    """Its dimensions, e.g. `{"service": "tag-audit"}` (Powertools adds `service`)."""


class ObservabilityArgs(TypedDict):
    """What to watch. Keys of the mappings are short labels that name alarms and widgets."""

    name_prefix: str
    """Prefix of physical names, e.g. `gen-prod`."""
    environment: str
    """Environment shown on the dashboard."""
    cluster_name: pulumi.Input[str]
    """EKS cluster to install Container Insights on and watch."""
    alerts_topic_arn: pulumi.Input[str]
    """Every alarm's alarm and OK action, and where log alerts go."""
    log_kms_key_arn: pulumi.Input[str]
    """Key of the log groups created here; its policy must allow logs.<region>.amazonaws.com."""
    log_retention_days: int
    """Retention of the log groups created here."""
    file_system_id: NotRequired[pulumi.Input[str]]
    """EFS file system to watch; none unless given."""
    efs_throughput_mode: NotRequired[Literal["elastic", "bursting", "provisioned"]]
    """Adds the burst-credit alarm in bursting mode; elastic unless given."""
    buckets: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Buckets with a request-metrics configuration: label to bucket name."""
    request_metrics_filter_id: NotRequired[str]
    """FilterId of the buckets' request-metrics configuration; `EntireBucket` unless given."""
    replication_rules: NotRequired[Mapping[str, ReplicationRule]]
    """Replication rules to watch: label to rule."""
    datasync_task_arns: NotRequired[Mapping[str, pulumi.Input[str]]]
    """DataSync tasks: label to task ARN."""
    function_names: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Lambda functions: label to function name. The log-alerts function is added."""
    backup_vault_names: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Backup vaults: label to vault name."""
    backup_copy_vault_names: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Vaults that only receive copies (the DR vault): label to vault name. No backup job ever
    runs into them, so they are watched for copies that stop arriving, not for failed jobs."""
    backup_resource_type: NotRequired[str]
    """The AWS Backup resource type the plan protects (`ResourceType` dimension; default
    `EBS`)."""
    backup_vault_regions: NotRequired[Mapping[str, str]]
    """Vaults outside the provider's region: label to region (the DR vault). Their alarms and
    widgets live in that region, because AWS Backup publishes a vault's metrics there."""
    regional_alerts_topic_arns: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Alerts topics in other regions: region to topic ARN. An alarm in another region notifies
    the topic of its own region (CloudWatch alarms, and their actions, are regional)."""
    inventory: NotRequired[StackInventory]
    """Every Lambda function and SQS queue of the stack: each function gets Errors and
    Throttles alarms, each (dead-letter) queue a depth alarm, without being listed here."""
    untagged_objects_metric: NotRequired[EmfMetric]
    """Where the tag audit writes `UntaggedObjects`; no alarm unless given."""
    log_alert_terms: NotRequired[Sequence[str]]
    """Terms any of which sends an application log line to the alerts topic."""
    thresholds: NotRequired[AlarmThresholds]
    """Overrides of `DEFAULT_THRESHOLDS`."""
    addon_version: NotRequired[str]
    """Pin of the amazon-cloudwatch-observability add-on; EKS's default unless given."""
    log_alerts_dedupe_window_seconds: NotRequired[int]
    """Window in which the log forwarder suppresses a repeated line; 900 unless given."""
    source_root: NotRequired[Path]
    """Where `functions/` lives, for tests; the repository root unless given."""


def _vaults(args: ObservabilityArgs) -> dict[str, pulumi.Input[str]]:
    """Every vault to watch, label to name: those backups run into and copy-only ones."""
    return {**args.get("backup_vault_names", {}), **args.get("backup_copy_vault_names", {})}


def _validate(args: ObservabilityArgs) -> None:
    labelled: list[tuple[str, Mapping[str, Any]]] = [
        ("buckets", args.get("buckets", {})),
        ("replication_rules", args.get("replication_rules", {})),
        ("datasync_task_arns", args.get("datasync_task_arns", {})),
        ("function_names", args.get("function_names", {})),
        ("backup_vault_names", args.get("backup_vault_names", {})),
        ("backup_copy_vault_names", args.get("backup_copy_vault_names", {})),
    ]
    for field, mapping in labelled:
        bad = [label for label in mapping if not _LABEL.fullmatch(label)]
        if bad:
            raise ValueError(
                f"ObservabilityArgs.{field} labels {bad} must be short kebab-case words "
                "such as raw-sequence; they become part of alarm names"
            )
    if "log-alerts" in args.get("function_names", {}):
        raise ValueError(
            "ObservabilityArgs.function_names must not use the label log-alerts: the "
            "component adds its own log-alerts function under that label"
        )
    terms = args.get("log_alert_terms", DEFAULT_LOG_ALERT_TERMS)
    bad_terms = [term for term in terms if not _TERM.fullmatch(term)]
    if not terms or bad_terms:
        raise ValueError(
            f"ObservabilityArgs.log_alert_terms {list(terms)} must be 1-64 character terms "
            "without double quotes, e.g. OOMKilled"
        )
    topics = args.get("regional_alerts_topic_arns", {})
    for label, region in args.get("backup_vault_regions", {}).items():
        if label not in _vaults(args):
            raise ValueError(
                f"ObservabilityArgs.backup_vault_regions names {label!r}, which is not a "
                "label of backup_vault_names or backup_copy_vault_names"
            )
        if region not in topics:
            raise ValueError(
                f"ObservabilityArgs.backup_vault_regions puts vault {label!r} in {region}, but "
                f"regional_alerts_topic_arns has no alerts topic there (has {sorted(topics)}); "
                "create one with AlertTopicsArgs.regional_alerts_regions"
            )
    both = set(args.get("backup_copy_vault_names", {})) & set(args.get("backup_vault_names", {}))
    if both:
        raise ValueError(
            f"ObservabilityArgs.backup_copy_vault_names labels {sorted(both)} also name vaults "
            "of backup_vault_names; a vault either receives backups or only copies"
        )
    unknown = set(args.get("thresholds", {})) - set(DEFAULT_THRESHOLDS)
    if unknown:
        raise ValueError(
            f"ObservabilityArgs.thresholds has unknown keys {sorted(unknown)}; "
            f"known: {sorted(DEFAULT_THRESHOLDS)}"
        )


def _merged_thresholds(overrides: Mapping[str, object]) -> dict[str, float]:
    merged: dict[str, float] = {}
    for key, default in {**DEFAULT_THRESHOLDS, **overrides}.items():
        if isinstance(default, bool) or not isinstance(default, int | float):
            raise ValueError(
                f"ObservabilityArgs.thresholds.{key} must be a number, got {default!r}"
            )
        merged[key] = float(default)
    return merged


def _filter_pattern(terms: Sequence[str]) -> str:
    """An OR of quoted terms. One filter, because a log group takes two subscriptions at most."""
    if len(terms) == 1:
        return f'"{terms[0]}"'
    return " ".join(f'?"{term}"' for term in terms)


class Observability(pulumi.ComponentResource):
    """Container Insights with its log groups, the log-alerts function, alarms, a dashboard."""

    log_group_names: pulumi.Output[list[str]]
    """The Container Insights log groups created here."""
    dashboard_name: pulumi.Output[str]
    """Name of the environment's dashboard."""
    log_alerts_function_name: pulumi.Output[str]
    """The function that forwards matching application log lines."""
    agent_role_arn: pulumi.Output[str]
    """Role the CloudWatch agent assumes through EKS Pod Identity."""

    def __init__(
        self,
        name: str,
        args: ObservabilityArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("genomics:observability:Observability", name, None, opts)
        _validate(args)
        self._name = name
        self._prefix = args["name_prefix"]
        self._topic = args["alerts_topic_arn"]
        self._thresholds = _merged_thresholds(args.get("thresholds", {}))
        self._regional_topics = dict(args.get("regional_alerts_topic_arns", {}))
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        self._account_id: pulumi.Output[str] = aws.get_caller_identity_output(
            opts=invoke_opts
        ).account_id
        self._region: pulumi.Output[str] = aws.get_region_output(opts=invoke_opts).region
        self.alarms: list[aws.cloudwatch.MetricAlarm] = []

        self.log_groups = self._create_log_groups(args)
        self.agent_role = self._create_agent(args)
        self.log_alerts = self._create_log_alerts(args)
        # Read after the log-alerts function exists, so the inventory has it too.
        inventory = args.get("inventory")
        functions: dict[str, pulumi.Input[str]] = {
            **(self._inventory_labels(inventory) if inventory is not None else {}),
            **args.get("function_names", {}),
            "log-alerts": self.log_alerts.function_name,
        }
        self._create_alarms(args, functions)
        if inventory is not None:
            self._dlq_alarms(inventory)
        self.dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=f"{self._prefix}-platform",
            dashboard_body=self._dashboard(args, functions).body(),
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.log_group_names = pulumi.Output.all(*[g.name for g in self.log_groups.values()])
        self.dashboard_name = self.dashboard.dashboard_name
        self.log_alerts_function_name = self.log_alerts.function_name
        self.agent_role_arn = self.agent_role.arn
        self.register_outputs(
            {
                "log_group_names": self.log_group_names,
                "dashboard_name": self.dashboard_name,
                "log_alerts_function_name": self.log_alerts_function_name,
                "agent_role_arn": self.agent_role_arn,
            }
        )

    # ---- Container Insights ----

    def _create_log_groups(self, args: ObservabilityArgs) -> dict[str, aws.cloudwatch.LogGroup]:
        return {
            kind: aws.cloudwatch.LogGroup(
                f"{self._name}-{kind}-logs",
                name=pulumi.Output.concat(
                    "/aws/containerinsights/", args["cluster_name"], "/", kind
                ),
                retention_in_days=args["log_retention_days"],
                kms_key_id=args["log_kms_key_arn"],
                opts=pulumi.ResourceOptions(parent=self),
            )
            for kind in CONTAINER_INSIGHTS_LOG_TYPES
        }

    def _create_agent(self, args: ObservabilityArgs) -> aws.iam.Role:
        cluster_arn = pulumi.Output.concat(
            "arn:aws:eks:", self._region, ":", self._account_id, ":cluster/", args["cluster_name"]
        )
        trust = service_trust_policy(
            "pods.eks.amazonaws.com",
            self._account_id,
            sid="EksPodIdentityOfThisCluster",
            tag_session=True,
            conditions=(Condition("ArnEquals", "aws:SourceArn", cluster_arn),),
        ).render()
        role = aws.iam.Role(
            f"{self._name}-agent-role",
            name=f"{self._prefix}-cloudwatch-agent",
            description="CloudWatch agent and Fluent Bit of Container Insights (Pod Identity)",
            assume_role_policy=trust,
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{self._name}-agent-policy",
            role=role.name,
            policy_arn=_AGENT_POLICY_ARN,
            opts=pulumi.ResourceOptions(parent=self),
        )
        association = aws.eks.PodIdentityAssociation(
            f"{self._name}-agent-identity",
            cluster_name=args["cluster_name"],
            namespace=_AGENT_NAMESPACE,
            service_account=_AGENT_SERVICE_ACCOUNT,
            role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.eks.Addon(
            f"{self._name}-addon",
            cluster_name=args["cluster_name"],
            addon_name="amazon-cloudwatch-observability",
            addon_version=args.get("addon_version"),
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            # The agent starts writing as soon as it runs: its identity and the log groups
            # (with our retention and key) must exist first, or it creates unencrypted ones.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[attachment, association, *self.log_groups.values()],
            ),
        )
        return role

    def _create_log_alerts(self, args: ObservabilityArgs) -> PlatformFunction:
        function_args: PlatformFunctionArgs = {
            "package": "log_alerts",
            "function_name": f"{self._prefix}-log-alerts",
            "description": "Forwards application log lines matching the alert terms to SNS",
            "kms_key_arn": args["log_kms_key_arn"],
            "log_retention_days": args["log_retention_days"],
            # Few environments keep the in-memory de-duplication effective during a storm.
            "reserved_concurrency": 2,
            "destructive": False,
            "memory_mb": 256,
            "timeout_seconds": 30,
            "environment": {
                "TOPIC_ARN": self._topic,
                "DEDUPE_WINDOW_SECONDS": str(args.get("log_alerts_dedupe_window_seconds", 900)),
                "MAX_LINES_PER_POD": "5",
            },
            "policy_statements": [
                {"Sid": "PublishAlerts", "Action": ["sns:Publish"], "Resource": [self._topic]}
            ],
        }
        if "source_root" in args:
            function_args["source_root"] = args["source_root"]
        function = PlatformFunction(
            f"{self._name}-log-alerts",
            function_args,
            opts=pulumi.ResourceOptions(parent=self),
        )
        application = self.log_groups["application"]
        permission = function.allow_invocation(
            "logs.amazonaws.com", application.arn.apply(lambda arn: f"{arn}:*")
        )
        aws.cloudwatch.LogSubscriptionFilter(
            f"{self._name}-log-alerts-filter",
            name=f"{self._prefix}-log-alerts",
            log_group=application.name,
            filter_pattern=_filter_pattern(args.get("log_alert_terms", DEFAULT_LOG_ALERT_TERMS)),
            destination_arn=function.function_arn,
            # CloudWatch Logs test-invokes the destination when the filter is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
        )
        return function

    # ---- alarms ----

    def _threshold(self, key: str) -> float:
        return self._thresholds[key]

    def _alarm(
        self,
        suffix: str,
        description: str,
        *,
        threshold: float,
        treat_missing: TreatMissing,
        comparison: str = "GreaterThanThreshold",
        evaluation_periods: int = 1,
        namespace: str | None = None,
        metric: str | None = None,
        dimensions: Mapping[str, pulumi.Input[str]] | None = None,
        stat: str = "Sum",
        period: int = 300,
        queries: Sequence[aws.cloudwatch.MetricAlarmMetricQueryArgs] | None = None,
        region: str | None = None,
    ) -> aws.cloudwatch.MetricAlarm:
        """One alarm notifying the alerts topic of its region, in ALARM and back in OK.

        `region` places the alarm outside the provider's region (pulumi-aws 7's per-resource
        `region`): an alarm only sees metrics of its own region, and its SNS action must be a
        topic of that region too.
        """
        topic = self._topic if region is None else self._regional_topics[region]
        alarm = aws.cloudwatch.MetricAlarm(
            f"{self._name}-{suffix}",
            name=f"{self._prefix}-{suffix}",
            alarm_description=description,
            comparison_operator=comparison,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            treat_missing_data=treat_missing,
            namespace=namespace,
            metric_name=metric,
            dimensions=dict(dimensions) if dimensions is not None else None,
            statistic=stat if queries is None else None,
            period=period if queries is None else None,
            metric_queries=list(queries) if queries is not None else None,
            alarm_actions=[topic],
            ok_actions=[topic],
            region=region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.alarms.append(alarm)
        return alarm

    def _inventory_labels(self, inventory: StackInventory) -> dict[str, pulumi.Input[str]]:
        """Label (the physical name without the stack prefix) to name, for every function."""
        labels: dict[str, pulumi.Input[str]] = {}
        for function in inventory.functions:
            label = function.name.removeprefix(f"{self._prefix}-")
            if not _LABEL.fullmatch(label):
                raise ValueError(
                    f"Lambda function {function.name!r} cannot name its alarms: name it "
                    f"{self._prefix}-<kebab-case-role>, e.g. {self._prefix}-ebs-reaper"
                )
            labels[label] = function.name
        return labels

    def _dlq_alarms(self, inventory: StackInventory) -> None:
        # A message in a failure queue is an event that exhausted its retries: one is enough.
        # "All metrics emit non-negative values only when the queue is active" (SQS Developer
        # Guide, "Available CloudWatch metrics for Amazon SQS"): an idle failure queue is an
        # empty one, so missing data is not breaching.
        for queue in inventory.queue_names:
            label = queue.removeprefix(f"{self._prefix}-")
            self._alarm(
                f"sqs-{label}-depth",
                f"Queue {queue}: events failed every retry and wait to be replayed",
                threshold=0,
                treat_missing="notBreaching",
                namespace="AWS/SQS",
                metric="ApproximateNumberOfMessagesVisible",
                dimensions={"QueueName": queue},
                stat="Maximum",
            )

    def _create_alarms(
        self, args: ObservabilityArgs, functions: Mapping[str, pulumi.Input[str]]
    ) -> None:
        self._efs_alarms(args)
        self._s3_alarms(args)
        self._datasync_alarms(args)
        for label, function_name in functions.items():
            for metric, key in (("Errors", "lambda_errors"), ("Throttles", "lambda_throttles")):
                self._alarm(
                    f"lambda-{label}-{metric.lower()}",
                    f"Lambda {label}: {metric} above threshold in 5 minutes",
                    threshold=self._threshold(key),
                    treat_missing="notBreaching",
                    namespace="AWS/Lambda",
                    metric=metric,
                    dimensions={"FunctionName": function_name},
                )
        self._cluster_alarms(args)
        self._backup_alarms(args)
        audit = args.get("untagged_objects_metric")
        if audit is not None:
            self._alarm(
                "untagged-objects",
                "The daily tag audit found objects without the required tags",
                threshold=self._threshold("untagged_objects"),
                treat_missing="notBreaching",
                namespace=audit["namespace"],
                metric="UntaggedObjects",
                dimensions=dict(audit["dimensions"]),
                stat="Maximum",
                period=86400,
            )

    def _efs_alarms(self, args: ObservabilityArgs) -> None:
        file_system = args.get("file_system_id")
        if file_system is None:
            return
        dims = {"FileSystemId": file_system}
        self._alarm(
            "efs-percent-io-limit",
            "EFS is close to its General Purpose I/O limit; pods will see latency",
            threshold=self._threshold("efs_percent_io_limit"),
            treat_missing="missing",
            evaluation_periods=3,
            namespace="AWS/EFS",
            metric="PercentIOLimit",
            dimensions=dims,
            stat="Maximum",
        )
        if args.get("efs_throughput_mode", "elastic") == "elastic":
            self._efs_elastic_alarm(dims)
        else:
            self._efs_utilization_alarm(dims)
        self._alarm(
            "efs-client-connections",
            "More EFS client connections than the platform expects",
            threshold=self._threshold("efs_client_connections"),
            treat_missing="missing",
            namespace="AWS/EFS",
            metric="ClientConnections",
            dimensions=dims,
        )
        if args.get("efs_throughput_mode", "elastic") == "bursting":
            self._alarm(
                "efs-burst-credits",
                "EFS burst credits are running out; throughput will drop to baseline",
                threshold=self._threshold("efs_burst_credit_balance_bytes"),
                comparison="LessThanThreshold",
                treat_missing="missing",
                namespace="AWS/EFS",
                metric="BurstCreditBalance",
                dimensions=dims,
                stat="Minimum",
            )

    def _efs_elastic_alarm(self, dims: Mapping[str, pulumi.Input[str]]) -> None:
        """Elastic throughput has no ceiling to approach: PermittedThroughput "represents the
        maximum write throughput of the file system" (Amazon EFS User Guide, "CloudWatch metrics
        for Amazon EFS"), so metered/permitted stays near zero. What grows is usage, and AWS
        recommends "monitoring metrics with CloudWatch (MeteredIOBytes) and usage alerts"
        (Amazon EFS User Guide, "Managing file system throughput")."""
        self._alarm(
            "efs-elastic-throughput",
            "EFS elastic metered throughput is above the planned MiB/s (cost and pressure)",
            threshold=self._threshold("efs_elastic_metered_mibps"),
            treat_missing="missing",
            evaluation_periods=3,
            queries=[
                _efs_metric_query("metered", "MeteredIOBytes", dims, "Sum"),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="metered_mibps",
                    label="Metered throughput (MiB/s)",
                    return_data=True,
                    expression="(metered/1048576)/PERIOD(metered)",
                ),
            ],
        )

    def _efs_utilization_alarm(self, dims: Mapping[str, pulumi.Input[str]]) -> None:
        """Bursting and provisioned throughput have a ceiling, PermittedThroughput: "a function
        of the file system size and BurstCreditBalance" when bursting, the provisioned (or
        higher, size-driven) amount when provisioned (same EFS page)."""
        self._alarm(
            "efs-throughput-utilization",
            "EFS metered throughput is close to the permitted throughput",
            threshold=self._threshold("efs_throughput_utilization_percent"),
            treat_missing="missing",
            evaluation_periods=3,
            queries=[
                _efs_metric_query("metered", "MeteredIOBytes", dims, "Sum"),
                _efs_metric_query("permitted", "PermittedThroughput", dims, "Average"),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="utilization",
                    label="Throughput utilization (%)",
                    return_data=True,
                    expression=("((metered/1048576)/PERIOD(metered)) / (permitted/1048576) * 100"),
                ),
            ],
        )

    def _s3_alarms(self, args: ObservabilityArgs) -> None:
        filter_id = args.get("request_metrics_filter_id", "EntireBucket")
        for label, bucket in args.get("buckets", {}).items():
            for metric, key in (("4xxErrors", "s3_4xx_errors"), ("5xxErrors", "s3_5xx_errors")):
                self._alarm(
                    f"s3-{label}-{metric.lower()}",
                    f"S3 {label}: {metric} above threshold in 5 minutes",
                    threshold=self._threshold(key),
                    treat_missing="notBreaching",
                    namespace="AWS/S3",
                    metric=metric,
                    dimensions={"BucketName": bucket, "FilterId": filter_id},
                )
        for label, rule in args.get("replication_rules", {}).items():
            dims: dict[str, pulumi.Input[str]] = {
                "SourceBucket": rule["source_bucket"],
                "DestinationBucket": rule["destination_bucket"],
                "RuleId": rule["rule_id"],
            }
            self._alarm(
                f"replication-{label}-latency",
                f"Replication {label} lags beyond its time objective",
                threshold=self._threshold("replication_latency_seconds"),
                treat_missing="notBreaching",
                evaluation_periods=2,
                namespace="AWS/S3",
                metric="ReplicationLatency",
                dimensions=dims,
                stat="Maximum",
            )
            self._alarm(
                f"replication-{label}-failed",
                f"Replication {label} failed to replicate objects",
                threshold=0,
                treat_missing="notBreaching",
                namespace="AWS/S3",
                metric="OperationsFailedReplication",
                dimensions=dims,
            )

    def _datasync_alarms(self, args: ObservabilityArgs) -> None:
        tasks = args.get("datasync_task_arns", {})
        if not tasks:
            return
        # DataSync publishes no failed-execution metric; a rule matching ERROR state changes of
        # these tasks makes one (AWS/Events MatchedEvents per rule), without a second message.
        pattern = pulumi.Output.json_dumps(
            {
                "source": ["aws.datasync"],
                "detail-type": ["DataSync Task Execution State Change"],
                "detail": {"State": ["ERROR"]},
                "resources": [
                    {"prefix": pulumi.Output.concat(arn, "/execution/")} for arn in tasks.values()
                ],
            }
        )
        rule = aws.cloudwatch.EventRule(
            f"{self._name}-datasync-failed",
            name=f"{self._prefix}-datasync-failed",
            description="DataSync executions of the platform's tasks that ended in ERROR",
            event_pattern=pattern,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._alarm(
            "datasync-failed",
            "A DataSync transfer execution failed",
            threshold=0,
            treat_missing="notBreaching",
            namespace="AWS/Events",
            metric="MatchedEvents",
            dimensions={"RuleName": rule.name},
        )

    def _cluster_alarms(self, args: ObservabilityArgs) -> None:
        cluster = args["cluster_name"]
        for metric, key, suffix in (
            ("node_cpu_utilization", "node_cpu_percent", "node-cpu"),
            ("node_memory_utilization", "node_memory_percent", "node-memory"),
        ):
            self._alarm(
                suffix,
                f"Cluster nodes: average {metric} above threshold for 15 minutes",
                threshold=self._threshold(key),
                treat_missing="missing",
                evaluation_periods=3,
                namespace="ContainerInsights",
                metric=metric,
                dimensions={"ClusterName": cluster},
                stat="Average",
            )
        # pod_number_of_container_restarts is a per-pod running total: a pod that restarted
        # five times last week keeps reporting 5. The alarm watches its increase: a Metrics
        # Insights query without GROUP BY returns one series, which "can be used with any
        # metric math function that takes a single time series as input" (CloudWatch User
        # Guide, "Use Metrics Insights queries with metric math"); DIFF gives the restarts
        # of each 5-minute period. Restarts of deleted pods leave the sum, so only increases
        # count (a negative DIFF never breaches a GreaterThanThreshold alarm).
        query = pulumi.Output.concat(
            "SELECT SUM(pod_number_of_container_restarts) FROM SCHEMA(ContainerInsights, "
            "ClusterName, Namespace, PodName) WHERE ClusterName = '",
            cluster,
            "'",
        )
        self._alarm(
            "pod-restarts",
            "Containers of the cluster restarted more than expected in 5 minutes",
            threshold=self._threshold("pod_restarts"),
            treat_missing="notBreaching",
            queries=[
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="restarts", expression=query, period=300, return_data=False
                ),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="new_restarts",
                    label="Container restarts in the period",
                    expression="DIFF(restarts)",
                    return_data=True,
                ),
            ],
        )
        # OOMKilled and CrashLoopBackOff are container states the kubelet reports, not lines a
        # container writes, so the application log filter never sees them. Container Insights
        # with enhanced observability (the amazon-cloudwatch-observability add-on) publishes
        # them as metrics per cluster (CloudWatch User Guide, "Amazon EKS and Kubernetes
        # Container Insights metrics").
        for metric, suffix, what in _CONTAINER_STATE_METRICS:
            self._alarm(
                suffix,
                f"Containers of the cluster are {what}",
                threshold=0,
                treat_missing="notBreaching",
                namespace="ContainerInsights",
                metric=metric,
                dimensions={"ClusterName": cluster},
                stat="Maximum",
            )

    def _backup_alarms(self, args: ObservabilityArgs) -> None:
        destinations = set(args.get("backup_copy_vault_names", {}))
        for label, vault in _vaults(args).items():
            # AWS Backup publishes a vault's job metrics in the vault's region.
            region = args.get("backup_vault_regions", {}).get(label)
            if label in destinations:
                self._copies_missing_alarm(args, label, vault, region)
                continue
            for metric, kind in (
                ("NumberOfBackupJobsFailed", "backup"),
                ("NumberOfCopyJobsFailed", "copy"),
            ):
                query = _backup_failures_query(metric, vault)
                self._alarm(
                    f"backup-{label}-{kind}-failed",
                    f"Vault {label}: a {kind} job failed",
                    threshold=0,
                    treat_missing="notBreaching",
                    queries=[
                        aws.cloudwatch.MetricAlarmMetricQueryArgs(
                            id="failed", expression=query, period=3600, return_data=True
                        )
                    ],
                    region=region,
                )

    def _copies_missing_alarm(
        self,
        args: ObservabilityArgs,
        label: str,
        vault: pulumi.Input[str],
        region: str | None,
    ) -> None:
        """A vault that only receives copies sees no backup job, and its copy jobs are counted
        in the source vault's region, where the source vault's copy alarm watches them; what
        the destination itself emits is `NumberOfRecoveryPointsCompleted` per
        `BackupVaultName` and `ResourceType` (AWS Backup Developer Guide, "Monitoring AWS
        Backup metrics with CloudWatch"). No recovery point landing in a day, the plan's
        period, is a DR copy that silently stopped, so missing data breaches."""
        self._alarm(
            f"backup-{label}-copies-missing",
            f"Vault {label}: no copied recovery point arrived in 24 hours",
            threshold=1,
            comparison="LessThanThreshold",
            treat_missing="breaching",
            namespace="AWS/Backup",
            metric="NumberOfRecoveryPointsCompleted",
            dimensions={
                "BackupVaultName": vault,
                "ResourceType": args.get("backup_resource_type", "EBS"),
            },
            period=86400,
            region=region,
        )

    # ---- dashboard ----

    def _dashboard(
        self, args: ObservabilityArgs, functions: Mapping[str, pulumi.Input[str]]
    ) -> Dashboard:
        region = self._region
        cluster = args["cluster_name"]
        board = Dashboard()
        board.add(TextWidget(f"# Genomics platform — {args['environment']}"))
        board.add(
            TextWidget("## EKS"),
            MetricWidget(
                "Node CPU and memory (%)",
                [
                    Metric("ContainerInsights", "node_cpu_utilization", {"ClusterName": cluster}),
                    Metric(
                        "ContainerInsights", "node_memory_utilization", {"ClusterName": cluster}
                    ),
                ],
                region,
                stat="Average",
            ),
            MetricWidget(
                "Container restarts of the worst pods",
                [
                    Expression(
                        pulumi.Output.concat(
                            "SELECT MAX(pod_number_of_container_restarts) FROM SCHEMA("
                            "ContainerInsights, ClusterName, Namespace, PodName) WHERE "
                            "ClusterName = '",
                            cluster,
                            "' GROUP BY PodName ORDER BY MAX() DESC LIMIT 10",
                        ),
                        "Restarts",
                        "restarts",
                    )
                ],
                region,
                stat="Maximum",
            ),
        )
        file_system = args.get("file_system_id")
        if file_system is not None:
            efs = {"FileSystemId": file_system}
            board.add(
                TextWidget("## EFS"),
                MetricWidget(
                    "Data read and written (bytes)",
                    [
                        Metric("AWS/EFS", "DataReadIOBytes", efs),
                        Metric("AWS/EFS", "DataWriteIOBytes", efs),
                    ],
                    region,
                ),
                MetricWidget(
                    "Throughput (MiB/s): metered vs permitted",
                    [
                        Metric(
                            "AWS/EFS", "MeteredIOBytes", efs, stat="Sum", id="m1", visible=False
                        ),
                        Metric(
                            "AWS/EFS",
                            "PermittedThroughput",
                            efs,
                            stat="Average",
                            id="p1",
                            visible=False,
                        ),
                        Expression("(m1/1048576)/PERIOD(m1)", "Metered MiB/s", "metered"),
                        Expression("p1/1048576", "Permitted MiB/s", "permitted"),
                    ],
                    region,
                ),
                MetricWidget(
                    "PercentIOLimit (%)",
                    [Metric("AWS/EFS", "PercentIOLimit", efs)],
                    region,
                    stat="Maximum",
                    width=8,
                ),
                MetricWidget(
                    "Client connections",
                    [Metric("AWS/EFS", "ClientConnections", efs)],
                    region,
                    width=8,
                ),
            )
        buckets = args.get("buckets", {})
        rules = args.get("replication_rules", {})
        if buckets or rules:
            filter_id = args.get("request_metrics_filter_id", "EntireBucket")
            board.add(TextWidget("## S3"))
            if buckets:
                board.add(
                    MetricWidget(
                        "Requests",
                        [
                            Metric(
                                "AWS/S3",
                                "AllRequests",
                                {"BucketName": b, "FilterId": filter_id},
                                label=label,
                            )
                            for label, b in buckets.items()
                        ],
                        region,
                    ),
                    MetricWidget(
                        "4xx and 5xx errors",
                        [
                            Metric(
                                "AWS/S3",
                                metric,
                                {"BucketName": b, "FilterId": filter_id},
                                label=f"{label} {metric}",
                            )
                            for label, b in buckets.items()
                            for metric in ("4xxErrors", "5xxErrors")
                        ],
                        region,
                    ),
                )
            if rules:
                board.add(
                    MetricWidget(
                        "Replication latency (s)",
                        [
                            Metric(
                                "AWS/S3", "ReplicationLatency", _replication_dims(r), label=label
                            )
                            for label, r in rules.items()
                        ],
                        region,
                        stat="Maximum",
                    ),
                    MetricWidget(
                        "Replication: pending and failed operations",
                        [
                            Metric(
                                "AWS/S3", metric, _replication_dims(r), label=f"{label} {metric}"
                            )
                            for label, r in rules.items()
                            for metric in (
                                "OperationsPendingReplication",
                                "OperationsFailedReplication",
                            )
                        ],
                        region,
                    ),
                )
        tasks = args.get("datasync_task_arns", {})
        if tasks:
            task_ids = {
                label: pulumi.Output.from_input(arn).apply(lambda a: a.rsplit("/", 1)[-1])
                for label, arn in tasks.items()
            }
            board.add(TextWidget("## DataSync"))
            board.add(
                *[
                    MetricWidget(
                        title,
                        [
                            Metric("AWS/DataSync", metric, {"TaskId": task_id}, label=label)
                            for label, task_id in task_ids.items()
                        ],
                        region,
                        width=6,
                    )
                    for title, metric in (
                        ("Bytes transferred", "BytesTransferred"),
                        ("Bytes prepared (source)", "BytesPreparedSource"),
                        ("Bytes written", "BytesWritten"),
                        ("Files transferred", "FilesTransferred"),
                    )
                ]
            )
        board.add(TextWidget("## Lambda functions"))
        board.add(
            *[
                MetricWidget(
                    title,
                    [
                        Metric("AWS/Lambda", metric, {"FunctionName": fn}, label=label)
                        for label, fn in functions.items()
                    ],
                    region,
                    stat=stat,
                    width=6,
                )
                for title, metric, stat in _LAMBDA_PANELS
            ]
        )
        vaults = _vaults(args)
        audit = args.get("untagged_objects_metric")
        if vaults or audit is not None:
            board.add(TextWidget("## Backups and tagging"))
            destinations = set(args.get("backup_copy_vault_names", {}))
            for label, vault in vaults.items():
                vault_region = args.get("backup_vault_regions", {}).get(label, region)
                if label in destinations:
                    board.add(
                        MetricWidget(
                            f"Vault {label}: copied recovery points",
                            [
                                Metric(
                                    "AWS/Backup",
                                    "NumberOfRecoveryPointsCompleted",
                                    {
                                        "BackupVaultName": vault,
                                        "ResourceType": args.get("backup_resource_type", "EBS"),
                                    },
                                )
                            ],
                            vault_region,
                            period=86400,
                        )
                    )
                    continue
                board.add(
                    MetricWidget(
                        f"Vault {label}: failed jobs",
                        [
                            Expression(
                                _backup_failures_query(metric, vault),
                                f"{kind} jobs failed",
                                f"{kind}_{index}",
                            )
                            for index, (metric, kind) in enumerate(
                                (
                                    ("NumberOfBackupJobsFailed", "backup"),
                                    ("NumberOfCopyJobsFailed", "copy"),
                                )
                            )
                        ],
                        args.get("backup_vault_regions", {}).get(label, region),
                        period=3600,
                    )
                )
            if audit is not None:
                board.add(
                    MetricWidget(
                        "Untagged objects (daily audit)",
                        [Metric(audit["namespace"], "UntaggedObjects", dict(audit["dimensions"]))],
                        region,
                        stat="Maximum",
                        period=86400,
                    )
                )
        return board


_CONTAINER_STATE_METRICS: Final = (
    (
        "pod_container_status_waiting_reason_crash_loop_back_off",
        "pods-crash-looping",
        "in CrashLoopBackOff",
    ),
    ("pod_container_status_terminated_reason_oom_killed", "pods-oom-killed", "being OOMKilled"),
)
"""Container Insights (enhanced observability) state metrics: name, alarm suffix, wording."""


def _efs_metric_query(
    query_id: str, metric: str, dims: Mapping[str, pulumi.Input[str]], stat: str
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id,
        return_data=False,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace="AWS/EFS",
            metric_name=metric,
            dimensions=dims,
            stat=stat,
            period=300,
        ),
    )


def _replication_dims(rule: ReplicationRule) -> dict[str, pulumi.Input[str]]:
    return {
        "SourceBucket": rule["source_bucket"],
        "DestinationBucket": rule["destination_bucket"],
        "RuleId": rule["rule_id"],
    }


def _backup_failures_query(metric: str, vault: pulumi.Input[str]) -> pulumi.Output[str]:
    """A Metrics Insights query over the whole AWS/Backup namespace, so the vault's jobs are
    counted whatever other dimensions (ResourceType) AWS Backup publishes alongside."""
    return pulumi.Output.concat(
        f'SELECT SUM({metric}) FROM "AWS/Backup" WHERE BackupVaultName = \'',  # noqa: S608 - a CloudWatch query, not SQL; values are our own names
        vault,
        "'",
    )


class LogEncryptionKey(pulumi.ComponentResource):
    """The customer-managed key of the platform's log groups (functions, Container Insights).

    CloudWatch Logs encrypts with its own service principal, so the key policy names
    `logs.<region>.amazonaws.com`, limited by encryption context to log groups of this account
    and region; everything else is delegated to IAM as usual.
    """

    key_arn: pulumi.Output[str]
    """ARN to pass as `kms_key_arn` / `log_kms_key_arn`."""

    def __init__(
        self, name: str, name_prefix: str, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:observability:LogEncryptionKey", name, None, opts)
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        account = aws.get_caller_identity_output(opts=invoke_opts).account_id
        region = aws.get_region_output(opts=invoke_opts).region
        policy = pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        # The key's default statement: delegates access control to IAM.
                        "Sid": "EnableIamPoliciesOfThisAccount",
                        "Effect": "Allow",
                        "Principal": {
                            "AWS": pulumi.Output.concat("arn:aws:iam::", account, ":root")
                        },
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "CloudWatchLogsOfThisAccount",
                        "Effect": "Allow",
                        "Principal": {
                            "Service": pulumi.Output.concat("logs.", region, ".amazonaws.com")
                        },
                        "Action": [
                            "kms:Encrypt*",
                            "kms:Decrypt*",
                            "kms:ReEncrypt*",
                            "kms:GenerateDataKey*",
                        ],
                        "Resource": "*",
                        # The context key is String-typed (Service Authorization Reference);
                        # StringLike matches exactly the log group ARNs the pattern names.
                        "Condition": {
                            "StringLike": {
                                "kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                                    "arn:aws:logs:", region, ":", account, ":log-group:*"
                                )
                            }
                        },
                    },
                    {
                        # DescribeKey carries no encryption context, so it cannot share the
                        # condition above.
                        "Sid": "CloudWatchLogsDescribesKey",
                        "Effect": "Allow",
                        "Principal": {
                            "Service": pulumi.Output.concat("logs.", region, ".amazonaws.com")
                        },
                        "Action": "kms:DescribeKey",
                        "Resource": "*",
                    },
                ],
            }
        )
        key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the {name_prefix} log groups",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{name_prefix}-logs",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.key_arn = key.arn
        self.register_outputs({"key_arn": self.key_arn})
