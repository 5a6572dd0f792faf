"""The life of one file, over the rendered stack: pod → EFS → DataSync → S3 key → tags → who
may read it.

Every step reads what the program rendered (StorageClass parameters, PVCs, the access point
DataSync mounts, the task filters, the S3 locations, the tagger's environment, the research
roles and the bucket policies) and applies AWS's documented semantics: the EFS CSI driver's
subPathPattern, DataSync's filter rules (tests/support/datasync_filters.py), the tagger's own
code and the IAM engine of `make access` (tests/support/stack_access.py). Nothing here
restates the layout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from functions.common.s3_types import ObjectSummary
from functions.object_tagger.config import load_config
from functions.object_tagger.core import ObjectTagger, Outcome
from tests.functions.common.fakes import InMemoryS3
from tests.stack.conftest import STACKS, rendered_stack
from tests.support.datasync_filters import filters_of, is_transferred
from tests.support.harness import Registered
from tests.support.stack_access import StackAccess, access_documents

_TASK = "aws:datasync/task:Task"
_NAMESPACE = "kubernetes:core/v1:Namespace"
_PVC = "kubernetes:core/v1:PersistentVolumeClaim"
_STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"


@dataclass(frozen=True)
class Pipeline:
    """The rendered pieces one file passes through, read from the stack."""

    stack: Registered
    name: str
    """The stack's name (prod, dev), for its access documents."""

    def projects(self) -> list[str]:
        return [str(ns.inputs["metadata"]["name"]) for ns in self.stack.of_type(_NAMESPACE)]

    def claim_directory(self, project: str) -> str:
        """Where the CSI driver provisions the project's workspace claim on EFS."""
        claims = [
            pvc
            for pvc in self.stack.of_type(_PVC)
            if pvc.inputs["metadata"].get("namespace") == project
        ]
        assert len(claims) == 1, project
        claim = claims[0].inputs
        storage_class = next(
            sc
            for sc in self.stack.of_type(_STORAGE_CLASS)
            if sc.inputs["metadata"]["name"] == claim["spec"]["storageClassName"]
        )
        parameters = storage_class.inputs["parameters"]
        # With ensureUniqueDirectory true the driver appends a UUID: no path known in advance.
        assert parameters["ensureUniqueDirectory"] == "false"
        sub_path = (
            parameters["subPathPattern"]
            .replace("${.PVC.namespace}", project)
            .replace("${.PVC.name}", claim["metadata"]["name"])
        )
        return f"{parameters['basePath'].rstrip('/')}/{sub_path}"

    def location_root(self) -> str:
        """The EFS path DataSync's EFS location starts at (its access point root + subdir)."""
        location = self.stack.of_type("aws:datasync/efsLocation:EfsLocation")[0]
        access_point = next(
            ap
            for ap in self.stack.of_type("aws:efs/accessPoint:AccessPoint")
            if ap.outputs.get("arn") == location.inputs["accessPointArn"]
        )
        root = str(access_point.inputs["rootDirectory"]["path"]).rstrip("/")
        return root + str(location.inputs.get("subdirectory", "/")).rstrip("/")

    def tasks(self) -> list[tuple[dict[str, Any], str, str]]:
        """(task inputs, destination bucket, S3 key root) per DataSync task."""
        locations = {
            s3.outputs["arn"]: s3.inputs
            for s3 in self.stack.of_type("aws:datasync/s3Location:S3Location")
        }
        found = []
        for task in self.stack.of_type(_TASK):
            destination = locations[task.inputs["destinationLocationArn"]]
            bucket = str(destination["s3BucketArn"]).removeprefix("arn:aws:s3:::")
            found.append((task.inputs, bucket, str(destination["subdirectory"]).strip("/")))
        return found

    def tagger_environment(self) -> dict[str, str]:
        tagger = next(
            f
            for f in self.stack.of_type("aws:lambda/function:Function")
            if str(f.inputs["name"]).endswith("-object-tagger")
        )
        variables: dict[str, str] = tagger.inputs["environment"]["variables"]
        return variables

    def journey(self, efs_path: str) -> dict[str, str]:
        """bucket → S3 key for every task that copies `efs_path` (empty when none does)."""
        root = self.location_root()
        if not efs_path.startswith(f"{root}/"):
            return {}
        relative = efs_path.removeprefix(root)
        landed = {}
        for inputs, bucket, key_root in self.tasks():
            includes, excludes = filters_of(inputs)
            if is_transferred(relative, includes=includes, excludes=excludes):
                landed[bucket] = f"{key_root}/{relative.lstrip('/')}"
        return landed

    def tags(self, bucket: str, key: str) -> tuple[Outcome, dict[str, str]]:
        """What the deployed tagger code writes on the object, from its rendered config."""
        store = InMemoryS3()
        store.add(bucket, key)
        result = ObjectTagger(load_config(self.tagger_environment()), store)(
            ObjectSummary(bucket=bucket, key=key)
        )
        return result.outcome, store.tags_of(bucket, key)

    def research_roles(self) -> dict[str, list[str]]:
        """Research role name → projects its sessions may carry."""
        roles = {}
        for role in self.stack.of_type("aws:iam/role:Role"):
            trust = json.loads(role.inputs["assumeRolePolicy"])
            for statement in trust["Statement"]:
                if statement["Action"] == "sts:TagSession":
                    projects = statement["Condition"]["StringEquals"]["aws:RequestTag/project"]
                    roles[str(role.inputs["name"])] = (
                        projects if isinstance(projects, list) else [projects]
                    )
        return roles

    def readers(self, bucket: str, key: str, tags: dict[str, str]) -> set[tuple[str, str]]:
        """(role, session project) pairs that may GetObject the tagged object."""
        access = StackAccess(access_documents(self.name))
        context = {f"s3:ExistingObjectTag/{k}": v for k, v in tags.items()}
        return {
            (role, project)
            for role, projects in self.research_roles().items()
            for project in projects
            if access.decide(
                role,
                "s3:GetObject",
                bucket,
                key,
                context=context,
                principal_tags={"project": project},
            )
            == "Allowed"
        }

    def cleared(self, project: str, classification: str) -> set[tuple[str, str]]:
        """(role, project) pairs whose group works on `project` and is cleared for the class."""
        access = StackAccess(access_documents(self.name))
        found = set()
        for role, projects in self.research_roles().items():
            if project not in projects:
                continue
            read = next(
                s
                for d in access.identity_policies(role)
                for s in d["Statement"]
                if s["Sid"] == "ReadOwnProjectObjects"
            )
            allowed = read["Condition"]["StringEquals"]["s3:ExistingObjectTag/data-classification"]
            if classification in (allowed if isinstance(allowed, list) else [allowed]):
                found.add((role, project))
        return found


