"""OpsAutomation under the platform mocks: EBS backup plan, vaults, selection, alerts, lock."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from components.ops.automation import (
    BACKUP_RESOURCE_PATTERN,
    OpsAutomation,
    OpsAutomationArgs,
    backup_schedule,
    hour_before,
    scratch_cleanup_role_name,
    weekdays_schedule,
    weekly_schedule,
)
from tests.support.harness import Registered, json_input, record

ACCOUNT = "111122223333"
VAULT = "aws:backup/vault:Vault"
PLAN = "aws:backup/plan:Plan"
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
ALERTS = f"arn:aws:sns:ap-south-1:{ACCOUNT}:gen-test-alerts"


def _args(**overrides: Any) -> OpsAutomationArgs:
    args: OpsAutomationArgs = {
        "name_prefix": "gen-test",
        "environment": "prod",
        "dr_region": "ap-south-2",
        "time_zone": "Asia/Kolkata",
        "business_hours_end": "20:00",
        "backup_retention_days": 7,
        "notification_topic_arn": ALERTS,
    }
    args.update(overrides)  # type: ignore[typeddict-item]
    return args


def _builder(**overrides: Any) -> Callable[[], None]:
    def build() -> None:
        OpsAutomation("ops", _args(**overrides))

    return build


@pytest.fixture(scope="module")
def registered() -> Registered:
    """The component with prod settings and vault lock on."""

    return record(_builder(backup_vault_lock=True))


def _rule(registered: Registered) -> dict[str, Any]:
    rules: list[dict[str, Any]] = registered.one(PLAN).inputs["rules"]
    assert len(rules) == 1
    return rules[0]


def _vaults(registered: Registered) -> dict[str, Any]:
    return {vault.inputs["name"]: vault for vault in registered.of_type(VAULT)}


def test_plan_fires_at_20_00_india_time(registered: Registered) -> None:
    """The daily rule is cron 20:00 evaluated in Asia/Kolkata (14:30 UTC)."""
    rule = _rule(registered)
    assert rule["schedule"] == "cron(0 20 * * ? *)"
    assert rule["scheduleExpressionTimezone"] == "Asia/Kolkata"
    local = datetime(2026, 1, 5, 20, 0, tzinfo=ZoneInfo(rule["scheduleExpressionTimezone"]))
    assert local.astimezone(UTC).time() == datetime(2026, 1, 5, 14, 30).time()
    assert (rule["startWindow"], rule["completionWindow"]) == (60, 480)


def test_schedule_minutes_and_bad_times() -> None:
    """HH:MM becomes minute-then-hour cron fields; malformed times are refused."""
    assert backup_schedule("07:45") == "cron(45 7 * * ? *)"
    with pytest.raises(ValueError, match="business_hours_end"):
        backup_schedule("8pm")


def test_recovery_points_deleted_after_retention(registered: Registered) -> None:
    """Primary recovery points and their copies both expire after 7 days."""
    rule = _rule(registered)
    assert rule["lifecycle"]["deleteAfter"] == 7
    assert rule["copyActions"][0]["lifecycle"]["deleteAfter"] == 7


def test_copies_go_to_the_dr_vault(registered: Registered) -> None:
    """The copy action targets the vault created in ap-south-2."""
    rule = _rule(registered)
    destination = rule["copyActions"][0]["destinationVaultArn"]
    dr_vault = _vaults(registered)["gen-test-ebs-dr"]
    assert dr_vault.inputs["region"] == "ap-south-2"
    assert destination.startswith("arn:aws:backup:ap-south-2:")
    assert destination.endswith("gen-test-ebs-dr")
    assert rule["targetVaultName"] == "gen-test-ebs"


def test_vaults_encrypted_with_their_own_rotating_keys(registered: Registered) -> None:
    """Each vault names a customer-managed key in its own region; keys rotate."""
    keys = [k for k in registered.of_type("aws:kms/key:Key") if "-events-dlq-" not in k.name]
    assert len(keys) == 2
    assert all(key.inputs["enableKeyRotation"] is True for key in keys)
    vaults = _vaults(registered)
    assert vaults["gen-test-ebs"].inputs["kmsKeyArn"].startswith("arn:aws:kms:ap-south-1:")
    assert vaults["gen-test-ebs-dr"].inputs["kmsKeyArn"].startswith("arn:aws:kms:ap-south-2:")


def test_selection_by_tag_limited_to_ebs_volumes(registered: Registered) -> None:
    """Only EBS volumes AND tagged backup=daily: the tag is a condition, never a selection tag
    (AWS ORs selection tags with resources, which would select every volume)."""
    selection = registered.one("aws:backup/selection:Selection")
    assert selection.inputs["resources"] == [BACKUP_RESOURCE_PATTERN]
    assert selection.inputs["conditions"] == [
        {"stringEquals": [{"key": "aws:ResourceTag/backup", "value": "daily"}]}
    ]
    assert "selectionTags" not in selection.inputs
    assert selection.inputs["iamRoleArn"].endswith(":role/gen-test-backup")


def test_backup_role_trusts_backup_for_this_account(registered: Registered) -> None:
    """The role trusts backup.amazonaws.com with aws:SourceAccount; AWS policies attached."""
    trust = json_input(registered.one("aws:iam/role:Role"), "assumeRolePolicy")
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "backup.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    attached = {
        a.inputs["policyArn"].rsplit("/", 1)[1]
        for a in registered.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    assert attached == {"AWSBackupServiceRolePolicyForBackup"}


def test_restores_are_scoped_to_ebs_volumes(registered: Registered) -> None:
    """The managed restore policy (any resource type, any volume deleted, any role passed) is
    replaced by an inline one that creates and tags EBS volumes only."""
    (policy,) = [
        p
        for p in registered.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.name.endswith("-backup-role-restore-ebs")
    ]
    actions = {
        a
        for s in json_input(policy, "policy")["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "ec2:CreateVolume" in actions
    assert not {"ec2:DeleteVolume", "iam:PassRole"} & actions
    assert all(a.split(":")[0] in {"ec2", "kms"} for a in actions)


def _alert_rules(registered: Registered) -> dict[str, dict[str, Any]]:
    rules = registered.of_type("aws:cloudwatch/eventRule:EventRule")
    return {rule.name: json.loads(rule.inputs["eventPattern"]) for rule in rules}


def test_failed_backup_and_copy_jobs_alert(registered: Registered) -> None:
    """EventBridge sends the vault's failed, aborted, expired or partial jobs to alerts."""
    patterns = _alert_rules(registered)
    assert patterns["ops-backup-failed"] == {
        "source": ["aws.backup"],
        "detail-type": ["Backup Job State Change"],
        "detail": {
            "state": ["ABORTED", "EXPIRED", "FAILED", "PARTIAL"],
            "backupVaultName": ["gen-test-ebs"],
        },
    }
    copy = patterns["ops-copy-failed"]
    assert copy["detail-type"] == ["Copy Job State Change"]
    assert copy["detail"]["state"] == ["FAILED", "PARTIAL"]
    assert copy["detail"]["sourceBackupVaultArn"][0].endswith(":backup-vault:gen-test-ebs")
    targets = registered.of_type("aws:cloudwatch/eventTarget:EventTarget")
    assert {t.inputs["arn"] for t in targets} == {ALERTS}
    assert all("COMPLETED" not in json.dumps(p["detail"]["state"]) for p in patterns.values())


