"""Scheduled DataSync transfers from the shared file system to the data lake, and their tagging.

At each transfer time an EventBridge Scheduler schedule invokes `start-transfer`, which starts
one DataSync task per destination category (every project's
`/projects/<project>/workspace/<area>` on EFS → the category's bucket under `projects/`). When
an execution ends, EventBridge tells the transfers topic in words, and on success invokes the
object tagger, which reads the task report and tags what was written. When a lab event bus is
given, a rule on it also invokes the tagger for the lab sync workflow's `Dataset Prefix
Associated` events (every object under the dataset's prefix). A daily schedule runs the tag
audit over every data bucket.

Layout: every path comes from the layout contract (`contracts/layout/`, docs/transfer.md). The EFS
location mounts through the projects access point, whose root is `/projects`, so paths in task
reports are `/<project>/workspace/<area>/<file>`; the S3 locations write under `projects/`, so
object keys are `projects/<project>/workspace/<area>/<file>` (what `taxonomy.derivation`
expects). People's uploads and the object-created rule use the same `projects/` root.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.event_dlq import EVENT_TARGET_RETRY, EventDeadLetterQueue
from components.blocks.function import PlatformFunction, PolicyStatement
from components.blocks.iam_documents import service_trust_policy
from components.blocks.state_machine_resource import start_execution_key_statement
from components.lab.sync_workflow import EVENT_SOURCE as LAB_EVENT_SOURCE
from components.lab.sync_workflow import PREFIX_ASSOCIATED
from components.transfer.fanout import TransferFanOut, fanout_state_machine_arn
from contracts.facts import LOG_RETENTION_DAYS, NAME_PREFIX, TIME_OF_DAY
from contracts.layout import (
    AREAS,
    S3_KEY_ROOT,
    LayoutError,
    datasync_excludes,
    datasync_includes,
)
from contracts.names import (
    datasync_efs_role_name,
    tagger_function_name,
    tagger_role_name,
)
from contracts.taxonomy import CATEGORIES, category_by_name

__all__ = [
    "DEFAULT_DESTINATIONS",
    "TAG_AUDIT_PACKAGE",
    "TASK_REPORT_PREFIX",
    "Transfer",
    "TransferArgs",
    "datasync_efs_role_name",
    "tagger_function_name",
    "tagger_role_name",
]

TAG_AUDIT_PACKAGE: Final = "tag_audit"
"""The audit's function package; alarms on its metrics name it through this constant."""

DEFAULT_DESTINATIONS: Final[Mapping[str, str]] = AREAS
"""Category → the workspace directory (`/projects/<project>/workspace/<area>`) it receives."""

TASK_REPORT_PREFIX: Final = "datasync"
"""Key prefix of DataSync task reports in the transfer-reports bucket."""
AUDIT_REPORT_PREFIX: Final = "tag-audit"
"""Key prefix of the tag audit's reports in the transfer-reports bucket."""
S3_LOCATION_SUBDIRECTORY: Final = f"/{S3_KEY_ROOT}"
"""Subdirectory of every S3 location: object keys start with `projects/` (layout)."""
EVENT_DETAIL_TYPE: Final = "DataSync Task Execution State Change"
S3_EVENT_SOURCE: Final = "aws.s3"
OBJECT_CREATED: Final = "Object Created"
"""S3's new-object event on EventBridge (`functions.object_tagger.event.OBJECT_CREATED`)."""