_FILES = {"raw": "rs_S1_L001_R1_001.fastq.gz", "processed": "pg_S1.sorted.bam"}
_CATEGORY_OF_AREA = {"raw": "raw_sequence", "processed": "processed_genome"}


@pytest.fixture(params=STACKS)
def pipeline(request: pytest.FixtureRequest) -> Pipeline:
    return Pipeline(rendered_stack(str(request.param)), str(request.param))


def test_raw_and_processed_files_of_every_project_reach_exactly_their_readers(
    pipeline: Pipeline,
) -> None:
    """For every configured project and both areas: the file lands in its category's bucket
    only, under the project's prefix, gets the project's tags, and is read by the groups of
    that project cleared for its classification, and by no one else."""
    projects = pipeline.projects()
    assert projects
    for project in projects:
        workspace = pipeline.claim_directory(project)
        for area, name in _FILES.items():
            landed = pipeline.journey(f"{workspace}/{area}/run-42/{name}")
            assert len(landed) == 1, (project, area, landed)
            [(bucket, key)] = landed.items()
            assert key.startswith(f"projects/{project}/"), key
            outcome, tags = pipeline.tags(bucket, key)
            assert outcome is Outcome.TAGGED, (key, outcome)
            assert tags["project"] == project
            assert tags["data-type"] == _CATEGORY_OF_AREA[area]
            readers = pipeline.readers(bucket, key, tags)
            assert readers == pipeline.cleared(project, tags["data-classification"]), key
            assert all(session == project for _, session in readers)


@pytest.mark.parametrize(
    "where",
    [
        "{workspace}/raw/scratch/tmp_rs_1.fastq.gz",  # scratch inside an area
        "{workspace}/raw/align/scratch/part-0.bam",  # scratch at any depth
        "{workspace}/tmp/rs_1.fastq.gz",  # outside the transferred areas
        "{workspace}/raw-old/rs_1.fastq.gz",  # a sibling whose name starts like an area
        "/scratch/volumes/{project}/work/rs_1.fastq.gz",  # the scratch volumes
        "/projects/{project}/other-claim/raw/rs_1.fastq.gz",  # another claim's volume
        "/projects/unconfigured/workspace/raw/rs_1.fastq.gz",  # a project not configured
        "/projects/{project}0/workspace/raw/rs_1.fastq.gz",  # a project whose name extends P
    ],
)
def test_files_that_must_not_leave_efs_do_not(pipeline: Pipeline, where: str) -> None:
    """Scratch, other areas, other claims and other projects are selected by no task."""
    project = pipeline.projects()[0]
    path = where.format(workspace=pipeline.claim_directory(project), project=project)
    assert pipeline.journey(path) == {}


@pytest.mark.parametrize(
    "name",
    ["rs_*.fastq.gz", "rs_a|b.fastq.gz", "rs_scratch*.fastq.gz", "scratch_rs_1.fastq.gz"],
)
def test_names_that_look_like_filter_patterns_are_plain_files(
    pipeline: Pipeline, name: str
) -> None:
    """A file name holding `*`, `|` or starting with `scratch` is transferred and tagged like
    any other: filters are patterns, paths are literal."""
    project = pipeline.projects()[0]
    landed = pipeline.journey(f"{pipeline.claim_directory(project)}/raw/{name}")
    assert len(landed) == 1
    [(bucket, key)] = landed.items()
    assert key.endswith(f"/raw/{name}")
    outcome, tags = pipeline.tags(bucket, key)
    assert tags["project"] == project, outcome