def test_job_completions_go_to_reports_not_alerts() -> None:
    """Vault notifications (every completion, successes included) reach reports only."""
    reports = f"arn:aws:sns:ap-south-1:{ACCOUNT}:gen-test-reports"
    registered = record(_builder(reports_topic_arn=reports))
    notifications = registered.one("aws:backup/vaultNotifications:VaultNotifications")
    assert notifications.inputs["snsTopicArn"] == reports
    assert notifications.inputs["backupVaultName"] == "gen-test-ebs"
    events = set(notifications.inputs["backupVaultEvents"])
    assert {"BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"} <= events
    assert "BACKUP_JOB_FAILED" not in events  # deprecated: AWS Backup never sends it


def test_no_reports_topic_means_no_vault_notifications(registered: Registered) -> None:
    """Without a reports topic, successes notify no one; failures still alert."""
    assert not registered.of_type("aws:backup/vaultNotifications:VaultNotifications")
    assert _alert_rules(registered)


def test_vault_lock_on_both_vaults_in_prod(registered: Registered) -> None:
    """Asked for in prod, both vaults get a compliance-mode lock at the retention floor."""
    locks = {lock.inputs["backupVaultName"]: lock for lock in registered.of_type(LOCK)}
    assert set(locks) == {"gen-test-ebs", "gen-test-ebs-dr"}
    for lock in locks.values():
        assert lock.inputs["minRetentionDays"] == 7
        assert lock.inputs["changeableForDays"] == 3
    assert locks["gen-test-ebs-dr"].inputs["region"] == "ap-south-2"