_AREA: Final = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class TransferArgs(TypedDict):
    """What the transfer pipeline moves, when, and whom it tells."""

    name_prefix: str
    """Prefix of physical names, e.g. `gen-prod`."""
    environment: str
    """Deployment environment (`dev`, `staging`, `prod`), passed to the functions."""
    region: str
    """Region of the file system and of the destination buckets, e.g. `ap-south-1`."""
    projects: Sequence[str]
    """Project slugs whose workspaces are transferred (the DataSync include filters)."""
    bucket_names: pulumi.Input[Mapping[str, Mapping[str, str]]]
    """The data lake's buckets: category → region → name (`DataLake.bucket_names`)."""
    transfer_reports_bucket: pulumi.Input[str]
    """Bucket of DataSync task reports and tag-audit reports."""
    data_key_arn: pulumi.Input[str]
    """KMS key of the data lake's buckets in `region`."""
    log_key_arn: pulumi.Input[str]
    """KMS key of the log groups (and the functions' failure queues)."""
    log_retention_days: int
    """Retention of every log group created here; a CloudWatch Logs allowed value."""
    file_system_arn: pulumi.Input[str]
    """ARN of the shared EFS file system."""
    projects_access_point_arn: pulumi.Input[str]
    """Access point rooted at `/projects` that DataSync mounts."""
    subnet_id: pulumi.Input[str]
    """Private subnet where DataSync places its EFS network interfaces."""
    security_group_ids: Sequence[pulumi.Input[str]]
    """Groups of those interfaces; must be admitted on NFS 2049 (the EFS client group)."""
    efs_mount_targets: NotRequired[Sequence[pulumi.Resource]]
    """The file system's mount targets (`SharedFileSystem.mount_targets`); the EFS location
    is created after them. None unless given."""
    transfers_topic_arn: pulumi.Input[str]
    """SNS topic of transfer notifications."""
    reports_topic_arn: pulumi.Input[str]
    """SNS topic of the tag audit's summary."""
    transfer_times: Sequence[str]
    """Times of day (HH:MM, in `time_zone`) the transfers start; at least one."""
    time_zone: str
    """IANA time zone of every schedule, e.g. `Asia/Kolkata`."""
    tag_audit_time: str
    """Time of day (HH:MM) of the daily tag audit."""
    bandwidth_mibps: NotRequired[int]
    """DataSync bandwidth cap in MiB/s; 0 (unlimited) unless given."""
    tag_unclassified: NotRequired[bool]
    """Tag objects matching no convention as unclassified; true unless given."""
    destinations: NotRequired[Mapping[str, str]]
    """Category → project area it receives; `DEFAULT_DESTINATIONS` unless given."""
    max_concurrency: NotRequired[int]
    """Threads of the tagger and the audit; 32 unless given."""
    fan_out_threshold: NotRequired[int]
    """Object count above which tagging and audit fan out through the Distributed Map state
    machine (docs/transfer.md); no state machine and no fan-out unless given."""
    fan_out_max_concurrency: NotRequired[int]
    """Distributed Map child workflows (Lambda batches) at once; 10 unless given."""
    lab_event_bus_name: NotRequired[pulumi.Input[str] | None]
    """Lab event bus (`LabDataMesh.event_bus_name`): its `Dataset Prefix Associated` events
    invoke the tagger for the dataset's prefix; no rule when None or not given."""


def _cron(time: str) -> str:
    hour, minute = time.split(":")
    return f"cron({int(minute)} {int(hour)} * * ? *)"


def _bucket_of(
    names: pulumi.Output[Mapping[str, Mapping[str, str]]], category: str, region: str
) -> pulumi.Output[str]:
    def pick(value: Mapping[str, Mapping[str, str]]) -> str:
        try:
            return str(value[category][region])
        except KeyError:
            raise ValueError(
                f"TransferArgs.bucket_names has no {category} bucket in {region}"
            ) from None

    return names.apply(pick)


def _validate(args: TransferArgs) -> None:
    if not NAME_PREFIX.fullmatch(args["name_prefix"]):
        raise ValueError(
            f"TransferArgs.name_prefix {args['name_prefix']!r} must be lowercase letters, "
            "digits and hyphens, e.g. gen-prod"
        )
    times = list(args["transfer_times"])
    if not times:
        raise ValueError("TransferArgs.transfer_times is empty; give at least one HH:MM time")
    bad = [t for t in [*times, args["tag_audit_time"]] if not TIME_OF_DAY.fullmatch(t)]
    if bad:
        raise ValueError(f"TransferArgs times {bad} are not 24-hour HH:MM times such as 22:00")
    if len(set(times)) != len(times):
        raise ValueError(f"TransferArgs.transfer_times {times} lists a time twice")
    if not args["time_zone"] or " " in args["time_zone"]:
        raise ValueError(
            f"TransferArgs.time_zone {args['time_zone']!r} must be an IANA zone, e.g. Asia/Kolkata"
        )
    if args["log_retention_days"] not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"TransferArgs.log_retention_days {args['log_retention_days']} is not a value "
            "CloudWatch Logs allows (e.g. 30, 90, 365)"
        )
    bandwidth = args.get("bandwidth_mibps", 0)
    if bandwidth < 0:
        raise ValueError(f"TransferArgs.bandwidth_mibps {bandwidth} must be 0 (unlimited) or more")
    destinations = args.get("destinations", DEFAULT_DESTINATIONS)
    if not destinations:
        raise ValueError("TransferArgs.destinations is empty; name at least one category")
    for category, area in destinations.items():
        try:
            category_by_name(category)
        except KeyError as error:
            raise ValueError(f"TransferArgs.destinations: {error.args[0]}") from None
        if not _AREA.fullmatch(area):
            raise ValueError(
                f"TransferArgs.destinations[{category!r}] area {area!r} must be one directory "
                "name such as raw"
            )
    if not args["security_group_ids"]:
        raise ValueError("TransferArgs.security_group_ids is empty; pass the EFS client group")
    try:
        for area in destinations.values():
            datasync_includes(args["projects"], area)
    except LayoutError as error:
        raise ValueError(f"TransferArgs.projects: {error}") from None
    threshold = args.get("fan_out_threshold")
    if threshold is not None and threshold < 1:
        raise ValueError(f"TransferArgs.fan_out_threshold {threshold} must be at least 1")
    fan_out_concurrency = args.get("fan_out_max_concurrency", 10)
    if not 1 <= fan_out_concurrency <= 1000:
        raise ValueError(
            f"TransferArgs.fan_out_max_concurrency {fan_out_concurrency} must be 1-1000"
        )


