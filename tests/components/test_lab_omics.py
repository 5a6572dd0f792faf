"""HealthOmics: stores encrypted with the platform key, run limits, run role scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from components.lab.omics import LabOmics, LabOmicsArgs
from tests.support.harness import Registered, json_input, record

KEY = "arn:aws:kms:ap-south-1:111122223333:key/abc"
ARGS: LabOmicsArgs = {
    "kms_key_arn": KEY,
    "lake_bucket_name": "gen-raw",
    "input_bucket_arns": ["arn:aws:s3:::gen-raw", "arn:aws:s3:::gen-ref"],
    "output_bucket_arn": "arn:aws:s3:::gen-processed",
    "ready2run_workflow_ids": ["9500764"],
    "workflow_definition_uri": "s3://gen-ref/workflows/alignment.zip",
}


def _run(factory: Callable[[], object]) -> Registered:
    """Record what `factory` registers (record() wants a builder that returns None)."""

    def build() -> None:
        factory()

    return record(build)


@pytest.fixture(scope="module")
def registered() -> Registered:
    """Stores, private workflow, run group and run role."""
    return _run(lambda: LabOmics("lab-omics", ARGS))


def _statements(registered: Registered) -> dict[str, dict[str, Any]]:
    policy = json_input(registered.one("aws:iam/rolePolicy:RolePolicy"), "policy")
    return {s["Sid"]: s for s in policy["Statement"]}


@pytest.mark.parametrize(
    "store", ["aws-native:omics:SequenceStore", "aws-native:omics:ReferenceStore"]
)
def test_stores_use_sse_kms_with_the_platform_key(registered: Registered, store: str) -> None:
    """Both stores encrypt with the customer-managed key."""
    assert registered.one(store).inputs["sseConfig"] == {"type": "KMS", "keyArn": KEY}


def test_sequence_store_falls_back_to_the_lake(registered: Registered) -> None:
    """Failed direct uploads land in the lake bucket's omics prefix."""
    store = registered.one("aws-native:omics:SequenceStore").inputs
    assert store["fallbackLocation"] == "s3://gen-raw/omics/fallback/"


def test_private_workflow_comes_from_the_zip(registered: Registered) -> None:
    """The workflow is defined by the S3 zip with dynamic storage."""
    workflow = registered.one("aws-native:omics:Workflow").inputs
    assert workflow["definitionUri"] == ARGS["workflow_definition_uri"]
    assert workflow["storageType"] == "DYNAMIC"


def test_run_group_caps_cpus_runs_and_duration(registered: Registered) -> None:
    """The run group has all three limits."""
    group = registered.one("aws-native:omics:RunGroup").inputs
    assert (group["maxCpus"], group["maxRuns"], group["maxDuration"]) == (1024, 20, 2880)


def test_run_role_trusts_omics_for_this_account(registered: Registered) -> None:
    """Only omics.amazonaws.com on behalf of this account may assume the run role."""
    trust = json_input(registered.one("aws:iam/role:Role"), "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "omics.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "111122223333"}


def test_run_role_starts_only_listed_ready2run_workflows(registered: Registered) -> None:
    """StartRun names the Ready2Run ARN (no account) and the private workflow, no wildcard."""
    resources = _statements(registered)["StartListedWorkflows"]["Resource"]
    assert "arn:aws:omics:ap-south-1::workflow/9500764" in resources
    assert any(r.startswith("arn:aws:omics:ap-south-1:111122223333:workflow/") for r in resources)
    assert "*" not in resources


def test_run_role_writes_only_the_output_prefix(registered: Registered) -> None:
    """Outputs go under the processed bucket's omics prefix."""
    assert _statements(registered)["WriteOutputs"]["Resource"] == [
        "arn:aws:s3:::gen-processed/omics/*"
    ]


def test_bad_ready2run_id_is_refused() -> None:
    """A workflow name instead of an id names the input and shows an example."""
    with pytest.raises(ValueError, match=r"ready2run_workflow_ids.*e\.g\. 9500764"):
        _run(lambda: LabOmics("o", {**ARGS, "ready2run_workflow_ids": ["GATK-BP"]}))