def test_no_vault_lock_unless_asked() -> None:
    """Without backup_vault_lock nothing is locked."""
    registered = record(_builder(environment="dev"))
    assert registered.of_type(LOCK) == []


def test_vault_lock_refused_in_dev() -> None:
    """A vault lock in dev raises a clear error before anything is created."""
    with pytest.raises(ValueError, match="backup_vault_lock is true in dev"):
        record(_builder(environment="dev", backup_vault_lock=True))


def test_outputs_registered_last(registered: Registered) -> None:
    """The component registers its vault, plan and function outputs."""
    component = registered.one("genomics:ops:OpsAutomation")
    children = registered.children_of(component.urn)
    assert {child.name for child in children} >= {"ops-primary-vault", "ops-dr-vault", "ops-plan"}
    assert all(child.name.startswith("ops-") for child in children)


# ---- scheduled functions ----

FUNCTION = "aws:lambda/function:Function"
SCHEDULE = "aws:scheduler/schedule:Schedule"
REPORTS = f"arn:aws:sns:ap-south-1:{ACCOUNT}:gen-test-reports"
LOG_KEY = f"arn:aws:kms:ap-south-1:{ACCOUNT}:key/logs"
EFS_ARN = f"arn:aws:elasticfilesystem:ap-south-1:{ACCOUNT}:file-system/fs-0123"
SCRATCH_AP = f"arn:aws:elasticfilesystem:ap-south-1:{ACCOUNT}:access-point/fsap-0123"
SUBNETS = ["subnet-a", "subnet-b"]
CLIENT_SG = "sg-efs-client"


def _function_overrides(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "reports_topic_arn": REPORTS,
        "log_key_arn": LOG_KEY,
        "log_retention_days": 30,
        "dry_run": False,
        "ebs_reaper": {"grace_days": 30, "max_deletions_per_run": 20},
        "test_instance_scheduler": {"testing_hours_end": "19:00", "testing_hours_start": "09:00"},
        "scratch_cleanup": {
            "file_system_arn": EFS_ARN,
            "access_point_arn": SCRATCH_AP,
            "subnet_ids": SUBNETS,
            "security_group_id": CLIENT_SG,
            "scratch_roots": ["tb-genomics", "rare-disease"],
            "retention_days": 7,
            "day": "SAT",
            "time": "23:00",
            "resume_hourly": True,
        },
    }
    base.update(overrides)
    return base


@pytest.fixture(scope="module")
def with_functions() -> Registered:
    """Prod settings with all three scheduled functions, a start time and hourly resume."""

    return record(_builder(**_function_overrides()))


def _function(registered: Registered, suffix: str) -> Any:
    return registered.one(FUNCTION, f"ops-{suffix}-function")