class Transfer(pulumi.ComponentResource):
    """DataSync tasks EFS → data lake, their schedules, notifications, tagging and audit."""

    task_arns: pulumi.Output[list[str]]
    """ARNs of the DataSync tasks, in `destinations` order."""
    task_arn_by_label: dict[str, pulumi.Output[str]]
    """Task ARN by category label, e.g. `raw-sequence` (`ObservabilityArgs.datasync_task_arns`)."""
    tagger_role_arn: pulumi.Output[str]
    """Execution role of the object tagger: the only principal that may write object tags."""
    datasync_efs_role_arn: pulumi.Output[str]
    """Role DataSync mounts EFS with; needs root access in the file-system policy."""
    tagger_function_name: pulumi.Output[str]
    """Name of the object-tagger function."""
    audit_function_name: pulumi.Output[str]
    """Name of the tag-audit function."""
    start_function_name: pulumi.Output[str]
    """Name of the start-transfer function."""
    log_group_names: pulumi.Output[list[str]]
    """DataSync's log group and the three functions' log groups."""
    fanout_state_machine_arn: pulumi.Output[str] | None
    """The Distributed Map fan-out state machine; None without `fan_out_threshold`."""

    def __init__(
        self, name: str, args: TransferArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:transfer:Transfer", name, None, opts)
        _validate(args)
        self._name = name
        self._args = args
        self._prefix = args["name_prefix"]
        self._child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._account: pulumi.Output[str] = aws.get_caller_identity_output(opts=invoke).account_id
        self._destinations = dict(args.get("destinations", DEFAULT_DESTINATIONS))
        names = pulumi.Output.from_input(args["bucket_names"])
        region = args["region"]
        self._buckets: dict[str, pulumi.Output[str]] = {
            category: _bucket_of(names, category, region) for category in self._categories()
        }
        self._reports_bucket = pulumi.Output.from_input(args["transfer_reports_bucket"])
        self._fan_out_threshold = args.get("fan_out_threshold")
        self._fan_out_arn = (
            fanout_state_machine_arn(args["region"], self._account, self._prefix)
            if self._fan_out_threshold is not None
            else None
        )

        log_group = self._create_log_group()
        efs_location = self._create_efs_location()
        report_role = self._create_bucket_role(
            "reports-role",
            f"{self._prefix}-datasync-reports",
            self._reports_bucket,
            TASK_REPORT_PREFIX,
        )
        tasks: dict[str, aws.datasync.Task] = {}
        for category, area in self._destinations.items():
            s3_location = self._create_s3_location(category)
            tasks[category] = self._create_task(
                category, area, efs_location, s3_location, log_group, report_role
            )
        task_arns = [task.arn for task in tasks.values()]

        tagger = self._create_tagger(task_arns)
        audit = self._create_audit()
        start = self._create_start(task_arns)
        self._dlq = EventDeadLetterQueue(
            f"{name}-events-dlq", {"queue_name": f"{self._prefix}-transfer-events-dlq"}, self._child
        )
        self._dead_letter_rules: list[pulumi.Output[str]] = []
        self._create_schedules(start, audit)
        self._create_finish_rules(task_arns, tagger)
        self._create_lab_dataset_rule(tagger)
        self._create_object_created_rule(tagger)
        self._dlq.admit(self._dead_letter_rules)
        self.fanout_state_machine_arn = self._create_fan_out(tagger, audit)

        self.task_arns = pulumi.Output.all(*task_arns).apply(list)
        self.task_arn_by_label = {
            category.replace("_", "-"): task.arn for category, task in tasks.items()
        }
        self.tagger_role_arn = tagger.role_arn
        self.tagger_function_name = tagger.function_name
        self.audit_function_name = audit.function_name
        self.start_function_name = start.function_name
        self.log_group_names = pulumi.Output.all(
            log_group.name, tagger.log_group_name, audit.log_group_name, start.log_group_name
        ).apply(list)
        self.register_outputs(
            {
                "task_arns": self.task_arns,
                "task_arn_by_label": self.task_arn_by_label,
                "tagger_role_arn": self.tagger_role_arn,
                "datasync_efs_role_arn": self.datasync_efs_role_arn,
                "tagger_function_name": self.tagger_function_name,
                "audit_function_name": self.audit_function_name,
                "start_function_name": self.start_function_name,
                "log_group_names": self.log_group_names,
                "fanout_state_machine_arn": self.fanout_state_machine_arn,
            }
        )

    # ---- helpers ----

    def _categories(self) -> list[str]:
        """Categories the audit covers: every destination plus every other data category."""
        return [category.name for category in CATEGORIES]

    def _arn(self, service: str, resource: pulumi.Input[str]) -> pulumi.Output[str]:
        return pulumi.Output.concat(
            "arn:aws:", service, ":", self._args["region"], ":", self._account, ":", resource
        )

    def _via(self, service: str) -> dict[str, dict[str, Any]]:
        return {
            "StringEquals": {"kms:ViaService": f"{service}.{self._args['region']}.amazonaws.com"}
        }

    def _service_role(
        self, role: str, physical: str, service: str, statements: list[dict[str, Any]]
    ) -> aws.iam.Role:
        trust = service_trust_policy(service, self._account).render()
        created = aws.iam.Role(
            f"{self._name}-{role}",
            name=physical[:64],
            assume_role_policy=trust,
            max_session_duration=3600,
            opts=self._child,
        )
        aws.iam.RolePolicy(
            f"{self._name}-{role}-policy",
            role=created.name,
            name="least-privilege",
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
            opts=self._child,
        )
        return created

    # ---- DataSync ----

    def _create_log_group(self) -> aws.cloudwatch.LogGroup:
        group = aws.cloudwatch.LogGroup(
            f"{self._name}-datasync-logs",
            name=f"/aws/datasync/{self._prefix}",
            retention_in_days=self._args["log_retention_days"],
            kms_key_id=self._args["log_key_arn"],
            opts=self._child,
        )
        aws.cloudwatch.LogResourcePolicy(
            f"{self._name}-datasync-logs-policy",
            policy_name=f"{self._prefix}-datasync-logs",
            policy_document=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DataSyncWritesTaskLogs",
                            "Effect": "Allow",
                            "Principal": {"Service": "datasync.amazonaws.com"},
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": group.arn.apply(lambda arn: f"{arn}:*"),
                            "Condition": {"StringEquals": {"aws:SourceAccount": self._account}},
                        }
                    ],
                }
            ),
            opts=self._child,
        )
        return group

    def _create_efs_location(self) -> aws.datasync.EfsLocation:
        args = self._args
        role = self._service_role(
            "efs-role",
            datasync_efs_role_name(self._prefix),
            "datasync.amazonaws.com",
            [
                {
                    "Sid": "ReadThroughProjectsAccessPoint",
                    "Effect": "Allow",
                    "Action": [
                        "elasticfilesystem:ClientMount",
                        "elasticfilesystem:ClientRootAccess",
                    ],
                    "Resource": [args["file_system_arn"]],
                    "Condition": {
                        "ArnEquals": {
                            "elasticfilesystem:AccessPointArn": args["projects_access_point_arn"]
                        }
                    },
                }
            ],
        )
        self.datasync_efs_role_arn = role.arn
        subnet_arn = self._arn("ec2", pulumi.Output.concat("subnet/", args["subnet_id"]))
        group_arns = [
            self._arn("ec2", pulumi.Output.concat("security-group/", group))
            for group in args["security_group_ids"]
        ]
        return aws.datasync.EfsLocation(
            f"{self._name}-efs-location",
            efs_file_system_arn=args["file_system_arn"],
            ec2_config=aws.datasync.EfsLocationEc2ConfigArgs(
                subnet_arn=subnet_arn, security_group_arns=group_arns
            ),
            access_point_arn=args["projects_access_point_arn"],
            file_system_access_role_arn=role.arn,
            in_transit_encryption="TLS1_2",
            # Relative to the access point, whose root is /projects on the file system.
            subdirectory="/",
            # The location's subnet "must be located ... in the same Availability Zone as at
            # least one mount target for the Amazon EFS file system" (DataSync User Guide,
            # "Configuring AWS DataSync transfers with Amazon EFS"; Ec2Config.SubnetArn), so
            # the mount targets come first.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=list(args.get("efs_mount_targets", ())) or None
            ),
        )

    def _create_bucket_role(
        self, role: str, physical: str, bucket: pulumi.Output[str], prefix: str
    ) -> aws.iam.Role:
        """A DataSync S3 location's role: its bucket, objects only under its `prefix` (the
        location's subdirectory), and no s3:DeleteObject: DataSync deletes in the destination
        only for `PreserveDeletedFiles=REMOVE` ("Configuring how to handle files, objects, and
        metadata", AWS DataSync User Guide), and every task here preserves."""
        bucket_arns = [pulumi.Output.concat("arn:aws:s3:::", bucket)]
        object_arns = [pulumi.Output.concat("arn:aws:s3:::", bucket, f"/{prefix.strip('/')}/*")]
        statements: list[dict[str, Any]] = [
            {
                "Sid": "BucketLevel",
                "Effect": "Allow",
                "Action": [
                    "s3:GetBucketLocation",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                ],
                "Resource": bucket_arns,
            },
            {
                "Sid": "ObjectLevel",
                "Effect": "Allow",
                "Action": [
                    "s3:AbortMultipartUpload",
                    "s3:GetObject",
                    "s3:ListMultipartUploadParts",
                    "s3:PutObject",
                    "s3:GetObjectTagging",
                ],
                "Resource": object_arns,
            },
            {
                "Sid": "EncryptThroughS3",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": [self._args["data_key_arn"]],
                "Condition": self._via("s3"),
            },
        ]
        return self._service_role(role, physical, "datasync.amazonaws.com", statements)

    def _create_s3_location(self, category: str) -> aws.datasync.S3Location:
        slug = category_by_name(category).bucket_slug
        bucket = self._buckets[category]
        role = self._create_bucket_role(
            f"{slug}-role", f"{self._prefix}-datasync-{slug}", bucket, S3_LOCATION_SUBDIRECTORY
        )
        return aws.datasync.S3Location(
            f"{self._name}-{slug}-location",
            s3_bucket_arn=pulumi.Output.concat("arn:aws:s3:::", bucket),
            s3_config=aws.datasync.S3LocationS3ConfigArgs(bucket_access_role_arn=role.arn),
            subdirectory=S3_LOCATION_SUBDIRECTORY,
            s3_storage_class="STANDARD",
            opts=self._child,
        )

    def _create_task(
        self,
        category: str,
        area: str,
        efs_location: aws.datasync.EfsLocation,
        s3_location: aws.datasync.S3Location,
        log_group: aws.cloudwatch.LogGroup,
        report_role: aws.iam.Role,
    ) -> aws.datasync.Task:
        data = category_by_name(category)
        mibps = self._args.get("bandwidth_mibps", 0)
        return aws.datasync.Task(
            f"{self._name}-{data.bucket_slug}-task",
            name=f"{self._prefix}-{data.bucket_slug}",
            source_location_arn=efs_location.arn,
            destination_location_arn=s3_location.arn,
            cloudwatch_log_group_arn=log_group.arn,
            # Patterns are relative to the EFS location, the access point rooted at /projects;
            # the layout contract writes them (one workspace area per project, no wildcards).
            includes=aws.datasync.TaskIncludesArgs(
                filter_type="SIMPLE_PATTERN",
                value=datasync_includes(self._args["projects"], area),
            ),
            excludes=aws.datasync.TaskExcludesArgs(
                filter_type="SIMPLE_PATTERN", value=datasync_excludes()
            ),
            options=aws.datasync.TaskOptionsArgs(
                verify_mode="ONLY_FILES_TRANSFERRED",
                transfer_mode="CHANGED",
                log_level="TRANSFER",
                bytes_per_second=mibps * 1024 * 1024 if mibps > 0 else -1,
                # Write-once buckets must never be asked to overwrite an object version.
                overwrite_mode="NEVER" if data.worm else "ALWAYS",
                preserve_deleted_files="PRESERVE",
                task_queueing="ENABLED",
                # Only the object tagger writes object tags (the lake's buckets deny everyone
                # else), so DataSync copies no tags; the tagger derives them after the run.
                object_tags="NONE",
            ),
            task_report_config=aws.datasync.TaskTaskReportConfigArgs(
                s3_destination=aws.datasync.TaskTaskReportConfigS3DestinationArgs(
                    bucket_access_role_arn=report_role.arn,
                    s3_bucket_arn=pulumi.Output.concat("arn:aws:s3:::", self._reports_bucket),
                    subdirectory=f"{TASK_REPORT_PREFIX}/",
                ),
                output_type="STANDARD",
                report_level="SUCCESSES_AND_ERRORS",
            ),
            opts=self._child,
        )

    # ---- fan-out (Distributed Map) ----

    def _fan_out_concurrency(self) -> int:
        return self._args.get("fan_out_max_concurrency", 10)

    def _fan_out_environment(self) -> dict[str, pulumi.Input[str]]:
        if self._fan_out_arn is None or self._fan_out_threshold is None:
            return {}
        return {
            "FAN_OUT_THRESHOLD": str(self._fan_out_threshold),
            "FAN_OUT_STATE_MACHINE_ARN": self._fan_out_arn,
        }

    def _fan_out_statements(self) -> list[PolicyStatement]:
        if self._fan_out_arn is None:
            return []
        return [
            {
                "Sid": "StartFanOut",
                "Action": ["states:StartExecution"],
                "Resource": [self._fan_out_arn],
            }
        ]

    def _reserved(self, base: int) -> int:
        """Reserved concurrency: `base`, or room for every Map batch plus the usual invocation."""
        if self._fan_out_arn is None:
            return base
        return max(base, self._fan_out_concurrency() + 1)

    def _create_fan_out(
        self, tagger: PlatformFunction, audit: PlatformFunction
    ) -> pulumi.Output[str] | None:
        if self._fan_out_arn is None:
            return None
        fan_out = TransferFanOut(
            f"{self._name}-fanout",
            {
                "name_prefix": self._prefix,
                "environment": self._args["environment"],
                "region": self._args["region"],
                "account_id": self._account,
                "data_bucket_names": [self._buckets[c] for c in self._categories()],
                "reports_bucket": self._reports_bucket,
                "data_key_arn": self._args["data_key_arn"],
                "log_key_arn": self._args["log_key_arn"],
                "log_retention_days": self._args["log_retention_days"],
                "tagger_function_arn": tagger.function_arn,
                "audit_function_arn": audit.function_arn,
                "transfers_topic_arn": self._args["transfers_topic_arn"],
                "reports_topic_arn": self._args["reports_topic_arn"],
                "max_concurrency": self._fan_out_concurrency(),
            },
            opts=self._child,
        )
        # The fan-out is encrypted under its own key, which exists only now: the two functions
        # that start it get the key grant StartExecution needs in a policy of its own.
        for label, function in (("tagger", tagger), ("audit", audit)):
            aws.iam.RolePolicy(
                f"{self._name}-{label}-fanout-key",
                role=function.role_name,
                name="start-encrypted-fan-out",
                policy=pulumi.Output.json_dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            start_execution_key_statement(
                                fan_out.execution_key_arn, self._fan_out_arn
                            )
                        ],
                    }
                ),
                opts=self._child,
            )
        return fan_out.state_machine_arn

    # ---- functions ----

    def _bucket_categories(self, categories: Sequence[str]) -> pulumi.Output[str]:
        return pulumi.Output.all(*[self._buckets[c] for c in categories]).apply(
            lambda names: json.dumps(dict(zip(names, categories, strict=True)), sort_keys=True)
        )

    def _create_tagger(self, task_arns: list[pulumi.Output[str]]) -> PlatformFunction:
        # Every data category, not only the DataSync destinations: the lab registers datasets
        # in the reference and variant-call buckets, and people upload to every category.
        categories = self._categories()
        buckets = [self._buckets[c] for c in categories]
        executions = [arn.apply(lambda a: f"{a}/execution/*") for arn in task_arns]
        statements: list[PolicyStatement] = [
            {
                "Sid": "DescribeTransfers",
                "Action": ["datasync:DescribeTask", "datasync:DescribeTaskExecution"],
                "Resource": [*task_arns, *executions],
            },
            {
                # DataSync location ARNs are `...:location/loc-<id>` whatever the location
                # type (the Service Authorization Reference's `location` resource); the
                # pattern covers this account's locations in this region.
                "Sid": "DescribeDestinations",
                "Action": ["datasync:DescribeLocationS3"],
                "Resource": [self._arn("datasync", "location/*")],
            },
            {
                "Sid": "ListDataBuckets",
                "Action": ["s3:ListBucket"],
                "Resource": [pulumi.Output.concat("arn:aws:s3:::", b) for b in buckets],
            },
            {
                # Only keys under the layout's project root: the tagger derives a project
                # from the key, and a key outside `projects/` has none to tag it with.
                "Sid": "TagDataObjects",
                "Action": ["s3:GetObjectTagging", "s3:PutObjectTagging"],
                "Resource": [
                    pulumi.Output.concat("arn:aws:s3:::", b, f"/{S3_KEY_ROOT}/*") for b in buckets
                ],
            },
            {
                "Sid": "ReadTaskReports",
                "Action": ["s3:GetObject"],
                "Resource": [
                    pulumi.Output.concat(
                        "arn:aws:s3:::", self._reports_bucket, f"/{TASK_REPORT_PREFIX}/*"
                    )
                ],
            },
            {
                "Sid": "ListTaskReports",
                "Action": ["s3:ListBucket"],
                "Resource": [pulumi.Output.concat("arn:aws:s3:::", self._reports_bucket)],
                "Condition": {"StringLike": {"s3:prefix": [f"{TASK_REPORT_PREFIX}/*"]}},
            },
            {
                "Sid": "DecryptTaskReports",
                "Action": ["kms:Decrypt"],
                "Resource": [self._args["data_key_arn"]],
                "Condition": self._via("s3"),
            },
            {
                "Sid": "NotifyTransfers",
                "Action": ["sns:Publish"],
                "Resource": [self._args["transfers_topic_arn"]],
            },
            *self._fan_out_statements(),
        ]
        return PlatformFunction(
            f"{self._name}-tagger",
            {
                "kms_key_arn": self._args["log_key_arn"],
                "log_retention_days": self._args["log_retention_days"],
                "package": "object_tagger",
                "function_name": tagger_function_name(self._prefix),
                "description": "Tags the objects a DataSync execution wrote, from its task report",
                "reserved_concurrency": self._reserved(2),
                "destructive": False,
                "timeout_seconds": 900,
                "memory_mb": 1024,
                "policy_statements": statements,
                "environment": {
                    "ENVIRONMENT": self._args["environment"],
                    "BUCKET_CATEGORIES": self._bucket_categories(categories),
                    "TASK_REPORT_BUCKET": self._reports_bucket,
                    "TASK_REPORT_PREFIX": TASK_REPORT_PREFIX,
                    "TOPIC_ARN": self._args["transfers_topic_arn"],
                    "TAG_UNCLASSIFIED": str(self._args.get("tag_unclassified", True)).lower(),
                    "MAX_CONCURRENCY": str(self._args.get("max_concurrency", 32)),
                    **self._fan_out_environment(),
                },
            },
            opts=self._child,
        )

    def _create_audit(self) -> PlatformFunction:
        categories = self._categories()
        buckets = [self._buckets[c] for c in categories]
        statements: list[PolicyStatement] = [
            {
                "Sid": "ListDataBuckets",
                "Action": ["s3:ListBucket"],
                "Resource": [pulumi.Output.concat("arn:aws:s3:::", b) for b in buckets],
            },
            {
                "Sid": "ReadObjectTags",
                "Action": ["s3:GetObjectTagging"],
                "Resource": [pulumi.Output.concat("arn:aws:s3:::", b, "/*") for b in buckets],
            },
            {
                # Reports above the SDK's 8 MB threshold go up in parts; a failed one is aborted.
                "Sid": "WriteAuditReports",
                "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
                "Resource": [
                    pulumi.Output.concat(
                        "arn:aws:s3:::", self._reports_bucket, f"/{AUDIT_REPORT_PREFIX}/*"
                    )
                ],
            },
            {
                # A multipart upload to an SSE-KMS bucket needs kms:Decrypt as well (S3 User
                # Guide, "Multipart upload API and permissions"): S3 decrypts the data key to
                # add each part.
                "Sid": "EncryptAuditReports",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": [self._args["data_key_arn"]],
                "Condition": self._via("s3"),
            },
            {
                "Sid": "NotifyReports",
                "Action": ["sns:Publish"],
                "Resource": [self._args["reports_topic_arn"]],
            },
            *self._fan_out_statements(),
        ]
        if self._fan_out_arn is not None:
            statements.append(
                {
                    "Sid": "ReadBucketObjectCounts",
                    # CloudWatch metric reads have no resource-level permissions.
                    "Action": ["cloudwatch:GetMetricStatistics"],
                    "Resource": ["*"],
                }
            )
        return PlatformFunction(
            f"{self._name}-audit",
            {
                "kms_key_arn": self._args["log_key_arn"],
                "log_retention_days": self._args["log_retention_days"],
                "package": TAG_AUDIT_PACKAGE,
                "function_name": f"{self._prefix}-tag-audit",
                "description": "Daily audit of data-lake objects missing or breaking taxonomy tags",
                "reserved_concurrency": self._reserved(1),
                "destructive": False,
                "timeout_seconds": 900,
                "memory_mb": 1024,
                "policy_statements": statements,
                "environment": {
                    "ENVIRONMENT": self._args["environment"],
                    "BUCKET_CATEGORIES": self._bucket_categories(categories),
                    "REPORT_BUCKET": self._reports_bucket,
                    "REPORT_PREFIX": AUDIT_REPORT_PREFIX,
                    "TOPIC_ARN": self._args["reports_topic_arn"],
                    "MAX_CONCURRENCY": str(self._args.get("max_concurrency", 32)),
                    "ALERT_SAMPLE_SIZE": "50",
                    **self._fan_out_environment(),
                },
            },
            opts=self._child,
        )

    def _create_start(self, task_arns: list[pulumi.Output[str]]) -> PlatformFunction:
        statements: list[PolicyStatement] = [
            {
                "Sid": "StartTransfers",
                "Action": ["datasync:DescribeTask", "datasync:StartTaskExecution"],
                "Resource": list(task_arns),
            },
            {
                "Sid": "NotifyTransfers",
                "Action": ["sns:Publish"],
                "Resource": [self._args["transfers_topic_arn"]],
            },
        ]
        return PlatformFunction(
            f"{self._name}-start",
            {
                "kms_key_arn": self._args["log_key_arn"],
                "log_retention_days": self._args["log_retention_days"],
                "package": "start_transfer",
                "function_name": f"{self._prefix}-start-transfer",
                "description": "Starts the DataSync transfers unless one is already running",
                "reserved_concurrency": 1,
                "destructive": False,
                "policy_statements": statements,
                "environment": {
                    "TASK_ARNS": pulumi.Output.all(*task_arns).apply(json.dumps),
                    "TOPIC_ARN": self._args["transfers_topic_arn"],
                },
            },
            opts=self._child,
        )

    # ---- start and finish ----

    def _scheduler_role(self, role: str, function: PlatformFunction) -> aws.iam.Role:
        return self._service_role(
            role,
            f"{self._prefix}-{role}",
            "scheduler.amazonaws.com",
            [
                {
                    "Sid": "InvokeOneFunction",
                    "Effect": "Allow",
                    "Action": ["lambda:InvokeFunction"],
                    "Resource": [function.function_arn],
                },
                *self._dlq.sender_statements(),
            ],
        )

    def _schedule(
        self, label: str, time: str, function: PlatformFunction, role: aws.iam.Role
    ) -> aws.scheduler.Schedule:
        return aws.scheduler.Schedule(
            f"{self._name}-{label}",
            name=f"{self._prefix}-{label}",
            schedule_expression=_cron(time),
            schedule_expression_timezone=self._args["time_zone"],
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=function.function_arn,
                role_arn=role.arn,
                input=json.dumps({"schedule": label, "time": time}),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_event_age_in_seconds=3600, maximum_retry_attempts=2
                ),
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(
                    arn=self._dlq.arn
                ),
            ),
            opts=self._child,
        )

    def _create_schedules(self, start: PlatformFunction, audit: PlatformFunction) -> None:
        start_role = self._scheduler_role("start-scheduler", start)
        for time in self._args["transfer_times"]:
            self._schedule(f"transfer-{time.replace(':', '')}", time, start, start_role)
        audit_role = self._scheduler_role("audit-scheduler", audit)
        self._schedule("tag-audit", self._args["tag_audit_time"], audit, audit_role)

    def _pattern(self, task_arns: list[pulumi.Output[str]], states: list[str]) -> Any:
        return pulumi.Output.json_dumps(
            {
                "source": ["aws.datasync"],
                "detail-type": [EVENT_DETAIL_TYPE],
                "detail": {"State": states},
                "resources": [{"prefix": arn} for arn in task_arns],
            }
        )

    def _dead_letters(self, rule: aws.cloudwatch.EventRule) -> dict[str, Any]:
        """Retry and dead-letter arguments of a target of `rule`, which may then send to the
        component's event DLQ."""
        self._dead_letter_rules.append(rule.arn)
        return {
            "retry_policy": EVENT_TARGET_RETRY,
            "dead_letter_config": aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=self._dlq.arn),
        }

    def _create_finish_rules(
        self, task_arns: list[pulumi.Output[str]], tagger: PlatformFunction
    ) -> None:
        finished = aws.cloudwatch.EventRule(
            f"{self._name}-finished",
            name=f"{self._prefix}-transfer-finished",
            description="A DataSync transfer to the data lake succeeded or failed",
            event_pattern=self._pattern(task_arns, ["SUCCESS", "ERROR"]),
            opts=self._child,
        )
        aws.cloudwatch.EventTarget(
            f"{self._name}-finished-notify",
            rule=finished.name,
            arn=self._args["transfers_topic_arn"],
            **self._dead_letters(finished),
            input_transformer=aws.cloudwatch.EventTargetInputTransformerArgs(
                input_paths={
                    "execution": "$.resources[0]",
                    "state": "$.detail.State",
                    "time": "$.time",
                },
                input_template=(
                    '"DataSync transfer <execution> finished with state <state> at <time>. '
                    'Successful transfers are tagged automatically; check the task log on ERROR."'
                ),
            ),
            opts=self._child,
        )
        succeeded = aws.cloudwatch.EventRule(
            f"{self._name}-succeeded",
            name=f"{self._prefix}-transfer-succeeded",
            description="A DataSync transfer succeeded: tag what it wrote",
            event_pattern=self._pattern(task_arns, ["SUCCESS"]),
            opts=self._child,
        )
        permission = tagger.allow_invocation("events.amazonaws.com", succeeded.arn)
        aws.cloudwatch.EventTarget(
            f"{self._name}-succeeded-tag",
            rule=succeeded.name,
            arn=tagger.function_arn,
            **self._dead_letters(succeeded),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
        )

    def _create_object_created_rule(self, tagger: PlatformFunction) -> None:
        """Tag every object S3 creates under `projects/` in a data bucket: people upload
        untagged (multipart parts carry no tags) and the platform tags from the key.

        The buckets send their events to the default bus (`DataLake` turns EventBridge on);
        the pattern matches S3's "Object Created" event (S3 User Guide, "EventBridge event
        message structure"), whose `detail.object.key` is the key as stored.
        """
        buckets = [self._buckets[c] for c in self._categories()]
        rule = aws.cloudwatch.EventRule(
            f"{self._name}-object-created",
            name=f"{self._prefix}-object-created",
            description="An object was stored under projects/ in a data bucket: tag it",
            event_pattern=pulumi.Output.json_dumps(
                {
                    "source": [S3_EVENT_SOURCE],
                    "detail-type": [OBJECT_CREATED],
                    "detail": {
                        "bucket": {"name": buckets},
                        "object": {"key": [{"prefix": f"{S3_KEY_ROOT}/"}]},
                    },
                }
            ),
            opts=self._child,
        )
        permission = tagger.allow_invocation(
            "events.amazonaws.com", rule.arn, label="object-created"
        )
        aws.cloudwatch.EventTarget(
            f"{self._name}-object-created-tag",
            rule=rule.name,
            arn=tagger.function_arn,
            **self._dead_letters(rule),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
        )

    def _create_lab_dataset_rule(self, tagger: PlatformFunction) -> None:
        """Subscribe the tagger to the lab bus's `Dataset Prefix Associated` events."""
        bus = self._args.get("lab_event_bus_name")
        if bus is None:
            return
        rule = aws.cloudwatch.EventRule(
            f"{self._name}-lab-dataset",
            name=f"{self._prefix}-lab-dataset-prefix",
            description="The lab registered a dataset: tag every object under its prefix",
            event_bus_name=bus,
            event_pattern=json.dumps(
                {"source": [LAB_EVENT_SOURCE], "detail-type": [PREFIX_ASSOCIATED]}
            ),
            opts=self._child,
        )
        permission = tagger.allow_invocation("events.amazonaws.com", rule.arn, label="lab-events")
        aws.cloudwatch.EventTarget(
            f"{self._name}-lab-dataset-tag",
            rule=rule.name,
            event_bus_name=bus,
            arn=tagger.function_arn,
            **self._dead_letters(rule),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
        )
