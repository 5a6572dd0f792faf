"""Scheduled operations: daily AWS Backup of tagged EBS volumes, copied to the DR region.

Volumes tagged for backup (`backup=daily` unless told otherwise) are backed up every day when
business hours end, in the stack's own time zone (AWS Backup evaluates the cron expression in
`schedule_expression_timezone`, so no UTC arithmetic is needed). Recovery points live in a
vault encrypted with its own rotating key and are copied to a second vault, with its own key, in
the disaster-recovery region; both keep them for the same number of days. The primary vault
reports backup-job completions (failures included) and failed copies to a topic. In staging
and prod the vaults can be locked in compliance mode; a locked vault can never be deleted, so
dev refuses it.

The EBS reaper, EC2 test-instance scheduler and EFS scratch clean-up Lambdas are not part of
this component yet: their code (`functions/ebs_reaper`, `functions/ec2_scheduler`,
`functions/efs_cleanup`) does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

__all__ = [
    "BACKUP_RESOURCE_PATTERN",
    "OpsAutomation",
    "OpsAutomationArgs",
    "backup_schedule",
]

BACKUP_RESOURCE_PATTERN: Final = "arn:aws:ec2:*:*:volume/*"
"""The selection covers EBS volumes only, whatever else carries the backup tag."""

_MANAGED_POLICIES: Final = (
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
)
_FAILURE_EVENTS: Final = ("BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED")
"""`BACKUP_JOB_FAILED` is a deprecated event that AWS Backup no longer sends: failed backup jobs
arrive as `BACKUP_JOB_COMPLETED` with a non-COMPLETED state in the message."""
_START_WINDOW_MINUTES: Final = 60
_COMPLETION_WINDOW_MINUTES: Final = 480
_LOCK_CHANGEABLE_FOR_DAYS: Final = 3
"""Cooling-off period of a compliance-mode lock (AWS's minimum); after it the lock is final."""
_LOCK_MAX_RETENTION_DAYS: Final = 35
_HH_MM: Final = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_PREFIX: Final = re.compile(r"^[a-z][a-z0-9-]{1,40}$")
_TAG_PART: Final = re.compile(r"^[A-Za-z0-9 _.:/=+@-]{1,128}$")


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
    """SNS topic for backup-job completions and copy failures (the alerts topic). Its key and
    topic policies must admit `backup.amazonaws.com` (AlertTopics' do)."""
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


def backup_schedule(hh_mm: str) -> str:
    """The AWS Backup cron expression that fires daily at `hh_mm` (in the rule's time zone)."""
    match = _HH_MM.fullmatch(hh_mm)
    if match is None:
        raise ValueError(
            f"OpsAutomationArgs.business_hours_end {hh_mm!r} must be a 24-hour time HH:MM "
            "such as 20:00"
        )
    hour, minute = int(match.group(1)), int(match.group(2))
    return f"cron({minute} {hour} * * ? *)"


def _validate(args: OpsAutomationArgs) -> None:
    if not _PREFIX.fullmatch(args["name_prefix"]):
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
    """Names of the scheduled Lambda functions; empty until their code exists."""

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
        self._account_id: pulumi.Output[str] = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).account_id
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
            resources=[BACKUP_RESOURCE_PATTERN],
            selection_tags=[
                aws.backup.SelectionSelectionTagArgs(
                    type="STRINGEQUALS",
                    key=args.get("backup_tag_key", "backup"),
                    value=args.get("backup_tag_value", "daily"),
                )
            ],
            opts=self._child,
        )
        events = list(_FAILURE_EVENTS)
        if args.get("notify_restores", False):
            events.append("RESTORE_JOB_COMPLETED")
        aws.backup.VaultNotifications(
            f"{name}-notifications",
            backup_vault_name=self.primary_vault.name,
            sns_topic_arn=args["notification_topic_arn"],
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
        self.function_names = pulumi.Output.from_input([])
        self.register_outputs(
            {
                "primary_vault_name": self.primary_vault_name,
                "primary_vault_arn": self.primary_vault_arn,
                "dr_vault_name": self.dr_vault_name,
                "dr_vault_arn": self.dr_vault_arn,
                "backup_plan_id": self.backup_plan_id,
                "backup_role_arn": self.backup_role_arn,
                "function_names": self.function_names,
            }
        )

    # ---- children ----

    def _create_role(self, prefix: str) -> aws.iam.Role:
        trust = pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "BackupOnBehalfOfThisAccount",
                        "Effect": "Allow",
                        "Principal": {"Service": "backup.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:SourceAccount": self._account_id}},
                    }
                ],
            }
        )
        role = aws.iam.Role(
            f"{self._name}-backup-role",
            name=f"{prefix}-backup",
            description="AWS Backup: back up and restore EBS volumes tagged for backup",
            assume_role_policy=trust,
            opts=self._child,
        )
        for policy_arn in _MANAGED_POLICIES:
            label = "restore" if policy_arn.endswith("ForRestores") else "backup"
            aws.iam.RolePolicyAttachment(
                f"{self._name}-backup-role-{label}",
                role=role.name,
                policy_arn=policy_arn,
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