def _env(registered: Registered, suffix: str) -> dict[str, str]:
    variables: dict[str, str] = _function(registered, suffix).inputs["environment"]["variables"]
    return variables


def _policy(registered: Registered, suffix: str) -> list[dict[str, Any]]:
    policy = registered.one("aws:iam/rolePolicy:RolePolicy", f"ops-{suffix}-policy")
    statements: list[dict[str, Any]] = json_input(policy, "policy")["Statement"]
    return statements


def _schedules(registered: Registered) -> dict[str, Any]:
    return {s.inputs["name"]: s.inputs for s in registered.of_type(SCHEDULE)}


def test_without_function_args_no_functions() -> None:
    """Existing callers (backup only) get no Lambda and no schedule."""
    registered = record(_builder())
    assert registered.of_type(FUNCTION) == []
    assert registered.of_type(SCHEDULE) == []


def test_functions_single_concurrency_no_retries(with_functions: Registered) -> None:
    """All three functions are destructive: concurrency 1 and no asynchronous retries."""
    functions = {f.inputs["name"]: f for f in with_functions.of_type(FUNCTION)}
    assert set(functions) == {
        "gen-test-ebs-reaper",
        "gen-test-ec2-scheduler",
        "gen-test-scratch-cleanup",
    }
    assert all(f.inputs["reservedConcurrentExecutions"] == 1 for f in functions.values())
    configs = with_functions.of_type(
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
    )
    assert [c.inputs["maximumRetryAttempts"] for c in configs] == [0, 0, 0]
    assert functions["gen-test-ebs-reaper"].inputs["timeout"] == 900


def test_reaper_env_parses_with_its_config(with_functions: Registered) -> None:
    """The reaper's recorded environment is what functions.ebs_reaper.config accepts."""
    from functions.ebs_reaper.config import load_config

    config = load_config(_env(with_functions, "ebs-reaper"))
    assert config.dry_run is False
    assert (config.grace_days, config.max_deletions_per_run) == (30, 20)
    assert config.topic_arn == REPORTS
    assert (config.expected_account_id, config.expected_region) == (ACCOUNT, "ap-south-1")
    assert (config.mark_tag_key, config.opt_out_tag_key) == ("unattached-since", "reaper:keep")


def test_scheduler_env_parses_with_its_config(with_functions: Registered) -> None:
    """The EC2 scheduler's environment parses; the event names the action, not ACTION."""
    from functions.ec2_scheduler.config import load_config

    config = load_config(_env(with_functions, "ec2-scheduler"))
    assert config.action is None
    assert config.opt_in_tag_key == "schedule:test-hours"
    assert config.keep_running_tag_key == "schedule:keep-running"
    assert (config.dry_run, config.topic_arn) == (False, REPORTS)


def test_cleanup_env_parses_with_its_config(with_functions: Registered) -> None:
    """The clean-up's environment parses: mount /mnt/scratch, roots below it, volume roots
    (`<namespace>/<pvc>`) protected."""
    from functions.efs_cleanup.config import load_config

    config = load_config(_env(with_functions, "scratch-cleanup"))
    assert config.mount_path == "/mnt/scratch"
    assert config.scratch_roots == ("tb-genomics", "rare-disease")
    assert config.volume_root_depth == 2
    assert (config.retention_days, config.dry_run, config.topic_arn) == (7, False, REPORTS)


