"""Scheduled operations: daily AWS Backup of tagged EBS volumes, copied to the DR region.

Volumes tagged for backup (`backup=daily` unless told otherwise) are backed up every day when
business hours end, in the stack's own time zone (AWS Backup evaluates the cron expression in
`schedule_expression_timezone`, so no UTC arithmetic is needed). Recovery points live in a
vault encrypted with its own rotating key and are copied to a second vault, with its own key, in
the disaster-recovery region; both keep them for the same number of days. Backup jobs that fail,
abort, expire or finish partially, and failed copies, reach the alerts topic through EventBridge
rules; the vault's completion notifications (successes included) go to the reports topic only,
so on-call is not paged for every volume that was backed up. In staging
and prod the vaults can be locked in compliance mode; a locked vault can never be deleted, so
dev refuses it.

Three optional scheduled Lambdas (each a `PlatformFunction`, destructive, concurrency 1, no
asynchronous retries, invoked by an EventBridge Scheduler schedule in the stack's time zone
through a role that may invoke only that function):

- EBS reaper (`functions/ebs_reaper`): observes daily at 01:00 (marks newly unattached
  volumes, records that marked ones are still unattached, unmarks those attached again) and
  reaps monthly on the 1st at 02:00 (snapshots and deletes volumes continuously unattached,
  as observed, for the grace period). Observing thirty times more often than it deletes is
  what proves continuity: an attachment that lasts a day is seen and resets the clock, and a
  missed observation restarts it. Its role may tag volumes only with the mark and sighting
  keys, delete only volumes that carry the mark tag, and never touch ones that carry the
  opt-out tag (whatever its value) or a Kubernetes ownership tag.
- EC2 test-instance scheduler (`functions/ec2_scheduler`): stops opted-in instances at the end
  of testing hours on weekdays and, when a start time is set, starts them at its beginning. It
  knows the testing hours and time zone itself and refuses a stop inside them unless the event
  forces it. Its role may stop/start only opted-in instances, never ones a group, fleet or
  cluster manages, and never stop one tagged to keep running.
- EFS scratch clean-up (`functions/efs_cleanup`), weekly: announces an hour before, then
  deletes scratch files older than the retention (by the later of mtime and ctime), never a
  volume's root or anything above it, never through a symlinked root. It mounts the scratch
  access point (root `/scratch`) at `/mnt/scratch` from the private subnets; its role must be
  listed in the file system's policy, so its name is known in advance
  (`scratch_cleanup_role_name`).

Schedules never retry a failed delivery (`maximum_retry_attempts=0`): every target is
destructive and idempotent per period, so a late duplicate (stopping instances hours after
testing ended, cleaning outside the announced window) is worse than waiting for the next
occurrence; failures inside the function go to its own dead-letter queue.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.event_dlq import EVENT_TARGET_RETRY, EventDeadLetterQueue
from components.blocks.function import PlatformFunction, PolicyStatement
from components.blocks.iam_documents import (
    Condition,
    PolicyDocument,
    Statement,
    service_trust_policy,
)
from contracts.facts import LOG_RETENTION_DAYS, NAME_PREFIX, TIME_OF_DAY, WEEKDAYS
from contracts.layout import SUB_PATH_PATTERN
from contracts.names import (
    scratch_cleanup_function_name,
    scratch_cleanup_role_name,
)
from functions.ebs_reaper.core import KUBERNETES_TAG_KEYS
from functions.ec2_scheduler.core import MANAGED_TAG_KEYS
from functions.ec2_scheduler.testing_hours import TESTING_DAYS_CRON

__all__ = [
    "BACKUP_RESOURCE_PATTERN",
    "REAPER_MARK_TAG_KEY",
    "REAPER_OBSERVE_SCHEDULE",
    "REAPER_OPT_OUT_TAG_KEY",
    "REAPER_SCHEDULE",
    "REAPER_SEEN_TAG_KEY",
    "SCRATCH_MOUNT_PATH",
    "SCRATCH_VOLUME_ROOT_DEPTH",
    "TEST_HOURS_KEEP_RUNNING_TAG_KEY",
    "TEST_HOURS_OPT_IN_TAG_KEY",
    "EbsReaperArgs",
    "OpsAutomation",
    "OpsAutomationArgs",
    "ScratchCleanupArgs",
    "TestInstanceSchedulerArgs",
    "backup_schedule",
    "hour_before",
    "scratch_cleanup_function_name",
    "scratch_cleanup_role_name",
    "weekdays_schedule",
    "weekly_schedule",
]

BACKUP_RESOURCE_PATTERN: Final = "arn:aws:ec2:*:*:volume/*"
"""The selection covers EBS volumes only, whatever else carries the backup tag. AWS Backup ANDs
`Resources` with `Conditions` but ORs it with `ListOfTags` (re:Post "assign resources to a
Backup plan", examples 1 and 2), so the tag must be a condition: as a selection tag it would
add every volume in the region."""

_MANAGED_POLICIES: Final = (
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
)
"""AWSBackupServiceRolePolicyForRestores is not attached: it restores every resource type AWS
Backup knows, deletes any volume and passes any role. The platform backs up EBS volumes only,
so `_restore_policy` keeps the EBS part of it (CreateVolume from a snapshot, tags on the new
volume, the describes and the key use through EC2) and nothing else."""


def _restore_policy() -> PolicyDocument:
    """Restoring an EBS recovery point as a new volume (StartRestoreJob with this role), taken
    from the EBS statements of AWSBackupServiceRolePolicyForRestores (AWS Backup Developer
    Guide, "AWS managed policies for AWS Backup"), without its DeleteVolume and PassRole."""
    return PolicyDocument(
        Statement(
            sid="CreateVolumesFromRecoveryPoints",
            effect="Allow",
            actions=("ec2:CreateVolume",),
            resources=("arn:aws:ec2:*::snapshot/*", "arn:aws:ec2:*:*:volume/*"),
        ),
        Statement(
            sid="TagRestoredVolumesOnCreation",
            effect="Allow",
            actions=("ec2:CreateTags",),
            resources=("arn:aws:ec2:*:*:volume/*",),
            conditions=(Condition("StringEquals", "ec2:CreateAction", "CreateVolume"),),
        ),
        Statement(
            sid="DescribeRecoveryPoints",
            effect="Allow",
            actions=(
                "ec2:DescribeSnapshots",
                "ec2:DescribeVolumes",
                "ec2:DescribeAvailabilityZones",
            ),
            resources=("*",),
        ),
        Statement(
            sid="UseKeysThroughEc2",
            effect="Allow",
            actions=(
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
            ),
            # Keys only (never aliases), and only when EC2 calls KMS for a restored volume.
            resources=("arn:aws:kms:*:*:key/*",),
            conditions=(Condition("StringLike", "kms:ViaService", "ec2.*.amazonaws.com"),),
        ),
    )


_REPORTED_EVENTS: Final = ("BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED")
"""Vault notifications for the reports topic. `BACKUP_JOB_FAILED` is a deprecated event that AWS
Backup no longer sends: every finished job arrives as `BACKUP_JOB_COMPLETED`, successes
included, which is why these go to reports and failures reach alerts through EventBridge."""
_BACKUP_JOB_FAILED_STATES: Final = ("ABORTED", "EXPIRED", "FAILED", "PARTIAL")
"""`Backup Job State Change` states that mean a volume was not (fully) backed up."""
_COPY_JOB_FAILED_STATES: Final = ("FAILED", "PARTIAL")
"""`Copy Job State Change` states that mean the DR copy is missing."""
_START_WINDOW_MINUTES: Final = 60
_COMPLETION_WINDOW_MINUTES: Final = 480
_LOCK_CHANGEABLE_FOR_DAYS: Final = 3
"""Cooling-off period of a compliance-mode lock (AWS's minimum); after it the lock is final."""
_LOCK_MAX_RETENTION_DAYS: Final = 35
_TAG_PART: Final = re.compile(r"^[A-Za-z0-9 _.:/=+@-]{1,128}$")

REAPER_SCHEDULE: Final = "cron(0 2 1 * ? *)"
"""The reaper's deletion run (`{"mode": "reap"}`): 02:00 on the first day of every month, in
the stack's time zone."""
REAPER_OBSERVE_SCHEDULE: Final = "cron(0 1 * * ? *)"
"""The reaper's observation run (`{"mode": "observe"}`): 01:00 every day, an hour before the
deletion run so the two never compete for the function's single concurrent execution."""
REAPER_MARK_TAG_KEY: Final = "unattached-since"
"""Tag the reaper puts on an unattached volume (when it was first seen so); only marked volumes
can be deleted."""
REAPER_SEEN_TAG_KEY: Final = "unattached-seen"
"""Tag holding when the reaper last saw the volume still unattached (its continuity proof)."""
REAPER_MAX_OBSERVATION_GAP_DAYS: Final = 2
"""Longest gap between two sightings that still counts as continuously unattached: one missed
daily observation is tolerated, two restart the clock."""
REAPER_OPT_OUT_TAG_KEY: Final = "reaper:keep"
"""A volume with this tag is never snapshotted or deleted by the reaper, whatever its value
(`false` included: the IAM deny below tests for the key, and the function agrees)."""
TEST_HOURS_OPT_IN_TAG_KEY: Final = "schedule:test-hours"
"""Instances tagged with this key = `true` (any case) are stopped and started on schedule."""
TEST_HOURS_KEEP_RUNNING_TAG_KEY: Final = "schedule:keep-running"
"""An opted-in instance with this tag is never stopped (a long test in progress)."""
SCRATCH_VOLUME_ROOT_DEPTH: Final = len(SUB_PATH_PATTERN.split("/"))
"""Levels below a scratch root down to a volume's root (`<namespace>/<pvc>`: 2), from the
StorageClass's `subPathPattern`; the clean-up never removes a directory at or above it."""
SCRATCH_MOUNT_PATH: Final = "/mnt/scratch"
"""Where the clean-up sees the scratch access point's root (`/scratch` on the file system)."""
_SCHEDULE_EVENT_AGE_SECONDS: Final = 300
"""A delivery the Scheduler could not make within five minutes is dropped, never retried."""


class EbsReaperArgs(TypedDict):
    """The EBS reaper: observed daily, reaped monthly."""

    grace_days: int
    """Days a volume must be observed continuously unattached before it is snapshotted and
    deleted."""
    max_deletions_per_run: int
    """Most volumes one run deletes (0-500; 0 deletes nothing)."""


class TestInstanceSchedulerArgs(TypedDict):
    """Stopping (and optionally starting) opted-in EC2 test instances on weekdays."""

    testing_hours_end: str
    """`HH:MM` at which opted-in instances are stopped, Monday to Friday."""
    testing_hours_start: NotRequired[str]
    """`HH:MM` at which they are started, Monday to Friday; empty or absent: never started."""


class ScratchCleanupArgs(TypedDict):
    """The weekly EFS scratch clean-up."""

    file_system_arn: pulumi.Input[str]
    """ARN of the shared file system (`SharedFileSystem.file_system_arn`)."""
    access_point_arn: pulumi.Input[str]
    """ARN of the scratch access point, whose root is `/scratch`
    (`SharedFileSystem.scratch_access_point_arn`)."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets with a route to SNS, one per zone that has a mount target."""
    security_group_id: pulumi.Input[str]
    """The file system's client group (admitted on NFS 2049)."""
    api_security_group_ids: NotRequired[Sequence[pulumi.Input[str]]]
    """Groups whose egress reaches the AWS APIs the function calls (SNS through the VPC's
    interface endpoint, `Network.api_client_security_group_id`); none unless given."""
    mount_targets: NotRequired[Sequence[pulumi.Resource]]
    """The file system's mount targets (`SharedFileSystem.mount_targets`): the function is
    created after them; none unless given."""
    scratch_roots: Sequence[str]
    """Directories under `/scratch` to prune, relative to it, each holding volumes at
    `<root>/<namespace>/<pvc>` (the scratch StorageClass's base path, e.g. `volumes`). The
    access point's root itself cannot be a root, nor can a symlink (the function refuses
    both); the namespace and volume directories are never removed."""
    retention_days: int
    """Files not modified for longer than this many days are deleted."""
    day: str
    """Weekday of the clean-up, `SUN`..`SAT`."""
    time: str
    """`HH:MM` of the clean-up; the announcement goes out one hour earlier."""
    resume_hourly: NotRequired[bool]
    """Also invoke `{"phase": "resume"}` hourly, so a tree too big for one run finishes within
    hours; false unless given."""


def _hour_minute(hh_mm: str, field: str) -> tuple[int, int]:
    match = TIME_OF_DAY.fullmatch(hh_mm)
    if match is None:
        raise ValueError(
            f"OpsAutomationArgs.{field} {hh_mm!r} must be a 24-hour time HH:MM such as 20:00"
        )
    return int(match.group(1)), int(match.group(2))


def _weekday(day: str, field: str) -> str:
    if day not in WEEKDAYS:
        raise ValueError(f"OpsAutomationArgs.{field} {day!r} must be one of {', '.join(WEEKDAYS)}")
    return day


def hour_before(day: str, hh_mm: str) -> tuple[str, str]:
    """The weekday and `HH:MM` one hour before `day` at `hh_mm` (e.g. MON 00:30 → SUN 23:30)."""
    index = WEEKDAYS.index(_weekday(day, "scratch_cleanup.day"))
    hour, minute = _hour_minute(hh_mm, "scratch_cleanup.time")
    if hour == 0:
        return WEEKDAYS[(index - 1) % len(WEEKDAYS)], f"23:{minute:02d}"
    return day, f"{hour - 1:02d}:{minute:02d}"


def weekly_schedule(day: str, hh_mm: str) -> str:
    """The EventBridge Scheduler cron expression that fires every `day` at `hh_mm`."""
    hour, minute = _hour_minute(hh_mm, "scratch_cleanup.time")
    return f"cron({minute} {hour} ? * {_weekday(day, 'scratch_cleanup.day')} *)"


def weekdays_schedule(hh_mm: str, field: str = "test_instance_scheduler") -> str:
    """The cron expression that fires at `hh_mm` on the testing days (Monday to Friday): the
    same days the scheduler function counts as testing days when it checks the clock."""
    hour, minute = _hour_minute(hh_mm, field)
    return f"cron({minute} {hour} ? * {TESTING_DAYS_CRON} *)"


class OpsAutomationArgs(TypedDict):
    """What the scheduled operations need from the stack's settings."""

    name_prefix: str
    """Prefix of physical names, e.g. `gen-prod`; vaults become `<prefix>-ebs` and `-ebs-dr`."""
    environment: Literal["dev", "staging", "prod"]
    """Deployment environment; a vault lock is refused in dev."""
    dr_region: str
    """Region of the copy vault, e.g. `ap-south-2`."""
    time_zone: str
    """IANA time zone the schedules are written in, e.g. `Asia/Kolkata`."""
    business_hours_end: str
    """`HH:MM` at which the daily backup window opens, e.g. `20:00`."""
    backup_retention_days: int
    """Days recovery points are kept, in both regions (1-35)."""
    notification_topic_arn: pulumi.Input[str]
    """SNS topic for failed backup and copy jobs (the alerts topic), published by EventBridge
    rules. Its key and topic policies must admit `events.amazonaws.com` (AlertTopics' do)."""
    backup_vault_lock: NotRequired[bool]
    """Lock both vaults in compliance mode; false unless given, and never in dev."""
    backup_tag_key: NotRequired[str]
    """Tag key that selects volumes for backup; `backup` unless given."""
    backup_tag_value: NotRequired[str]
    """Value of `backup_tag_key` that selects volumes; `daily` unless given."""
    notify_restores: NotRequired[bool]
    """Also report `RESTORE_JOB_COMPLETED`; false unless given."""
    key_deletion_window_days: NotRequired[int]
    """Days a scheduled key deletion can still be cancelled, 7-30; 30 unless given."""
    ebs_reaper: NotRequired[EbsReaperArgs]
    """Deploy the EBS reaper (observed daily, reaped monthly); not deployed unless given."""
    test_instance_scheduler: NotRequired[TestInstanceSchedulerArgs]
    """Deploy the EC2 test-instance scheduler; not deployed unless given."""
    scratch_cleanup: NotRequired[ScratchCleanupArgs]
    """Deploy the weekly EFS scratch clean-up; not deployed unless given."""
    dry_run: NotRequired[bool]
    """Whether the functions only report (DRY_RUN); true unless given (dev should keep it)."""
    reports_topic_arn: NotRequired[pulumi.Input[str]]
    """SNS topic of the functions' run summaries and of the vault's job-completion
    notifications (its policies must admit `backup.amazonaws.com`); required with any
    function, and without it the vault sends no notifications."""
    log_key_arn: NotRequired[pulumi.Input[str]]
    """KMS key of the functions' log groups and failure queues; required with any function."""
    log_retention_days: NotRequired[int]
    """Retention of the functions' log groups (a CloudWatch Logs value); required with any."""


def backup_schedule(hh_mm: str) -> str:
    """The AWS Backup cron expression that fires daily at `hh_mm` (in the rule's time zone)."""
    match = TIME_OF_DAY.fullmatch(hh_mm)
    if match is None:
        raise ValueError(
            f"OpsAutomationArgs.business_hours_end {hh_mm!r} must be a 24-hour time HH:MM "
            "such as 20:00"
        )
    hour, minute = int(match.group(1)), int(match.group(2))
    return f"cron({minute} {hour} * * ? *)"


def _validate(args: OpsAutomationArgs) -> None:
    if not NAME_PREFIX.fullmatch(args["name_prefix"]):
        raise ValueError(
            f"OpsAutomationArgs.name_prefix {args['name_prefix']!r} must be lowercase letters, "
            "digits and hyphens, e.g. gen-prod"
        )
    if args.get("backup_vault_lock", False) and args["environment"] == "dev":
        raise ValueError(
            "OpsAutomationArgs.backup_vault_lock is true in dev: a compliance-mode vault lock "
            "can never be removed, so the stack could not be torn down; set it to false in dev"
        )
    retention = args["backup_retention_days"]
    if not 1 <= retention <= _LOCK_MAX_RETENTION_DAYS:
        raise ValueError(
            f"OpsAutomationArgs.backup_retention_days is {retention}; use 1-"
            f"{_LOCK_MAX_RETENTION_DAYS}"
        )
    window = args.get("key_deletion_window_days", 30)
    if not 7 <= window <= 30:
        raise ValueError(f"OpsAutomationArgs.key_deletion_window_days is {window}; use 7-30")
    for field in ("backup_tag_key", "backup_tag_value"):
        value = args.get(field, "backup" if field == "backup_tag_key" else "daily")
        if not isinstance(value, str) or not _TAG_PART.fullmatch(value):
            raise ValueError(f"OpsAutomationArgs.{field} {value!r} is not a valid tag part")
    backup_schedule(args["business_hours_end"])
    _validate_functions(args)


def _validate_functions(args: OpsAutomationArgs) -> None:
    wanted = [f for f in ("ebs_reaper", "test_instance_scheduler", "scratch_cleanup") if f in args]
    if not wanted:
        return
    missing = [
        f for f in ("reports_topic_arn", "log_key_arn", "log_retention_days") if f not in args
    ]
    if missing:
        raise ValueError(
            f"OpsAutomationArgs.{wanted[0]} needs {', '.join(missing)}: every scheduled function "
            "logs to an encrypted group and reports to a topic"
        )
    if args["log_retention_days"] not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"OpsAutomationArgs.log_retention_days {args['log_retention_days']} is not a value "
            "CloudWatch Logs allows (e.g. 30, 90, 365)"
        )
    reaper = args.get("ebs_reaper")
    if reaper is not None:
        if not 1 <= reaper["grace_days"] <= 3650:
            raise ValueError(
                f"OpsAutomationArgs.ebs_reaper.grace_days {reaper['grace_days']}; use 1-3650"
            )
        if not 0 <= reaper["max_deletions_per_run"] <= 500:
            raise ValueError(
                f"OpsAutomationArgs.ebs_reaper.max_deletions_per_run "
                f"{reaper['max_deletions_per_run']}; use 0-500"
            )
    scheduler = args.get("test_instance_scheduler")
    if scheduler is not None:
        weekdays_schedule(
            scheduler["testing_hours_end"], "test_instance_scheduler.testing_hours_end"
        )
        start = scheduler.get("testing_hours_start", "")
        if start:
            weekdays_schedule(start, "test_instance_scheduler.testing_hours_start")
            # HH:MM strings compare like the times they name.
            if start >= scheduler["testing_hours_end"]:
                raise ValueError(
                    f"OpsAutomationArgs.test_instance_scheduler.testing_hours_start {start} must "
                    f"be before testing_hours_end {scheduler['testing_hours_end']} (same day)"
                )
    cleanup = args.get("scratch_cleanup")
    if cleanup is not None:
        weekly_schedule(cleanup["day"], cleanup["time"])
        if not cleanup["scratch_roots"]:
            raise ValueError(
                "OpsAutomationArgs.scratch_cleanup.scratch_roots is empty; name the directories "
                "under /scratch to prune (the namespaces, e.g. the project slugs)"
            )
        if not cleanup["subnet_ids"]:
            raise ValueError("OpsAutomationArgs.scratch_cleanup.subnet_ids is empty")
        if not 1 <= cleanup["retention_days"] <= 3650:
            raise ValueError(
                f"OpsAutomationArgs.scratch_cleanup.retention_days {cleanup['retention_days']}; "
                "use 1-3650"
            )


class OpsAutomation(pulumi.ComponentResource):
    """Daily EBS backups to a KMS-encrypted vault, copied to a vault in the DR region."""

    primary_vault_name: pulumi.Output[str]
    """Name of the backup vault in the primary region."""
    primary_vault_arn: pulumi.Output[str]
    """ARN of the backup vault in the primary region."""
    dr_vault_name: pulumi.Output[str]
    """Name of the copy vault in the DR region."""
    dr_vault_arn: pulumi.Output[str]
    """ARN of the copy vault in the DR region."""
    backup_plan_id: pulumi.Output[str]
    """Id of the daily EBS backup plan."""
    backup_role_arn: pulumi.Output[str]
    """Role AWS Backup assumes to back up and restore the selected volumes."""
    function_names: pulumi.Output[Sequence[str]]
    """Names of the scheduled Lambda functions that were asked for (possibly none)."""
    scratch_cleanup_role_arn: pulumi.Output[str | None]
    """Execution role of the scratch clean-up, if deployed (must mount the file system)."""

    def __init__(
        self,
        name: str,
        args: OpsAutomationArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("genomics:ops:OpsAutomation", name, None, opts)
        _validate(args)
        self._name = name
        self._child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._account_id: pulumi.Output[str] = aws.get_caller_identity_output(
            opts=invoke
        ).account_id
        self._region: pulumi.Output[str] = aws.get_region_output(opts=invoke).region
        self._args = args
        prefix = args["name_prefix"]
        dr_region = args["dr_region"]
        window = args.get("key_deletion_window_days", 30)

        self.role = self._create_role(prefix)
        primary_key = self._create_key("primary", prefix, None, window)
        dr_key = self._create_key("dr", prefix, dr_region, window)
        self.primary_vault = aws.backup.Vault(
            f"{name}-primary-vault",
            name=f"{prefix}-ebs",
            kms_key_arn=primary_key.arn,
            opts=self._child,
        )
        self.dr_vault = aws.backup.Vault(
            f"{name}-dr-vault",
            name=f"{prefix}-ebs-dr",
            kms_key_arn=dr_key.arn,
            region=dr_region,
            opts=self._child,
        )
        self.plan = self._create_plan(args)
        aws.backup.Selection(
            f"{name}-selection",
            name=f"{prefix}-ebs-tagged",
            plan_id=self.plan.id,
            iam_role_arn=self.role.arn,
            # Volumes AND tagged (see BACKUP_RESOURCE_PATTERN); never selection_tags.
            resources=[BACKUP_RESOURCE_PATTERN],
            conditions=[
                aws.backup.SelectionConditionArgs(
                    string_equals=[
                        aws.backup.SelectionConditionStringEqualArgs(
                            key=f"aws:ResourceTag/{args.get('backup_tag_key', 'backup')}",
                            value=args.get("backup_tag_value", "daily"),
                        )
                    ]
                )
            ],
            opts=self._child,
        )
        # Failed-job alerts and schedules dead-letter here instead of being dropped.
        self._dlq = EventDeadLetterQueue(
            f"{name}-events-dlq",
            {"queue_name": f"{prefix}-ops-events-dlq", "key_deletion_window_days": window},
            self._child,
        )
        self._dlq.admit(self._create_failure_alerts(name, args["notification_topic_arn"]))
        if "reports_topic_arn" in args:
            events = list(_REPORTED_EVENTS)
            if args.get("notify_restores", False):
                events.append("RESTORE_JOB_COMPLETED")
            aws.backup.VaultNotifications(
                f"{name}-notifications",
                backup_vault_name=self.primary_vault.name,
                sns_topic_arn=args["reports_topic_arn"],
                backup_vault_events=events,
                opts=self._child,
            )
        if args.get("backup_vault_lock", False):
            self._lock("primary", self.primary_vault, None, args["backup_retention_days"])
            self._lock("dr", self.dr_vault, dr_region, args["backup_retention_days"])

        self.primary_vault_name = self.primary_vault.name
        self.primary_vault_arn = self.primary_vault.arn
        self.dr_vault_name = self.dr_vault.name
        self.dr_vault_arn = self.dr_vault.arn
        self.backup_plan_id = self.plan.id
        self.backup_role_arn = self.role.arn
        functions: list[PlatformFunction] = []
        cleanup_role: pulumi.Output[str | None] = pulumi.Output.from_input(None)
        if "ebs_reaper" in args:
            functions.append(self._create_reaper(args["ebs_reaper"]))
        if "test_instance_scheduler" in args:
            functions.append(self._create_instance_scheduler(args["test_instance_scheduler"]))
        if "scratch_cleanup" in args:
            cleanup = self._create_scratch_cleanup(args["scratch_cleanup"])
            functions.append(cleanup)
            cleanup_role = cleanup.role_arn.apply(lambda arn: arn)
        self.function_names = pulumi.Output.all(*[f.function_name for f in functions]).apply(list)
        self.scratch_cleanup_role_arn = cleanup_role
        self.register_outputs(
            {
                "primary_vault_name": self.primary_vault_name,
                "primary_vault_arn": self.primary_vault_arn,
                "dr_vault_name": self.dr_vault_name,
                "dr_vault_arn": self.dr_vault_arn,
                "backup_plan_id": self.backup_plan_id,
                "backup_role_arn": self.backup_role_arn,
                "function_names": self.function_names,
                "scratch_cleanup_role_arn": self.scratch_cleanup_role_arn,
            }
        )

    # ---- children ----

    def _create_role(self, prefix: str) -> aws.iam.Role:
        trust = service_trust_policy(
            "backup.amazonaws.com", self._account_id, sid="BackupOnBehalfOfThisAccount"
        ).render()
        role = aws.iam.Role(
            f"{self._name}-backup-role",
            name=f"{prefix}-backup",
            description="AWS Backup: back up and restore EBS volumes tagged for backup",
            assume_role_policy=trust,
            opts=self._child,
        )
        for policy_arn in _MANAGED_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{self._name}-backup-role-backup",
                role=role.name,
                policy_arn=policy_arn,
                opts=self._child,
            )
        aws.iam.RolePolicy(
            f"{self._name}-backup-role-restore-ebs",
            role=role.id,
            policy=_restore_policy().render(),
            opts=self._child,
        )
        return role

    def _key_policy(self) -> pulumi.Output[str]:
        account = self._account_id
        statements: list[dict[str, Any]] = [
            {
                # The key's default statement: delegates access control to IAM in this account.
                "Sid": "EnableIamPoliciesOfThisAccount",
                "Effect": "Allow",
                "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account, ":root")},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "BackupRoleEncryptsRecoveryPoints",
                "Effect": "Allow",
                "Principal": {"AWS": self.role.arn},
                "Action": [
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:Encrypt",
                    "kms:GenerateDataKey*",
                    "kms:ReEncrypt*",
                ],
                "Resource": "*",
            },
            {
                "Sid": "BackupRoleGrantsToAwsResources",
                "Effect": "Allow",
                "Principal": {"AWS": self.role.arn},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ]
        return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})

    def _create_key(self, role: str, prefix: str, region: str | None, window: int) -> aws.kms.Key:
        key = aws.kms.Key(
            f"{self._name}-{role}-key",
            description=f"{prefix}: encrypts EBS recovery points in the {role} backup vault",
            enable_key_rotation=True,
            deletion_window_in_days=window,
            policy=self._key_policy(),
            region=region,
            opts=self._child,
        )
        aws.kms.Alias(
            f"{self._name}-{role}-key-alias",
            name=f"alias/{prefix}-backup-{role}",
            target_key_id=key.key_id,
            region=region,
            opts=self._child,
        )
        return key

    def _create_failure_alerts(
        self, name: str, topic_arn: pulumi.Input[str]
    ) -> list[pulumi.Output[str]]:
        """EventBridge rules that send failed backup and copy jobs of the vault to `topic_arn`.

        AWS Backup emits `Backup Job State Change` and `Copy Job State Change` to the default
        bus ("Monitoring AWS Backup events using Amazon EventBridge"; best effort, within
        minutes), with the job's `state`, its vault (`backupVaultName`, or
        `sourceBackupVaultArn` for copies) and a `statusMessage`. Returns the rules' ARNs, which
        the event DLQ admits.
        """
        jobs: dict[str, tuple[str, dict[str, object], str]] = {
            "backup-failed": (
                "Backup Job State Change",
                {
                    "state": list(_BACKUP_JOB_FAILED_STATES),
                    "backupVaultName": [self.primary_vault.name],
                },
                "backupJobId",
            ),
            "copy-failed": (
                "Copy Job State Change",
                {
                    "state": list(_COPY_JOB_FAILED_STATES),
                    "sourceBackupVaultArn": [self.primary_vault.arn],
                },
                "copyJobId",
            ),
        }
        rule_arns: list[pulumi.Output[str]] = []
        for role, (detail_type, detail, job_id) in jobs.items():
            rule = aws.cloudwatch.EventRule(
                f"{name}-{role}",
                description=f"AWS Backup: {detail_type} to a failed state, for the alerts topic",
                event_pattern=pulumi.Output.json_dumps(
                    {"source": ["aws.backup"], "detail-type": [detail_type], "detail": detail}
                ),
                opts=self._child,
            )
            aws.cloudwatch.EventTarget(
                f"{name}-{role}-alert",
                rule=rule.name,
                arn=topic_arn,
                retry_policy=EVENT_TARGET_RETRY,
                dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(
                    arn=self._dlq.arn
                ),
                # One readable line per failed job instead of the raw event.
                input_transformer=aws.cloudwatch.EventTargetInputTransformerArgs(
                    input_paths={
                        "job": f"$.detail.{job_id}",
                        "state": "$.detail.state",
                        "resource": "$.detail.resourceArn",
                        "reason": "$.detail.statusMessage",
                    },
                    input_template=(
                        f'"AWS Backup {detail_type}: job <job> for <resource> ended <state>: '
                        '<reason>"'
                    ),
                ),
                opts=self._child,
            )
            rule_arns.append(rule.arn)
        return rule_arns

    def _create_plan(self, args: OpsAutomationArgs) -> aws.backup.Plan:
        retention = args["backup_retention_days"]
        return aws.backup.Plan(
            f"{self._name}-plan",
            name=f"{args['name_prefix']}-ebs-daily",
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name="daily-after-business-hours",
                    target_vault_name=self.primary_vault.name,
                    schedule=backup_schedule(args["business_hours_end"]),
                    schedule_expression_timezone=args["time_zone"],
                    start_window=_START_WINDOW_MINUTES,
                    completion_window=_COMPLETION_WINDOW_MINUTES,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=retention),
                    copy_actions=[
                        aws.backup.PlanRuleCopyActionArgs(
                            destination_vault_arn=self.dr_vault.arn,
                            lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(
                                delete_after=retention
                            ),
                        )
                    ],
                )
            ],
            opts=self._child,
        )

    def _lock(
        self, role: str, vault: aws.backup.Vault, region: str | None, retention: int
    ) -> aws.backup.VaultLockConfiguration:
        return aws.backup.VaultLockConfiguration(
            f"{self._name}-{role}-vault-lock",
            backup_vault_name=vault.name,
            min_retention_days=retention,
            max_retention_days=_LOCK_MAX_RETENTION_DAYS,
            changeable_for_days=_LOCK_CHANGEABLE_FOR_DAYS,
            region=region,
            opts=self._child,
        )

    # ---- scheduled functions ----

    def _dry_run(self) -> str:
        return "true" if self._args.get("dry_run", True) else "false"

    def _ec2_arn(self, resource: str, *, account: bool = True) -> pulumi.Output[str]:
        owner: pulumi.Input[str] = self._account_id if account else ""
        return pulumi.Output.concat("arn:aws:ec2:", self._region, ":", owner, ":", resource)

    def _topic(self) -> pulumi.Input[str]:
        return self._args["reports_topic_arn"]

    def _publish(self) -> PolicyStatement:
        return {"Sid": "PublishRunSummary", "Action": ["sns:Publish"], "Resource": [self._topic()]}

    def _create_reaper(self, reaper: EbsReaperArgs) -> PlatformFunction:
        volumes = self._ec2_arn("volume/*")
        mark, seen, opt_out = REAPER_MARK_TAG_KEY, REAPER_SEEN_TAG_KEY, REAPER_OPT_OUT_TAG_KEY
        statements: list[PolicyStatement] = [
            {
                # EC2 Describe* calls have no resource-level permissions and only accept "*".
                "Sid": "DescribeVolumesAndSnapshots",
                "Action": ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"],
                "Resource": ["*"],
                "Condition": {"StringEquals": {"aws:RequestedRegion": self._region}},
            },
            {
                "Sid": "MarkUnattachedVolumes",
                "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
                "Resource": [volumes],
                "Condition": {
                    "ForAllValues:StringEquals": {"aws:TagKeys": [mark, seen]},
                    "Null": {"aws:TagKeys": "false"},
                },
            },
            {
                "Sid": "SnapshotBeforeDelete",
                "Action": ["ec2:CreateSnapshot"],
                "Resource": [volumes, self._ec2_arn("snapshot/*", account=False)],
            },
            {
                "Sid": "TagSnapshotsOnCreation",
                "Action": ["ec2:CreateTags"],
                "Resource": [self._ec2_arn("snapshot/*", account=False)],
                "Condition": {"StringEquals": {"ec2:CreateAction": "CreateSnapshot"}},
            },
            {
                "Sid": "DeleteMarkedVolumes",
                "Action": ["ec2:DeleteVolume"],
                "Resource": [volumes],
                "Condition": {"Null": {f"ec2:ResourceTag/{mark}": "false"}},
            },
            {
                "Sid": "NeverTouchOptedOutVolumes",
                "Effect": "Deny",
                "Action": ["ec2:DeleteVolume", "ec2:CreateSnapshot"],
                "Resource": [volumes],
                "Condition": {"Null": {f"ec2:ResourceTag/{opt_out}": "false"}},
            },
            # One statement per key: keys inside one condition block must all match (AND).
            *(
                _deny_when_tagged(
                    f"NeverDeleteKubernetesVolume{_sid(key)}", key, ["ec2:DeleteVolume"], volumes
                )
                for key in sorted(KUBERNETES_TAG_KEYS)
            ),
            self._publish(),
        ]
        function = PlatformFunction(
            f"{self._name}-ebs-reaper",
            {
                "package": "ebs_reaper",
                "function_name": f"{self._args['name_prefix']}-ebs-reaper",
                "description": "Daily: marks idle EBS volumes; monthly: snapshots and deletes them",
                "kms_key_arn": self._args["log_key_arn"],
                "log_retention_days": self._args["log_retention_days"],
                "reserved_concurrency": 1,
                "destructive": True,
                "max_retry_attempts": 0,
                "timeout_seconds": 900,
                "policy_statements": statements,
                "environment": {
                    "DRY_RUN": self._dry_run(),
                    "GRACE_DAYS": str(reaper["grace_days"]),
                    "MAX_DELETIONS_PER_RUN": str(reaper["max_deletions_per_run"]),
                    "MARK_TAG_KEY": mark,
                    "SEEN_TAG_KEY": seen,
                    "MAX_OBSERVATION_GAP_DAYS": str(REAPER_MAX_OBSERVATION_GAP_DAYS),
                    "OPT_OUT_TAG_KEY": opt_out,
                    "INCLUDE_KUBERNETES_VOLUMES": "false",
                    "TOPIC_ARN": self._topic(),
                    "EXPECTED_ACCOUNT_ID": self._account_id,
                    "EXPECTED_REGION": self._region,
                },
            },
            opts=self._child,
        )
        role = self._scheduler_role("ebs-reaper", function)
        self._schedule(
            "ebs-reaper-observe",
            REAPER_OBSERVE_SCHEDULE,
            function,
            role,
            {"mode": "observe"},
            "Observe unattached EBS volumes (mark, record sightings, unmark): 01:00 daily",
        )
        # The deletion schedule keeps its original resource name, so its URN is unchanged.
        self._schedule(
            "ebs-reaper",
            REAPER_SCHEDULE,
            function,
            role,
            {"mode": "reap"},
            "Reap EBS volumes continuously unattached past grace: 02:00 on the 1st",
        )
        return function

    def _create_instance_scheduler(self, scheduler: TestInstanceSchedulerArgs) -> PlatformFunction:
        instances = self._ec2_arn("instance/*")
        opt_in, keep = TEST_HOURS_OPT_IN_TAG_KEY, TEST_HOURS_KEEP_RUNNING_TAG_KEY
        statements: list[PolicyStatement] = [
            {
                # EC2 Describe* calls have no resource-level permissions and only accept "*".
                "Sid": "DescribeInstances",
                "Action": ["ec2:DescribeInstances"],
                "Resource": ["*"],
                "Condition": {"StringEquals": {"aws:RequestedRegion": self._region}},
            },
            {
                "Sid": "StopStartOptedInInstances",
                "Action": ["ec2:StopInstances", "ec2:StartInstances"],
                "Resource": [instances],
                "Condition": {"StringEqualsIgnoreCase": {f"ec2:ResourceTag/{opt_in}": "true"}},
            },
            # One statement per key: keys inside one condition block must all match (AND).
            *(
                _deny_when_tagged(
                    f"NeverTouchManaged{_sid(key)}",
                    key,
                    ["ec2:StopInstances", "ec2:StartInstances"],
                    instances,
                )
                for key in sorted(MANAGED_TAG_KEYS)
            ),
            _deny_when_tagged("NeverStopKeepRunning", keep, ["ec2:StopInstances"], instances),
            self._publish(),
        ]
        function = PlatformFunction(
            f"{self._name}-ec2-scheduler",
            {
                "package": "ec2_scheduler",
                "function_name": f"{self._args['name_prefix']}-ec2-scheduler",
                "description": "Weekdays: stops (and starts) EC2 test instances opted in by tag",
                "kms_key_arn": self._args["log_key_arn"],
                "log_retention_days": self._args["log_retention_days"],
                "reserved_concurrency": 1,
                "destructive": True,
                "max_retry_attempts": 0,
                "timeout_seconds": 300,
                "policy_statements": statements,
                "environment": {
                    "OPT_IN_TAG_KEY": opt_in,
                    "KEEP_RUNNING_TAG_KEY": keep,
                    "DRY_RUN": self._dry_run(),
                    "TOPIC_ARN": self._topic(),
                    # The function's own clock: it refuses a stop inside these hours.
                    "TIME_ZONE": self._args["time_zone"],
                    "TESTING_HOURS_START": scheduler.get("testing_hours_start", ""),
                    "TESTING_HOURS_END": scheduler["testing_hours_end"],
                },
            },
            opts=self._child,
        )
        role = self._scheduler_role("ec2-scheduler", function)
        end = scheduler["testing_hours_end"]
        self._schedule(
            "test-instances-stop",
            weekdays_schedule(end, "test_instance_scheduler.testing_hours_end"),
            function,
            role,
            {"action": "stop"},
            f"Stop opted-in EC2 test instances at {end}, Monday to Friday",
        )
        start = scheduler.get("testing_hours_start", "")
        if start:
            self._schedule(
                "test-instances-start",
                weekdays_schedule(start, "test_instance_scheduler.testing_hours_start"),
                function,
                role,
                {"action": "start"},
                f"Start opted-in EC2 test instances at {start}, Monday to Friday",
            )
        return function

    def _create_scratch_cleanup(self, cleanup: ScratchCleanupArgs) -> PlatformFunction:
        prefix = self._args["name_prefix"]
        function = PlatformFunction(
            f"{self._name}-scratch-cleanup",
            {
                "package": "efs_cleanup",
                "function_name": scratch_cleanup_function_name(prefix),
                "description": "Weekly: deletes EFS scratch files older than the retention",
                "kms_key_arn": self._args["log_key_arn"],
                "log_retention_days": self._args["log_retention_days"],
                "reserved_concurrency": 1,
                "destructive": True,
                "max_retry_attempts": 0,
                "timeout_seconds": 900,
                # 1769 MB is one full vCPU: the walk is I/O- and metadata-bound across workers.
                "memory_mb": 1769,
                "vpc": {
                    "subnet_ids": list(cleanup["subnet_ids"]),
                    "security_group_ids": [
                        cleanup["security_group_id"],
                        *cleanup.get("api_security_group_ids", ()),
                    ],
                },
                # PlatformFunction grants ClientMount/ClientWrite on the file system only
                # through this access point (elasticfilesystem:AccessPointArn).
                "file_system": {
                    "file_system_arn": cleanup["file_system_arn"],
                    "access_point_arn": cleanup["access_point_arn"],
                    "local_mount_path": SCRATCH_MOUNT_PATH,
                    "mount_targets": list(cleanup.get("mount_targets", ())),
                },
                "policy_statements": [self._publish()],
                "environment": {
                    "MOUNT_PATH": SCRATCH_MOUNT_PATH,
                    "SCRATCH_ROOTS": json.dumps(list(cleanup["scratch_roots"])),
                    "RETENTION_DAYS": str(cleanup["retention_days"]),
                    "VOLUME_ROOT_DEPTH": str(SCRATCH_VOLUME_ROOT_DEPTH),
                    "DRY_RUN": self._dry_run(),
                    "TOPIC_ARN": self._topic(),
                },
            },
            opts=self._child,
        )
        role = self._scheduler_role("scratch-cleanup", function)
        day, time = cleanup["day"], cleanup["time"]
        announce_day, announce_time = hour_before(day, time)
        self._schedule(
            "scratch-announce",
            weekly_schedule(announce_day, announce_time),
            function,
            role,
            {"phase": "announce"},
            f"Announce the scratch clean-up one hour ahead ({announce_day} {announce_time})",
        )
        self._schedule(
            "scratch-clean",
            weekly_schedule(day, time),
            function,
            role,
            {"phase": "clean"},
            f"Delete old scratch files ({day} {time})",
        )
        if cleanup.get("resume_hourly", False):
            self._schedule(
                "scratch-resume",
                "rate(1 hour)",
                function,
                role,
                {"phase": "resume"},
                "Continue an unfinished scratch clean-up (no-op when there is none)",
            )
        return function

    # ---- schedules ----

    def _scheduler_role(self, label: str, function: PlatformFunction) -> aws.iam.RolePolicy:
        """A role EventBridge Scheduler assumes (for this account only) to invoke `function`
        and nothing else; returns its policy, which the schedules depend on."""
        trust = service_trust_policy(
            "scheduler.amazonaws.com", self._account_id, sid="SchedulerOfThisAccount"
        ).render()
        role = aws.iam.Role(
            f"{self._name}-{label}-scheduler-role",
            name=f"{self._args['name_prefix']}-{label}-scheduler"[:64],
            description=f"EventBridge Scheduler: invoke the {label} function only",
            assume_role_policy=trust,
            max_session_duration=3600,
            opts=self._child,
        )
        return aws.iam.RolePolicy(
            f"{self._name}-{label}-scheduler-policy",
            role=role.name,
            name="invoke-one-function",
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "InvokeOneFunction",
                            "Effect": "Allow",
                            "Action": ["lambda:InvokeFunction"],
                            "Resource": [function.function_arn],
                        },
                        *self._dlq.sender_statements(),
                    ],
                }
            ),
            opts=self._child,
        )

    def _schedule(
        self,
        label: str,
        expression: str,
        function: PlatformFunction,
        role_policy: aws.iam.RolePolicy,
        payload: Mapping[str, str],
        description: str,
    ) -> aws.scheduler.Schedule:
        role_arn = pulumi.Output.concat(
            "arn:aws:iam::", self._account_id, ":role/", role_policy.role
        )
        return aws.scheduler.Schedule(
            f"{self._name}-{label}",
            name=f"{self._args['name_prefix']}-{label}"[:64],
            description=description,
            schedule_expression=expression,
            schedule_expression_timezone=self._args["time_zone"],
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=function.function_arn,
                role_arn=role_arn,
                input=json.dumps(dict(payload), sort_keys=True),
                # Destructive targets: a failed delivery is dropped, never repeated late (see
                # the module docstring); the next occurrence runs as usual.
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_event_age_in_seconds=_SCHEDULE_EVENT_AGE_SECONDS,
                    maximum_retry_attempts=0,
                ),
                # A dropped run is not retried, but it is kept and alarmed, never silent.
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(
                    arn=self._dlq.arn
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy]),
        )


def _sid(tag_key: str) -> str:
    """A statement-id fragment from a tag key: `karpenter.sh/nodepool` → `KarpenterShNodepool`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", tag_key))


def _deny_when_tagged(
    sid: str, tag_key: str, actions: Iterable[str], resource: pulumi.Input[str]
) -> PolicyStatement:
    """Deny `actions` on resources that carry `tag_key`, whatever its value."""
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Action": list(actions),
        "Resource": [resource],
        "Condition": {"Null": {f"ec2:ResourceTag/{tag_key}": "false"}},
    }
