"""The rendered stacks: prod registers the alignment workflow; dev stays small."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipelines.definition import WDL_PATH, alignment_workflow
from tests.support.harness import Registered, json_input

WORKFLOW = "aws-native:omics:Workflow"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
PIPELINE_TYPES = {
    WORKFLOW,
    "aws:batch/jobDefinition:JobDefinition",
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
    "aws:ecr/registryPolicy:RegistryPolicy",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
}


def _definition_object(stack: Registered) -> dict[str, object]:
    (definition,) = [
        r.inputs for r in stack.of_type(OBJECT) if str(r.inputs["key"]).startswith("workflows/")
    ]
    return definition


def test_prod_registers_the_wdl_from_its_object_in_the_reference_bucket(
    omics_stack: Registered,
) -> None:
    """The workflow's definition URI is the packaged object, in the reference bucket."""
    workflow = omics_stack.one(WORKFLOW).inputs
    definition = _definition_object(omics_stack)
    assert definition["bucket"] == "gen-prod-reference-us-east-1"
    assert workflow["definitionUri"] == f"s3://{definition['bucket']}/{definition['key']}"
    assert (workflow["engine"], workflow["main"]) == ("WDL", "alignment.wdl")
    assert definition["serverSideEncryption"] == "aws:kms"


def test_the_packaged_archive_holds_the_wdl_as_its_main_file(omics_stack: Registered) -> None:
    """The archive's one asset is alignment.wdl, the file miniwdl checks and the tests run."""
    source = _definition_object(omics_stack)["source"]
    assert isinstance(source, dict)
    assets = source["assets"]
    assert list(assets) == [omics_stack.one(WORKFLOW).inputs["main"]]
    assert Path(assets["alignment.wdl"]["path"]) == WDL_PATH


def test_an_edited_wdl_is_a_new_object(omics_stack: Registered) -> None:
    """The key names the WDL's digest, so a changed definition never overwrites a used one."""
    key = str(_definition_object(omics_stack)["key"])
    digest = hashlib.sha256(WDL_PATH.read_bytes()).hexdigest()
    assert key == f"workflows/alignment/{digest[:16]}.zip"


def test_prod_workflow_carries_the_parameter_template(omics_stack: Registered) -> None:
    """Every workflow input is in the template, the required ones not optional."""
    template = omics_stack.one(WORKFLOW).inputs["parameterTemplate"]
    assert template == alignment_workflow().parameter_template()
    assert {k for k, v in template.items() if not v["optional"]} == {
        "sample",
        "read1",
        "read2",
        "reference",
    }


def test_healthomics_pulls_quay_through_the_cache_it_may_import_into(
    omics_stack: Registered,
) -> None:
    """The registry map's prefix is the cache rule's, and the registry policy lets omics import."""
    mapping = omics_stack.one(WORKFLOW).inputs["containerRegistryMap"]["registryMappings"]
    rule = omics_stack.one("aws:ecr/pullThroughCacheRule:PullThroughCacheRule").inputs
    assert mapping == [
        {
            "upstreamRegistryUrl": rule["upstreamRegistryUrl"],
            "ecrRepositoryPrefix": rule["ecrRepositoryPrefix"],
        }
    ]
    policy = json_input(omics_stack.one("aws:ecr/registryPolicy:RegistryPolicy"), "policy")
    omics = next(
        s for s in policy["Statement"] if s["Principal"] == {"Service": "omics.amazonaws.com"}
    )
    assert omics["Resource"] == [
        f"arn:aws:ecr:us-east-1:111122223333:repository/{rule['ecrRepositoryPrefix']}/*"
    ]
    template = omics_stack.one("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate")
    pull = json_input(template, "repositoryPolicy")["Statement"][0]
    assert pull["Principal"] == {"Service": "omics.amazonaws.com"}
    assert template.inputs["prefix"] == rule["ecrRepositoryPrefix"]


def test_batch_and_eks_pullers_may_import_into_the_cache(prod_stack: Registered) -> None:
    """The Batch execution role and the EKS node role are the other principals allowed."""
    policy = json_input(prod_stack.one("aws:ecr/registryPolicy:RegistryPolicy"), "policy")
    roles = next(s for s in policy["Statement"] if "AWS" in s["Principal"])["Principal"]["AWS"]
    assert sorted(r.split(":role/")[1].rsplit("-", 1)[0] for r in roles) == [
        "gen-prod-eks-node-role",
        "gen-prod-lab-batch-execution-role",
    ]


def test_run_role_writes_where_the_tagger_classifies(omics_stack: Registered) -> None:
    """HealthOmics outputs go under projects/*/processed/ of the processed-genome bucket."""
    policies = [
        json.loads(r.inputs["policy"])
        for r in omics_stack.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.name == "gen-prod-lab-omics-run-policy"
    ]
    (write,) = [s for p in policies for s in p["Statement"] if s["Sid"] == "WriteOutputs"]
    assert write["Resource"] == [
        "arn:aws:s3:::gen-prod-processed-genome-us-east-1/projects/*/processed/omics/*"
    ]


def test_dev_has_no_pipeline_resources(dev_stack: Registered) -> None:
    """Dev turns HealthOmics and Batch off, so no workflow, job, cache or definition object."""
    types = {r.type for r in dev_stack.resources}
    assert not types & PIPELINE_TYPES
    assert not [
        r for r in dev_stack.of_type(OBJECT) if str(r.inputs["key"]).startswith("workflows/")
    ]