def test_cleanup_mounts_scratch_access_point_in_vpc(with_functions: Registered) -> None:
    """The clean-up mounts the scratch access point at /mnt/scratch from the private subnets
    with the EFS client group, and may mount the file system only through that access point."""
    function = _function(with_functions, "scratch-cleanup")
    assert function.inputs["fileSystemConfig"] == {
        "arn": SCRATCH_AP,
        "localMountPath": "/mnt/scratch",
    }
    assert function.inputs["vpcConfig"]["subnetIds"] == SUBNETS
    assert function.inputs["vpcConfig"]["securityGroupIds"] == [CLIENT_SG]
    assert function.inputs["memorySize"] == 1769
    mount = next(
        s
        for s in _policy(with_functions, "scratch-cleanup")
        if s["Sid"] == "MountThroughAccessPoint"
    )
    assert set(mount["Action"]) == {
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
    }
    assert mount["Resource"] == [EFS_ARN]
    assert mount["Condition"] == {"ArnEquals": {"elasticfilesystem:AccessPointArn": SCRATCH_AP}}


def test_cleanup_role_name_is_predictable(with_functions: Registered) -> None:
    """The role the file-system policy must list is named by scratch_cleanup_role_name."""
    role = with_functions.one("aws:iam/role:Role", "ops-scratch-cleanup-role")
    assert role.inputs["name"] == scratch_cleanup_role_name("gen-test")


def test_schedules_in_india_time(with_functions: Registered) -> None:
    """Every schedule runs in Asia/Kolkata at the right cron, without a flexible window."""
    schedules = _schedules(with_functions)
    expected = {
        "gen-test-ebs-reaper-observe": ("cron(0 1 * * ? *)", {"mode": "observe"}),
        "gen-test-ebs-reaper": ("cron(0 2 1 * ? *)", {"mode": "reap"}),
        "gen-test-test-instances-stop": ("cron(0 19 ? * MON-FRI *)", {"action": "stop"}),
        "gen-test-test-instances-start": ("cron(0 9 ? * MON-FRI *)", {"action": "start"}),
        "gen-test-scratch-announce": ("cron(0 22 ? * SAT *)", {"phase": "announce"}),
        "gen-test-scratch-clean": ("cron(0 23 ? * SAT *)", {"phase": "clean"}),
        "gen-test-scratch-resume": ("rate(1 hour)", {"phase": "resume"}),
    }
    assert set(schedules) == set(expected)
    for name, (expression, payload) in expected.items():
        schedule = schedules[name]
        assert schedule["scheduleExpression"] == expression, name
        assert schedule["scheduleExpressionTimezone"] == "Asia/Kolkata"
        assert schedule["flexibleTimeWindow"] == {"mode": "OFF"}
        assert json.loads(schedule["target"]["input"]) == payload
        assert schedule["target"]["retryPolicy"]["maximumRetryAttempts"] == 0


def test_schedule_events_parse_with_the_functions(with_functions: Registered) -> None:
    """Each schedule's input is an event its function's parser accepts."""
    from functions.ebs_reaper.event import parse_event as reaper_event
    from functions.ec2_scheduler.event import parse_event as scheduler_event
    from functions.efs_cleanup.event import parse_event as cleanup_event

    schedules = _schedules(with_functions)

    def event(name: str) -> Any:
        return json.loads(schedules[name]["target"]["input"])

    assert reaper_event(event("gen-test-ebs-reaper")).force_dry_run is False
    assert reaper_event(event("gen-test-ebs-reaper")).mode == "reap"
    assert reaper_event(event("gen-test-ebs-reaper-observe")).mode == "observe"
    assert (
        scheduler_event(event("gen-test-test-instances-stop"), default_action=None).action == "stop"
    )
    assert cleanup_event(event("gen-test-scratch-announce")).phase == "announce"


