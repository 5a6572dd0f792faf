"""Resilience rules, through the real pack process (bucket rules: test_s3_bucket_rules)."""

from __future__ import annotations

import pytest

from tests.policies.rule_cases import (
    Case,
    four_way_tests,
    hits,
    stack_variant,
    stack_variant_tests,
    variant,
    variant_tests,
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


PITR, PLAN_RETENTION, PLAN_COPY, DESTRUCTIVE_FN = (
    "dynamodb-table-pitr-enabled@dynamodb/table",
    f"{RETENTION}@backup/plan",
    f"{COPY}@backup/plan",
    f"{DESTRUCTIVE}@lambda/function",
)

VARIANTS = [
    variant(
        PLAN_RETENTION,
        "string-vs-list",
        {"rules": [_rule(), _rule(delete_after=None)]},
        "keeps recovery points forever",
    ),
    variant(PLAN_RETENTION, "string-vs-list", {"rules": _rule()}, None),
    variant(
        PLAN_RETENTION,
        "case-and-type",
        {"rules": [{**_rule(), "lifecycle": {"deleteAfter": "35"}}]},
        None,
    ),
    variant(
        PLAN_COPY,
        "equivalent-value",
        {"rules": [_rule(copy_to="arn:aws:backup:ap-south-1:111122223333:backup-vault:dr")]},
        "copies no recovery point to a vault outside ap-south-1",
    ),
    variant(
        PLAN_COPY,
        "string-vs-list",
        {"rules": [_rule(), _rule(copy_to=None)]},
        "copies no recovery point",
    ),
    variant(PITR, "case-and-type", {"pointInTimeRecovery": {"enabled": "false"}}, "off"),
    variant(PITR, "case-and-type", {"pointInTimeRecovery": {"enabled": "true"}}, None),
    variant(
        PITR,
        "json-vs-object",
        {"pointInTimeRecovery": '{"enabled": false}'},
        "point-in-time recovery off",
    ),
    variant(DESTRUCTIVE_FN, "case-and-type", {"reservedConcurrentExecutions": "1"}, None),
    variant(
        DESTRUCTIVE_FN,
        "equivalent-value",
        {"reservedConcurrentExecutions": -1},
        "reservedConcurrentExecutions is -1, not 1",
    ),
]

test_adversarial_variant = variant_tests(CASES, VARIANTS)


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


STACK_VARIANTS = [
    stack_variant(
        EFS_BACKUP,
        "json-vs-object",
        [
            *_efs(None),
            FakeResource(
                "aws:efs/backupPolicy:BackupPolicy",
                "refs-backup",
                {"fileSystemId": "fs-1", "backupPolicy": '{"status": "ENABLED"}'},
                depends_on={"fileSystemId": ["refs"]},
            ),
        ],
        "refs",
        None,
    ),
    stack_variant(EFS_BACKUP, "case-and-type", _efs("disabled"), "refs", "(disabled)"),
]

test_adversarial_stack_variant = stack_variant_tests(STACK_VARIANTS)


# ---- write-once data keeps its Object Lock ----

LOCK_RULE = "s3-bucket-object-lock-worm"
BUCKET = "aws:s3/bucket:Bucket"
LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
RAW_BUCKET = "gen-prod-raw-sequence-ap-south-1"


def _locked(
    *, enabled: object = True, retention: object = None, lock: bool = True, name: str = RAW_BUCKET
) -> list[FakeResource]:
    """A raw-sequence bucket created with Object Lock and its default COMPLIANCE retention."""
    default = {"mode": "COMPLIANCE", "days": 365} if retention is None else retention
    fakes = [FakeResource(BUCKET, "raw", {"bucket": name, "objectLockEnabled": enabled})]
    if lock:
        fakes.append(
            FakeResource(
                LOCK,
                "raw-object-lock",
                {
                    "bucket": name,
                    "objectLockEnabled": "Enabled",
                    "rule": {"defaultRetention": default},
                },
                depends_on={"bucket": ["raw"]},
            )
        )
    return fakes


def test_locked_raw_bucket_passes(pack: PackClient) -> None:
    """A raw-sequence bucket with Object Lock and a COMPLIANCE default retention is compliant."""
    assert hits(pack.analyze_stack(_locked()), LOCK_RULE) == []


@pytest.mark.parametrize(
    ("fakes", "fragment"),
    [
        pytest.param(_locked(enabled=False), "objectLockEnabled is off", id="lock-off"),
        pytest.param(_locked(enabled=None), "objectLockEnabled is off", id="lock-unset"),
        pytest.param(_locked(lock=False), "has no Object Lock configuration", id="no-config"),
        pytest.param(
            _locked(retention={"mode": "GOVERNANCE", "days": 365}),
            "retains in mode GOVERNANCE, not COMPLIANCE",
            id="governance",
        ),
        pytest.param(
            _locked(retention={"mode": "COMPLIANCE", "days": 0}),
            "retains for no days or years",
            id="zero-days",
        ),
        pytest.param(_locked(retention={}), "has no default retention", id="no-retention"),
    ],
)
def test_unlocked_raw_bucket_is_reported(
    pack: PackClient, fakes: list[FakeResource], fragment: str
) -> None:
    """Object Lock off, missing, bypassable or zero-length is reported on the bucket."""
    found = hits(pack.analyze_stack(fakes), LOCK_RULE)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "raw")]
    assert fragment in found[0][2]


