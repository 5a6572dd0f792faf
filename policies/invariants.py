"""The platform's promises, each with what enforces it at preview and the test that proves it.

Every promise the docs (README, docs/*.md) and settings make is a row. A row names the pack's
rules that stop a change breaking it at `pulumi preview` and the adversarial tests that prove
those rules; or, where a preview cannot see the promise (it is about what code does at run
time, or about data rather than configuration), says why and names the tests that cover it
instead. `tests/policies/test_invariants.py` checks that every named rule is in the pack and
every named test exists; `make docs` renders the table into docs/invariants.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["INVARIANTS", "Invariant"]

_BREADTH: Final = "tests/policies/test_breadth_rules.py"
_MUTATED: Final = "tests/policies/test_rendered_stack_mutations.py::test_reviewed_change_is_caught"
_MATRIX: Final = "tests/tools/test_access_matrix.py::test_every_cell_is_decided_as_intended"


@dataclass(frozen=True, slots=True)
class Invariant:
    """One promise, where it is made, and how it is held."""

    promise: str
    source: str
    rules: tuple[str, ...]
    tests: tuple[str, ...]
    """`path::test_name` of tests proving the rules (or covering the promise instead)."""
    preview_blind: str = ""
    """Why a preview cannot see the promise (then `tests` cover it instead of rules)."""


INVARIANTS: Final = (
    Invariant(
        "Raw sequence data is never deleted or expired (WORM, COMPLIANCE mode in production).",
        "README.md; docs/data-lake.md",
        ("s3-bucket-object-lock-worm", "s3-lifecycle-never-expires-worm-data"),
        (
            _MUTATED,
            "tests/policies/test_rendered_stack_mutations.py::"
            "test_object_lock_configuration_removed_is_caught",
            f"{_BREADTH}::test_mutation_is_reported",
        ),
    ),
    Invariant(
        "Every bucket is versioned, so an overwrite keeps the previous version.",
        "docs/data-lake.md",
        ("s3-bucket-versioning-enabled",),
        ("tests/policies/test_s3_bucket_rules.py::test_adversarial_stack_variant",),
    ),
    Invariant(
        "Every object replicates to the DR region, encrypted or not.",
        "docs/data-lake.md",
        ("s3-bucket-cross-region-replication", "s3-bucket-replication-every-object"),
        (_MUTATED, f"{_BREADTH}::test_adversarial_variant"),
    ),
    Invariant(
        "Copies of data stay in India: resources, providers, backup copies.",
        "README.md; docs/architecture.md; settings allowedRegions",
        ("aws-resource-allowed-region", "backup-plan-copy-stays-in-allowed-regions"),
        (
            "tests/policies/test_residency_rules.py::test_resource_region_outside_india_is_reported",
            _MUTATED,
        ),
    ),
    Invariant(
        "Only the object tagger writes or deletes object tags.",
        "docs/architecture.md; docs/data-lake.md; docs/transfer.md",
        ("iam-s3-object-tagging-only-tagger", "iam-deny-exemption-names-principals"),
        (_MUTATED, "tests/policies/test_iam_rules.py::test_adversarial_stack_variant"),
    ),
    Invariant(
        "A research role reads only its own project's objects, by the session's project tag; "
        "an untagged object is never readable.",
        "docs/data-lake.md; docs/access.md",
        ("iam-s3-read-requires-object-tag", "iam-s3-read-project-is-principal-tag"),
        (
            "tests/policies/test_rendered_stack_mutations.py::"
            "test_wildcard_object_tag_condition_is_caught",
            _MUTATED,
            _MATRIX,
        ),
    ),
    Invariant(
        "A research role lists only its own project prefix.",
        "docs/access.md",
        ("iam-s3-list-within-own-prefix",),
        (_MUTATED, f"{_BREADTH}::test_adversarial_stack_variant"),
    ),
    Invariant(
        "A research role uploads only tagged objects or into its own prefix, never another's.",
        "docs/access.md; docs/data-lake.md",
        ("iam-s3-upload-requires-request-tag",),
        ("tests/policies/test_iam_rules.py::test_adversarial_stack_variant", _MATRIX),
    ),
    Invariant(
        "People decrypt only with the lake's named keys and only through S3 (kms:ViaService).",
        "docs/data-lake.md",
        ("iam-kms-decrypt-named-keys-via-s3",),
        (_MUTATED, f"{_BREADTH}::test_adversarial_stack_variant"),
    ),
    Invariant(
        "Research roles are assumed only by the own account's principals, with MFA.",
        "docs/data-lake.md",
        ("iam-role-trust-conditions-hold", "iam-role-trust-no-public-principal"),
        (_MUTATED, f"{_BREADTH}::test_adversarial_stack_variant"),
    ),
    Invariant(
        "No policy grants everything, wildcard data actions or Not* elements on the lake.",
        "docs/data-lake.md",
        (
            "iam-policy-no-allow-all-actions",
            "iam-s3-no-wildcard-data-actions",
            "iam-s3-no-not-elements-on-data",
            "iam-resource-policy-no-public-principal",
        ),
        ("tests/policies/test_iam_rules.py::test_adversarial_variant",),
    ),
    Invariant(
        "Data is encrypted in transit: TLS only, TLS 1.2 or later, no plain-HTTP delivery.",
        "README.md; docs/data-lake.md; docs/access.md",
        (
            "s3-bucket-tls-only",
            "s3-bucket-min-tls-version",
            "sns-topic-tls-only",
            "efs-file-system-tls-only",
            "datasync-efs-location-tls",
            "batch-job-definition-efs-transit-encryption",
            "k8s-storage-class-efs-tls",
            "sns-subscription-encrypted-protocol",
        ),
        (
            "tests/policies/test_in_transit_rules.py::test_adversarial_variant",
            f"{_BREADTH}::test_mutation_is_reported",
        ),
    ),
    Invariant(
        "Data is encrypted at rest with the platform's KMS keys (buckets, file system, logs, "
        "queues, topics, backups), keys rotate.",
        "README.md; docs/data-lake.md",
        (
            "s3-bucket-sse-kms",
            "efs-file-system-encrypted-kms",
            "cloudwatch-log-group-kms",
            "sqs-queue-encrypted",
            "sns-topic-kms",
            "backup-vault-kms",
            "ec2-launch-template-ebs-encrypted",
            "kms-key-rotation-enabled",
        ),
        ("tests/policies/test_at_rest_rules.py::test_mutation_is_reported",),
    ),
    Invariant(
        "No public access: buckets block it, ACLs are off, no world ingress, the default "
        "security group is closed, every API method needs SigV4.",
        "README.md; docs/data-lake.md; docs/lab-data-mesh.md",
        (
            "s3-bucket-public-access-block",
            "s3-bucket-ownership-enforced",
            "ec2-security-group-no-world-ingress",
            "ec2-default-security-group-closed",
            "apigateway-method-authorization",
            "eks-cluster-endpoint-restricted",
            "ec2-imdsv2-required",
        ),
        (_MUTATED, "tests/policies/test_exposure_rules.py::test_adversarial_variant"),
    ),
    Invariant(
        "Alignment containers run unprivileged with a read-only root.",
        "docs/lab-data-mesh.md",
        ("batch-job-definition-unprivileged",),
        (_MUTATED, f"{_BREADTH}::test_adversarial_variant"),
    ),
    Invariant(
        "A transfer never deletes from the lake what was deleted from a workspace.",
        "docs/transfer.md",
        ("datasync-task-preserves-deleted-files",),
        (_MUTATED, f"{_BREADTH}::test_adversarial_variant"),
    ),
    Invariant(
        "Transfers verify and log every file.",
        "docs/transfer.md",
        ("datasync-task-verification", "datasync-task-logging"),
        ("tests/policies/test_logging_rules.py::test_mutation_is_reported",),
    ),
    Invariant(
        "EBS volumes are backed up daily and copied to the DR region; vaults are locked in "
        "production.",
        "docs/operations.md; settings backupVaultLock",
        ("backup-plan-cross-region-copy", "backup-plan-retention-bounded", "backup-vault-kms"),
        (
            "tests/policies/test_resilience_rules.py::test_mutation_is_reported",
            "tests/components/test_ops_automation.py::test_vault_lock_on_both_vaults_in_prod",
        ),
    ),
    Invariant(
        "Every log group keeps its logs for the configured retention, encrypted.",
        "docs/configuration.md (logRetentionDays)",
        ("cloudwatch-log-group-retention", "cloudwatch-log-group-kms"),
        ("tests/policies/test_logging_rules.py::test_mutation_is_reported",),
    ),
    Invariant(
        "Destructive automation runs one at a time and never retries.",
        "docs/operations.md",
        ("lambda-destructive-function-single-concurrency",),
        (
            "tests/policies/test_resilience_rules.py::test_mutation_is_reported",
            "tests/components/test_ops_automation.py::test_functions_single_concurrency_no_retries",
        ),
    ),
    Invariant(
        "Destructive automation never touches what it must not (kept, attached or Kubernetes "
        "volumes; keep-running instances; symlinks and special files).",
        "docs/operations.md",
        (),
        (
            "tests/functions/ebs_reaper/test_handler.py::"
            "test_observe_schedule_never_deletes_and_reports_what_is_due",
            "tests/functions/ec2_scheduler/test_core.py::"
            "test_keep_running_tag_is_honoured_on_stop_whatever_its_value",
            "tests/functions/efs_cleanup/test_walk.py::test_special_files_are_never_deleted",
        ),
        preview_blind=(
            "what a function deletes is decided by its code at run time, over volumes and files "
            "that exist only then; the handlers' own tests exercise each exclusion"
        ),
    ),
    Invariant(
        "Schedules run in India time.",
        "docs/operations.md; settings timeZone",
        (),
        ("tests/components/test_ops_automation.py::test_schedules_in_india_time",),
        preview_blind=(
            "a schedule's time zone is no security property; the component test reads every "
            "schedule's expression time zone"
        ),
    ),
)
"""Every promise, in the order the docs make them."""
