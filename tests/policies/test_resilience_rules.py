"""Resilience rules, through the real pack process (bucket rules: test_s3_bucket_rules)."""

from __future__ import annotations

import pytest

from tests.policies.rule_cases import (
    Case,
    four_way_tests,
    hits,
)
from tests.support.pack import UNKNOWN, FakeResource, PackClient

pytestmark = pytest.mark.policy

PLAN = "aws:backup/plan:Plan"
FUNCTION = "aws:lambda/function:Function"
DR_VAULT = "arn:aws:backup:ap-south-2:111122223333:backup-vault:genomics-dr"
HOME_VAULT = "arn:aws:backup:ap-south-1:111122223333:backup-vault:genomics"
RETENTION = "backup-plan-retention-bounded"
COPY = "backup-plan-cross-region-copy"
DESTRUCTIVE = "lambda-destructive-function-single-concurrency"


def _rule(delete_after: int | None = 35, copy_to: str | None = DR_VAULT) -> dict[str, object]:
    rule: dict[str, object] = {
        "ruleName": "daily",
        "targetVaultName": "genomics",
        "schedule": "cron(0 3 * * ? *)",
    }
    if delete_after is not None:
        rule["lifecycle"] = {"deleteAfter": delete_after}
    if copy_to is not None:
        rule["copyActions"] = [{"destinationVaultArn": copy_to, "lifecycle": {"deleteAfter": 35}}]
    return rule


_CASES = [
    Case(RETENTION, PLAN, {"name": "genomics", "rules": [_rule()]}, unknown="rules"),
    Case(COPY, PLAN, {"name": "genomics", "rules": [_rule()]}, unknown="rules"),
    Case(
        "dynamodb-table-pitr-enabled",
        "aws:dynamodb/table:Table",
        {"pointInTimeRecovery": {"enabled": True}},
        unknown="pointInTimeRecovery",
    ),
    Case(
        DESTRUCTIVE,
        FUNCTION,
        {"name": "staging-reaper", "runtime": "python3.12", "reservedConcurrentExecutions": 1},
        unknown="reservedConcurrentExecutions",
    ),
]
CASES = {case.id: case for case in _CASES}

MUTATIONS = [
    pytest.param(
        f"{RETENTION}@backup/plan",
        {"rules": [_rule(delete_after=None)]},
        "rule daily keeps recovery points forever",
        id="retention-unset",
    ),
    pytest.param(
        f"{RETENTION}@backup/plan",
        {"rules": [_rule(delete_after=0)]},
        "deleteAfter 0 days, outside 1..3653",
        id="retention-zero",
    ),
    pytest.param(
        f"{RETENTION}@backup/plan",
        {"rules": [_rule(delete_after=5000)]},
        "deleteAfter 5000 days, outside 1..3653",
        id="retention-too-long",
    ),
    pytest.param(
        f"{COPY}@backup/plan",
        {"rules": [_rule(copy_to=None)]},
        "rule daily copies no recovery point to a vault outside ap-south-1",
        id="copy-missing",
    ),
    pytest.param(
        f"{COPY}@backup/plan",
        {"rules": [_rule(copy_to=HOME_VAULT)]},
        "copies no recovery point to a vault outside ap-south-1",
        id="copy-same-region",
    ),
    pytest.param(
        "dynamodb-table-pitr-enabled@dynamodb/table",
        {"pointInTimeRecovery": None},
        "point-in-time recovery off",
        id="pitr-unset",
    ),
    pytest.param(
        "dynamodb-table-pitr-enabled@dynamodb/table",
        {"pointInTimeRecovery": {"enabled": False}},
        "point-in-time recovery off",
        id="pitr-false",
    ),
    pytest.param(
        f"{DESTRUCTIVE}@lambda/function",
        {"reservedConcurrentExecutions": None},
        "reservedConcurrentExecutions is unset, not 1",
        id="destructive-unreserved",
    ),
    pytest.param(
        f"{DESTRUCTIVE}@lambda/function",
        {"reservedConcurrentExecutions": 10},
        "reservedConcurrentExecutions is 10, not 1",
        id="destructive-ten",
    ),
]


