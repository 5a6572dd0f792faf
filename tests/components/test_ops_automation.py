"""OpsAutomation under the platform mocks: EBS backup plan, vaults, selection, alerts, lock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from components.ops_automation import (
    BACKUP_RESOURCE_PATTERN,
    OpsAutomation,
    OpsAutomationArgs,
    backup_schedule,
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
    keys = registered.of_type("aws:kms/key:Key")
    assert len(keys) == 2
    assert all(key.inputs["enableKeyRotation"] is True for key in keys)
    vaults = _vaults(registered)
    assert vaults["gen-test-ebs"].inputs["kmsKeyArn"].startswith("arn:aws:kms:ap-south-1:")
    assert vaults["gen-test-ebs-dr"].inputs["kmsKeyArn"].startswith("arn:aws:kms:ap-south-2:")


def test_selection_by_tag_limited_to_ebs_volumes(registered: Registered) -> None:
    """Only EBS volumes tagged backup=daily are selected, with the backup role."""
    selection = registered.one("aws:backup/selection:Selection")
    assert selection.inputs["resources"] == [BACKUP_RESOURCE_PATTERN]
    assert selection.inputs["selectionTags"] == [
        {"type": "STRINGEQUALS", "key": "backup", "value": "daily"}
    ]
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
    assert attached == {
        "AWSBackupServiceRolePolicyForBackup",
        "AWSBackupServiceRolePolicyForRestores",
    }


def test_failed_backup_and_copy_jobs_notify_alerts(registered: Registered) -> None:
    """The primary vault sends job completions (failures included) and failed copies."""
    notifications = registered.one("aws:backup/vaultNotifications:VaultNotifications")
    assert notifications.inputs["snsTopicArn"] == ALERTS
    assert notifications.inputs["backupVaultName"] == "gen-test-ebs"
    events = set(notifications.inputs["backupVaultEvents"])
    assert {"BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"} <= events
    assert "BACKUP_JOB_FAILED" not in events  # deprecated: AWS Backup never sends it


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
