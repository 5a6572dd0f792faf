"""LabDataMesh: the parts appear when switched on, stay away when off, and inputs are checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from components.lab.data_mesh import LabDataMesh, LabDataMeshArgs
from tests.support.harness import Registered, record

BASE: LabDataMeshArgs = {
    "kms_key_arn": "arn:aws:kms:ap-south-1:111122223333:key/abc",
    "alerts_topic_arn": "arn:aws:sns:ap-south-1:111122223333:alerts",
    "log_retention_days": 90,
    "lake_buckets": {
        "raw_sequence": "gen-prod-raw-sequence",
        "processed_genome": "gen-prod-processed-genome",
        "reference": "gen-prod-reference",
    },
}
LOG_KEY = "arn:aws:kms:ap-south-1:111122223333:key/logs"
FULL: LabDataMeshArgs = {
    **BASE,
    "log_kms_key_arn": LOG_KEY,
    "research_groups": ["tb-lab"],
    "storage_gateway_activation_key": "ABCDE-12345-FGHIJ-67890-KLMNO",
    "private_subnet_ids": ["subnet-0a1", "subnet-0b2"],
    "security_group_id": "sg-0abc",
    "efs_file_system_id": "fs-0abc",
    "efs_access_point_id": "fsap-0abc",
    "batch_container_image": "111122223333.dkr.ecr.ap-south-1.amazonaws.com/bwa:0.7.17",
    "ready2run_workflow_ids": ["9500764"],
}
OFF: LabDataMeshArgs = {
    **BASE,
    "api_enabled": False,
    "governance_enabled": False,
    "batch_enabled": False,
    "healthomics_enabled": False,
}
PARTS = {
    "genomics:lab:Api",
    "genomics:lab:SyncWorkflow",
    "genomics:lab:MetadataStore",
    "genomics:lab:Governance",
    "genomics:lab:StorageGateway",
    "genomics:lab:Batch",
    "genomics:lab:Omics",
}


def _run(factory: Callable[[], object]) -> Registered:
    """Record what `factory` registers (record() wants a builder that returns None)."""

    def build() -> None:
        factory()

    return record(build)


@pytest.fixture(scope="module")
def full() -> Registered:
    """Everything on, as in prod."""
    return _run(lambda: LabDataMesh("lab", FULL))


def _types(registered: Registered) -> set[str]:
    return {r.type for r in registered.resources}


def test_every_part_is_built_when_on(full: Registered) -> None:
    """All seven parts are children of the mesh."""
    mesh = full.one("genomics:lab:LabDataMesh")
    children = {r.type for r in full.children_of(mesh.urn)}
    assert children == PARTS


def test_children_are_named_after_the_mesh(full: Registered) -> None:
    """Every child's logical name starts with the mesh's name."""
    assert all(r.name.startswith("lab") for r in full.resources)


def test_log_groups_use_the_log_key_and_data_the_platform_key(full: Registered) -> None:
    """Every lab log group is encrypted with the log key; the table with the data key."""
    groups = full.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert len(groups) == 4
    assert {g.inputs["kmsKeyId"] for g in groups} == {LOG_KEY}
    table = full.one("aws:dynamodb/table:Table")
    assert table.inputs["serverSideEncryption"]["kmsKeyArn"] == BASE["kms_key_arn"]


def test_switched_off_parts_are_absent() -> None:
    """With every switch off only the (skipped) gateway part remains."""
    registered = _run(lambda: LabDataMesh("lab", OFF))
    assert _types(registered) == {"genomics:lab:LabDataMesh", "genomics:lab:StorageGateway"}


def test_outputs_of_switched_off_parts_are_none() -> None:
    """A consumer can tell an absent part from a present one."""
    meshes: list[LabDataMesh] = []
    _run(lambda: meshes.append(LabDataMesh("lab", OFF)))
    mesh = meshes[0]
    assert mesh.api_url is None
    assert mesh.batch_job_queue_arn is None
    assert mesh.sequence_store_id is None


@pytest.mark.parametrize("missing", ["security_group_id", "batch_container_image"])
def test_batch_without_its_inputs_is_refused(missing: str) -> None:
    """Batch on without network or image names the missing input and the switch."""
    args: dict[str, Any] = {**FULL}
    del args[missing]
    with pytest.raises(ValueError, match=rf"\['{missing}'\] are required with batch_enabled"):
        _run(lambda: LabDataMesh("lab", args))  # type: ignore[arg-type]