(
    test_compliant_baseline_passes,
    test_mutation_is_reported,
    test_unknown_input_is_never_mandatory,
    test_unrelated_type_is_ignored,
) = four_way_tests(CASES, MUTATIONS)


def test_unknown_copy_vault_is_never_mandatory(pack: PackClient) -> None:
    """A DR vault ARN known only after update makes the copy rule wait."""
    plan = FakeResource(PLAN, "genomics", {"rules": [_rule(copy_to=UNKNOWN)]})
    found = hits(pack.analyze(plan), COPY)
    assert found
    assert all(e == "advisory" for e, _, _ in found)


def test_retention_ceiling_is_configurable(pack: PackClient) -> None:
    """maxDeleteAfterDays lowers the longest allowed retention."""
    pack.configure({RETENTION: {"maxDeleteAfterDays": 30}})
    found = hits(pack.analyze(FakeResource(PLAN, "genomics", {"rules": [_rule()]})), RETENTION)
    assert ["outside 1..30" in m for _, _, m in found] == [True]


@pytest.mark.parametrize(
    ("name", "props"),
    [
        pytest.param("tmp-cleanup", {}, id="name-pattern"),
        pytest.param("sweeper", {"tags": {"destructive": "true"}}, id="tag"),
    ],
)
def test_destructive_functions_are_found_by_name_or_tag(
    pack: PackClient, name: str, props: dict[str, object]
) -> None:
    """Name patterns and the `destructive` tag both mark a function destructive."""
    function = FakeResource(FUNCTION, name, {"runtime": "python3.12", **props})
    assert [e for e, _, _ in hits(pack.analyze(function), DESTRUCTIVE)] == ["mandatory"]


def test_ordinary_functions_need_no_reservation(pack: PackClient) -> None:
    """A function that deletes nothing may scale freely."""
    function = FakeResource(FUNCTION, "object-tagger", {"runtime": "python3.12"})
    assert hits(pack.analyze(function), DESTRUCTIVE) == []


# ---- EFS backups (stack) ----

EFS_BACKUP = "efs-file-system-backup-enabled"


def _efs(status: str | None = "ENABLED") -> list[FakeResource]:
    fakes = [FakeResource("aws:efs/fileSystem:FileSystem", "refs", {"encrypted": True})]
    if status is not None:
        fakes.append(
            FakeResource(
                "aws:efs/backupPolicy:BackupPolicy",
                "refs-backup",
                {"fileSystemId": "fs-1", "backupPolicy": {"status": status}},
                depends_on={"fileSystemId": ["refs"]},
            )
        )
    return fakes


def test_backed_up_file_system_passes(pack: PackClient) -> None:
    """A file system with an ENABLED backup policy is compliant."""
    assert hits(pack.analyze_stack(_efs()), EFS_BACKUP) == []


@pytest.mark.parametrize(
    ("status", "fragment"),
    [
        pytest.param(None, "(no backup policy)", id="missing"),
        pytest.param("DISABLED", "(DISABLED)", id="disabled"),
    ],
)
def test_file_system_without_backups_is_reported(
    pack: PackClient, status: str | None, fragment: str
) -> None:
    """No backup policy, or a disabled one, is reported on the file system."""
    found = hits(pack.analyze_stack(_efs(status)), EFS_BACKUP)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "refs")]
    assert fragment in found[0][2]


def test_unknown_backup_policy_is_never_mandatory(pack: PackClient) -> None:
    """A backup policy whose status is unknown waits for the update."""
    found = hits(pack.analyze_stack(_efs(UNKNOWN)), EFS_BACKUP)
    assert found
    assert all(e == "advisory" for e, _, _ in found)


def test_efs_backup_ignores_unrelated_types(pack: PackClient) -> None:
    """A stack without file systems is quiet."""
    fakes = [FakeResource("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"})]
    assert hits(pack.analyze_stack(fakes), EFS_BACKUP) == []
