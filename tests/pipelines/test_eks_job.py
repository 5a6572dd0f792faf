"""The EKS Job runs the workflow's calls on the alignment nodes, in the project's workspace."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from pipelines.definition import alignment_workflow
from pipelines.eks_job import AlignmentRun, alignment_job, main, placement, stack_settings
from pipelines.runner import call_scripts
from tests.support.harness import Registered

REGISTRY = "111122223333.dkr.ecr.ap-south-1.amazonaws.com"
RUN = AlignmentRun(
    project="tb-genomics",
    sample="S1",
    read1="raw/rs_S1_R1.fastq.gz",
    read2="raw/rs_S1_R2.fastq.gz",
    reference="reference/rg_h37rv.fa",
)


@pytest.fixture(scope="module")
def job() -> dict[str, Any]:
    """The Job of one BWA run for prod's alignment node group."""
    return alignment_job(RUN, placement(stack_settings("prod"), "alignment"), REGISTRY)


def _pod(job: dict[str, Any]) -> dict[str, Any]:
    pod: dict[str, Any] = job["spec"]["template"]["spec"]
    return pod


def test_job_lands_on_the_alignment_node_group_of_the_rendered_cluster(
    job: dict[str, Any], prod_stack: Registered
) -> None:
    """Its node selector is the group's labels and it tolerates the group's taint."""
    group = prod_stack.named("gen-prod-eks-alignment").inputs
    pod = _pod(job)
    assert pod["nodeSelector"] == group["labels"] == {"workload": "alignment"}
    (taint,) = group["taints"]
    assert taint["effect"] == "NO_SCHEDULE"
    assert pod["tolerations"] == [
        {"key": taint["key"], "operator": "Equal", "value": taint["value"], "effect": "NoSchedule"}
    ]


def test_job_mounts_the_workspace_pvc_of_its_namespace(
    job: dict[str, Any], prod_stack: Registered
) -> None:
    """The claim and service account it names exist in the project's namespace."""
    namespace = job["metadata"]["namespace"]
    claims = {
        (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"])
        for r in prod_stack.of_type("kubernetes:core/v1:PersistentVolumeClaim")
    }
    accounts = {
        (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"])
        for r in prod_stack.of_type("kubernetes:core/v1:ServiceAccount")
    }
    pod = _pod(job)
    (claim,) = [
        v["persistentVolumeClaim"]["claimName"]
        for v in pod["volumes"]
        if "persistentVolumeClaim" in v
    ]
    assert (namespace, claim) in claims
    assert (namespace, pod["serviceAccountName"]) in accounts


def test_containers_run_the_calls_in_order_with_their_pinned_images(job: dict[str, Any]) -> None:
    """QC and BWA as init containers, sort/index (which publishes) as the main container."""
    pod = _pod(job)
    containers = pod["initContainers"] + pod["containers"]
    scripts = call_scripts("bwa")
    assert [c["name"] for c in pod["initContainers"]] == ["qc-reads", "align-bwa"]
    assert [c["command"] for c in containers] == [s.command for s in scripts]
    images = alignment_workflow().images()
    for container, script in zip(containers, scripts, strict=True):
        upstream = images[script.image_input]
        assert container["image"] == f"{REGISTRY}/quay/{upstream.partition('/')[2]}"


def test_inputs_are_paths_in_the_workspace(job: dict[str, Any]) -> None:
    """Reads and outputs are under the PVC's mount; intermediate files under scratch."""
    env = {e["name"]: e["value"] for e in _pod(job)["containers"][0]["env"]}
    assert env["read1"] == "/workspace/raw/rs_S1_R1.fastq.gz"
    assert env["out_dir"] == "/workspace/processed"
    assert env["run_dir"] == "/workspace/scratch/align-S1-bwa"


@pytest.mark.parametrize("path", ["/etc/passwd", "../other-project/raw/x.fq", ""])
def test_paths_outside_the_workspace_are_refused(path: str) -> None:
    """An absolute path or one climbing out of the workspace names the input."""
    node = placement(stack_settings("prod"), "alignment")
    bad = dataclasses.replace(RUN, read1=path)
    with pytest.raises(ValueError, match=r"read1 .* must be a path inside the workspace"):
        alignment_job(bad, node, REGISTRY)


def test_unknown_node_group_is_refused() -> None:
    """Dev has no alignment node group; asking for it says which groups exist."""
    with pytest.raises(
        ValueError, match=r"'alignment' is not in this stack's nodeGroups \(general\)"
    ):
        placement(stack_settings("dev"), "alignment")


def test_cli_refuses_a_project_without_a_workspace(capsys: pytest.CaptureFixture[str]) -> None:
    """A project the stack does not have exits 2 with the reason."""
    code = main(
        ["--project", "no-such", "--sample", "S1", "--read1", "a", "--read2", "b",
         "--reference", "c", "--registry", REGISTRY]
    )  # fmt: skip
    assert code == 2
    assert "project 'no-such' has no workspace in stack prod" in capsys.readouterr().err
