"""The wiring and create-order rules name every known defect of the prod stack as recorded.

`tests/fixtures/recorded/prod-f219ab7.json.gz` is the prod preview record of commit f219ab7,
before the data-path and lab fixes: its bucket policies exempt a tagger role that does not
exist, five create orders race on a first `pulumi up`, no event target or schedule has a
dead-letter queue and the sync state machine's logs could never be delivered. Replaying it
through today's pack is the proof that these rules would have stopped that stack at preview.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.recording import replay_recorded
from tools.preview.report import PreviewResult

pytestmark = pytest.mark.policy

DATA_CATEGORIES = (
    "raw-sequence",
    "processed-genome",
    "reference",
    "variant-call",
    "analysis-reports",
)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> PreviewResult:
    """The frozen prod record, replayed once through the real pack."""
    return replay_recorded("prod-f219ab7", Path(tmp_path_factory.mktemp("recorded")))


def _mandatory(result: PreviewResult, policy: str) -> dict[str, str]:
    """Resource name → message of `policy`'s mandatory violations."""
    return {v.urn.rsplit("::", 1)[-1]: v.message for v in result.mandatory if v.policy == policy}


def test_bucket_policies_naming_a_missing_tagger_role_are_caught(recorded: PreviewResult) -> None:
    """Every data bucket and its DR copy exempt `role/gen-prod-object-tagger`: no role has it."""
    found = _mandatory(recorded, "iam-policy-principals-exist")
    expected = {
        f"gen-prod-data-lake-{category}{suffix}-policy"
        for category in DATA_CATEGORIES
        for suffix in ("", "-dr")
    }
    assert set(found) == expected
    for message in found.values():
        assert "role arn:aws:iam::111122223333:role/gen-prod-object-tagger in Condition" in message
        assert "aws:PrincipalArn" in message
        assert "(nearest: gen-prod-object-tagger-role)" in message


def test_efs_consumers_racing_the_mount_targets_are_caught(recorded: PreviewResult) -> None:
    """The DataSync EFS location and the scratch clean-up Lambda do not wait for mount targets."""
    assert set(_mandatory(recorded, "datasync-efs-location-after-mount-targets")) == {
        "gen-prod-transfer-efs-location"
    }
    lambdas = _mandatory(recorded, "lambda-efs-after-mount-targets")
    assert set(lambdas) == {"gen-prod-ops-scratch-cleanup-function"}
    assert "gen-prod-efs-mount-ap-south-1a" in lambdas["gen-prod-ops-scratch-cleanup-function"]


def test_storage_objects_racing_the_csi_add_on_are_caught(recorded: PreviewResult) -> None:
    """Both EFS StorageClasses and every workspace PVC do not wait for aws-efs-csi-driver."""
    found = _mandatory(recorded, "kubernetes-storage-after-csi-addon")
    assert set(found) == {
        "gen-prod-efs-efs-projects",
        "gen-prod-efs-efs-scratch",
        "gen-prod-workspaces-tb-genomics-pvc",
        "gen-prod-workspaces-rare-disease-pvc",
        "gen-prod-workspaces-cancer-cohort-pvc",
    }
    assert all("gen-prod-eks-aws-efs-csi-driver" in message for message in found.values())


def test_integration_responses_racing_their_method_responses_are_caught(
    recorded: PreviewResult,
) -> None:
    """All 12 lab API `*-mapping` integration responses do not wait for their method responses."""
    found = _mandatory(recorded, "apigateway-integration-response-after-method-response")
    assert len(found) == 12
    assert all(name.endswith("-mapping") for name in found)
    assert "gen-prod-lab-api-get-dataset-404" not in " ".join(found.values())


def test_container_insights_racing_the_node_groups_is_caught(recorded: PreviewResult) -> None:
    """The CloudWatch observability add-on runs pods yet does not wait for either node group."""
    found = _mandatory(recorded, "eks-addon-after-node-groups")
    assert set(found) == {"gen-prod-observability-addon"}
    assert "gen-prod-eks-alignment, gen-prod-eks-general" in found["gen-prod-observability-addon"]


def test_file_system_policy_racing_the_roles_it_names_is_caught(recorded: PreviewResult) -> None:
    """The EFS policy names the DataSync and scratch clean-up roles by precomputed ARN."""
    found = [
        v.message for v in recorded.mandatory if v.policy == "iam-policy-after-named-principal"
    ]
    assert len(found) == 2
    assert any(
        "role/gen-prod-datasync-efs" in m and "gen-prod-transfer-efs-role" in m for m in found
    )
    assert any("role/gen-prod-scratch-cleanup-role" in m for m in found)


def test_nothing_else_is_flagged(recorded: PreviewResult) -> None:
    """The record fails on these defects only: the rules raise no false alarms on real wiring."""
    policies = {v.policy for v in recorded.mandatory}
    assert policies == {
        "iam-policy-principals-exist",
        "datasync-efs-location-after-mount-targets",
        "lambda-efs-after-mount-targets",
        "kubernetes-storage-after-csi-addon",
        "apigateway-integration-response-after-method-response",
        "eks-addon-after-node-groups",
        "iam-policy-after-named-principal",
        # The record's lost events and undelivered logs, named by their own tests below.
        "eventbridge-dead-letter-queue",
        "sfn-log-delivery-key-grants",
        # The record creates three HealthOmics resources in ap-south-1, where AWS offers none.
        "aws-service-offered-in-region",
    }
    assert len(recorded.mandatory) == 32 + 16 + 2 + 3


def _flagged(recorded: PreviewResult, policy: str) -> list[tuple[str, str]]:
    return sorted(
        (v.urn.rsplit("::", 1)[-1], v.message.splitlines()[-1])
        for v in recorded.mandatory
        if v.policy == policy
    )


def test_lost_events_are_caught(recorded: PreviewResult) -> None:
    """Every event target and schedule of the record drops what it cannot deliver, and its
    encrypted lab bus has no DLQ: 3 targets (no DLQ, no retry policy), 9 schedules, 1 bus."""
    found = _flagged(recorded, "eventbridge-dead-letter-queue")
    assert len(found) == 16
    targets = {n for n, m in found if m.endswith("sets no retryPolicy")}
    assert targets == {
        "gen-prod-transfer-finished-notify",
        "gen-prod-transfer-lab-dataset-tag",
        "gen-prod-transfer-succeeded-tag",
    }
    schedules = {n for n, m in found if "target.deadLetterConfig" in m}
    assert len(schedules) == 9
    assert (
        "gen-prod-lab-sync-bus",
        "event bus gen-prod-lab-sync-bus is encrypted with a KMS key but names no deadLetterConfig",
    ) in found


def test_undelivered_state_machine_logs_are_caught(recorded: PreviewResult) -> None:
    """The record's sync state machine logs under the lake key: neither the key policy nor
    the role has the grants log delivery needs."""
    found = _flagged(recorded, "sfn-log-delivery-key-grants")
    assert {n for n, _ in found} == {"gen-prod-lab-sync-state-machine"}
    assert any("gen-prod-data-lake-key, whose policy does not let" in m for _, m in found)
    assert any("role gen-prod-lab-sync-role may not kms:GenerateDataKey" in m for _, m in found)