def test_scheduler_roles_invoke_only_their_function(with_functions: Registered) -> None:
    """Each scheduler role trusts the Scheduler of this account, invokes one function and
    may only dead-letter a failed invocation besides (to the ops event DLQ, via SQS)."""
    functions = {f.name: f.inputs["name"] for f in with_functions.of_type(FUNCTION)}
    for label in ("ebs-reaper", "ec2-scheduler", "scratch-cleanup"):
        role = with_functions.one("aws:iam/role:Role", f"ops-{label}-scheduler-role")
        (trust,) = json_input(role, "assumeRolePolicy")["Statement"]
        assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
        policy = with_functions.one(
            "aws:iam/rolePolicy:RolePolicy", f"ops-{label}-scheduler-policy"
        )
        statement, send, encrypt = json_input(policy, "policy")["Statement"]
        assert send["Action"] == ["sqs:SendMessage"]
        assert send["Resource"][0].endswith(":gen-test-ops-events-dlq")
        assert encrypt["Condition"] == {
            "StringEquals": {"kms:ViaService": "sqs.ap-south-1.amazonaws.com"}
        }
        assert statement["Action"] == ["lambda:InvokeFunction"]
        (arn,) = statement["Resource"]
        assert arn.endswith(f":function:{functions[f'ops-{label}-function']}")
    for schedule in _schedules(with_functions).values():
        assert schedule["target"]["roleArn"].startswith(f"arn:aws:iam::{ACCOUNT}:role/gen-test-")


def test_hour_before_crosses_midnight() -> None:
    """The announcement is an hour before the clean-up, a day earlier across midnight."""
    assert hour_before("SAT", "23:00") == ("SAT", "22:00")
    assert hour_before("MON", "00:30") == ("SUN", "23:30")
    assert hour_before("SUN", "00:00") == ("SAT", "23:00")
    assert weekly_schedule(*hour_before("MON", "00:30")) == "cron(30 23 ? * SUN *)"
    assert weekdays_schedule("07:05") == "cron(5 7 ? * MON-FRI *)"
    with pytest.raises(ValueError, match=r"scratch_cleanup\.day"):
        hour_before("Saturday", "23:00")


def test_reaper_policy_least_privilege(with_functions: Registered) -> None:
    """Deletes only marked volumes; denies opted-out and Kubernetes-owned ones."""
    statements = {s["Sid"]: s for s in _policy(with_functions, "ebs-reaper")}
    delete = statements["DeleteMarkedVolumes"]
    assert delete["Action"] == ["ec2:DeleteVolume"]
    assert delete["Condition"] == {"Null": {"ec2:ResourceTag/unattached-since": "false"}}
    assert statements["MarkUnattachedVolumes"]["Condition"]["ForAllValues:StringEquals"] == {
        "aws:TagKeys": ["unattached-since", "unattached-seen"]
    }
    assert statements["TagSnapshotsOnCreation"]["Condition"] == {
        "StringEquals": {"ec2:CreateAction": "CreateSnapshot"}
    }
    opt_out = statements["NeverTouchOptedOutVolumes"]
    assert opt_out["Effect"] == "Deny"
    assert set(opt_out["Action"]) == {"ec2:DeleteVolume", "ec2:CreateSnapshot"}
    assert opt_out["Condition"] == {"Null": {"ec2:ResourceTag/reaper:keep": "false"}}
    kubernetes = {
        key.split("/", 1)[1]
        for s in statements.values()
        if s["Effect"] == "Deny" and s["Action"] == ["ec2:DeleteVolume"]
        for key in s["Condition"]["Null"]
    }
    assert {
        "ebs.csi.aws.com/cluster",
        "kubernetes.io/created-for/pvc/name",
        "KubernetesCluster",
        "CSIVolumeName",
    } <= kubernetes
    assert statements["PublishRunSummary"]["Resource"] == [REPORTS]


def test_reaper_code_and_iam_agree_on_the_keep_tag(with_functions: Registered) -> None:
    """The key the IAM deny tests for presence is the function's OPT_OUT_TAG_KEY, and the
    function treats every value of it (`false` included) as "keep": one meaning in both."""
    from functions.ebs_reaper.config import load_config
    from functions.ebs_reaper.core import opted_out

    config = load_config(_env(with_functions, "ebs-reaper"))
    statements = {s["Sid"]: s for s in _policy(with_functions, "ebs-reaper")}
    [denied_key] = statements["NeverTouchOptedOutVolumes"]["Condition"]["Null"]
    assert denied_key == f"ec2:ResourceTag/{config.opt_out_tag_key}"
    for value in ("true", "false", "", "no"):
        assert opted_out({config.opt_out_tag_key: value}, config.opt_out_tag_key) is True
    tagging = statements["MarkUnattachedVolumes"]["Condition"]["ForAllValues:StringEquals"]
    assert set(tagging["aws:TagKeys"]) == {config.mark_tag_key, config.seen_tag_key}