def _in_dev(fakes: list[FakeResource]) -> list[FakeResource]:
    """The same stack with the bucket tagged for the dev environment."""
    return [
        FakeResource(f.type, f.name, {**f.props, "tags": {"environment": "dev"}}, f.depends_on)
        if f.type == BUCKET
        else f
        for f in fakes
    ]


LOCK_VARIANTS = [
    stack_variant(
        LOCK_RULE,
        "equivalent-value",
        _in_dev(_locked(retention={"mode": "GOVERNANCE", "days": 30})),
        "raw",
        None,
    ),
    stack_variant(
        LOCK_RULE,
        "equivalent-value",
        _in_dev(_locked(lock=False)),
        "raw",
        "has no Object Lock configuration",
    ),
    stack_variant(LOCK_RULE, "case-and-type", _locked(enabled="true"), "raw", None),
    stack_variant(
        LOCK_RULE, "case-and-type", _locked(enabled="false"), "raw", "objectLockEnabled is off"
    ),
    stack_variant(
        LOCK_RULE,
        "equivalent-value",
        _locked(retention={"mode": "COMPLIANCE", "years": 1}),
        "raw",
        None,
    ),
    stack_variant(
        LOCK_RULE,
        "case-and-type",
        _locked(retention={"mode": "compliance", "days": 365}),
        "raw",
        "retains in mode compliance",
    ),
    stack_variant(
        LOCK_RULE,
        "equivalent-value",
        _locked(enabled=False, name="gen-prod-processed-genome-ap-south-1"),
        "raw",
        None,
    ),
    stack_variant(
        LOCK_RULE,
        "equivalent-value",
        _locked(enabled=False, name="gen-prod-raw-sequence-ap-south-2"),
        "raw",
        "objectLockEnabled is off",
    ),
]

test_adversarial_lock_variant = stack_variant_tests(LOCK_VARIANTS)


def test_unknown_lock_retention_is_never_mandatory(pack: PackClient) -> None:
    """A retention known only after update makes the rule wait."""
    found = hits(pack.analyze_stack(_locked(retention=UNKNOWN)), LOCK_RULE)
    assert found
    assert all(e == "advisory" and "during preview" in m for e, _, m in found)


def test_object_lock_rule_ignores_unrelated_types(pack: PackClient) -> None:
    """A stack without buckets is quiet."""
    fakes = [FakeResource("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"})]
    assert hits(pack.analyze_stack(fakes), LOCK_RULE) == []