def test_scheduler_clock_matches_its_schedules(with_functions: Registered) -> None:
    """The function's own testing hours agree with the stop and start schedules: the stop
    schedule's moment is outside testing hours, a minute earlier is inside."""
    from functions.ec2_scheduler.config import load_config

    hours = load_config(_env(with_functions, "ec2-scheduler")).testing_hours
    assert hours.zone.key == "Asia/Kolkata"
    zone = ZoneInfo("Asia/Kolkata")
    wednesday_stop = datetime(2026, 3, 4, 19, 0, tzinfo=zone)  # cron(0 19 ? * MON-FRI *)
    assert hours.contains(wednesday_stop) is False
    assert hours.contains(datetime(2026, 3, 4, 18, 59, tzinfo=zone)) is True
    assert hours.contains(datetime(2026, 3, 4, 9, 0, tzinfo=zone)) is True  # start schedule


def test_scheduler_policy_only_opted_in_unmanaged(with_functions: Registered) -> None:
    """Stops/starts only opted-in instances; never managed ones; keep-running never stops."""
    statements = {s["Sid"]: s for s in _policy(with_functions, "ec2-scheduler")}
    allow = statements["StopStartOptedInInstances"]
    assert allow["Condition"] == {
        "StringEqualsIgnoreCase": {"ec2:ResourceTag/schedule:test-hours": "true"}
    }
    denied = {
        key.split("/", 1)[1]
        for s in statements.values()
        if s["Effect"] == "Deny"
        for key in s["Condition"]["Null"]
    }
    assert {
        "aws:autoscaling:groupName",
        "eks:cluster-name",
        "karpenter.sh/nodepool",
        "aws:ec2:fleet-id",
        "aws:elasticmapreduce:job-flow-id",
        "schedule:keep-running",
    } <= denied
    assert statements["NeverStopKeepRunning"]["Action"] == ["ec2:StopInstances"]


def test_no_wildcard_actions(with_functions: Registered) -> None:
    """No statement of any ops role names a wildcard action."""
    for policy in with_functions.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in json_input(policy, "policy")["Statement"]:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            assert not [a for a in actions if "*" in a], (policy.name, statement.get("Sid"))


def test_dry_run_when_asked_or_not_told() -> None:
    """Dev asks for dry run (settings.ops_dry_run); omitting dry_run also means dry run."""
    asked = record(_builder(**_function_overrides(dry_run=True), environment="dev"))
    overrides = _function_overrides()
    del overrides["dry_run"]
    default = record(_builder(**overrides))
    for registered in (asked, default):
        for suffix in ("ebs-reaper", "ec2-scheduler", "scratch-cleanup"):
            assert _env(registered, suffix)["DRY_RUN"] == "true"


def test_no_start_schedule_without_start_time() -> None:
    """An empty testing_hours_start stops instances but never starts them."""
    registered = record(
        _builder(
            **_function_overrides(
                test_instance_scheduler={"testing_hours_end": "19:00", "testing_hours_start": ""}
            )
        )
    )
    names = set(_schedules(registered))
    assert "gen-test-test-instances-stop" in names
    assert "gen-test-test-instances-start" not in names
    assert "gen-test-scratch-resume" in names


def test_functions_need_topic_and_key() -> None:
    """Asking for a function without the shared settings is refused with a clear error."""
    overrides = _function_overrides()
    del overrides["log_key_arn"]
    with pytest.raises(ValueError, match="needs log_key_arn"):
        record(_builder(**overrides))
