"""The service-availability rule, through the real pack: one resource at a time and over the
rendered prod stack, with one recorded resource moved into a region that lacks its service."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping

import pytest
from google.protobuf import struct_pb2

from contracts.facts.aws_endpoints import is_global, is_known_service, offering_regions
from policies.services import AWS_MODULE_PREFIXES, NATIVE_MODULE_PREFIXES, endpoint_prefix
from tests.policies.rule_cases import Case, hits, variant, variant_tests
from tests.support.pack import TEST_DEFAULT_TAGS, UNKNOWN, FakeResource, PackClient, provider
from tools.preview.analyzer import PolicyPackProcess, expand_pack_config
from tools.preview.program import ProgramRun, RecordedResource, run_program
from tools.preview.run import default_provider
from tools.preview.stack_config import load_project, load_stack_config

pytestmark = pytest.mark.policy

RULE = "aws-service-offered-in-region"
ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
SEQUENCE_STORE = "aws-native:omics:SequenceStore"


def _native_provider_in(region: str) -> RecordedResource:
    properties = struct_pb2.Struct()
    properties.update({"region": region, "defaultTags": json.dumps({"tags": TEST_DEFAULT_TAGS})})
    return dataclasses.replace(
        provider(),
        urn="urn:pulumi:test::genomics::pulumi:providers:aws-native::native",
        type="pulumi:providers:aws-native",
        name="native",
        properties=properties,
    )


def test_omics_in_mumbai_is_refused(pack: PackClient) -> None:
    """HealthOmics has no endpoint in ap-south-1: a store there is refused, naming omics."""
    store = FakeResource(SEQUENCE_STORE, "sequences", {"name": "s"})
    found = hits(pack.analyze(store, _native_provider_in("ap-south-1")), RULE)
    assert [(e, n) for e, n, _ in found] == [("mandatory", "sequences")]
    assert "is in ap-south-1, where AWS does not offer omics" in found[0][2]


def test_omics_in_hyderabad_is_refused(pack: PackClient) -> None:
    """The DR region is checked like the primary one."""
    store = FakeResource(SEQUENCE_STORE, "sequences", {"name": "s"})
    assert hits(pack.analyze(store, _native_provider_in("ap-south-2")), RULE)


def test_omics_where_offered_passes(pack: PackClient) -> None:
    """In a region botocore lists for omics, the store raises nothing."""
    store = FakeResource(SEQUENCE_STORE, "sequences", {"name": "s"})
    assert hits(pack.analyze(store, _native_provider_in("us-east-1")), RULE) == []


def test_own_region_input_is_the_resources_region(pack: PackClient) -> None:
    """A bucket's own `region` wins over its Mumbai provider: a region that is no AWS region
    of any partition offers nothing."""
    bucket = FakeResource("aws:s3/bucket:Bucket", "raw", {"region": "ap-south-9"})
    found = hits(pack.analyze(bucket), RULE)
    assert [(e, n) for e, n, _ in found] == [("mandatory", "raw")]
    assert "is in ap-south-9, where AWS does not offer s3" in found[0][2]


@pytest.mark.parametrize(
    "fake",
    [
        pytest.param(FakeResource("aws:iam/role:Role", "r", {"region": "ap-south-9"}), id="iam"),
        pytest.param(
            FakeResource("aws:route53/zone:Zone", "z", {"region": "ap-south-9"}), id="route53"
        ),
    ],
)
def test_global_services_pass_in_any_region(pack: PackClient, fake: FakeResource) -> None:
    """IAM and Route 53 have one partition-wide endpoint: no region lacks them."""
    assert hits(pack.analyze(fake), RULE) == []


@pytest.mark.parametrize(
    ("type_token", "region"),
    [
        ("aws:cloudwatch/logGroup:LogGroup", "ap-south-2"),
        ("aws:cloudwatch/eventRule:EventRule", "ap-south-2"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "ap-south-2"),
        ("aws:sfn/stateMachine:StateMachine", "ap-south-2"),
        ("aws:efs/fileSystem:FileSystem", "ap-south-1"),
    ],
)
def test_stack_services_pass_in_india(pack: PackClient, type_token: str, region: str) -> None:
    """The platform's services, spelt differently from their prefixes, resolve and pass."""
    fake = FakeResource(type_token, "x", {"region": region})
    assert hits(pack.analyze(fake), RULE) == []


def test_unknown_module_is_reported(pack: PackClient) -> None:
    """A type whose service the pack cannot tell is reported, never waved through."""
    found = hits(pack.analyze(FakeResource("aws:nosuchservice/thing:Thing", "t", {})), RULE)
    assert [(e, n) for e, n, _ in found] == [("mandatory", "t")]
    assert "cannot tell which AWS service" in found[0][2]


def test_unknown_region_is_never_mandatory(pack: PackClient) -> None:
    """A region known only after update waits for it."""
    found = hits(pack.analyze(FakeResource("aws:s3/bucket:Bucket", "b", {"region": UNKNOWN})), RULE)
    assert found
    assert all(e == "advisory" and "during preview" in m for e, _, m in found)


def test_kubernetes_objects_are_ignored(pack: PackClient) -> None:
    """Kubernetes objects are no AWS service's resources."""
    fake = FakeResource("kubernetes:core/v1:Namespace", "lab", {"region": "ap-south-9"})
    assert hits(pack.analyze(fake), RULE) == []


@pytest.mark.parametrize(
    "prefix", sorted({*AWS_MODULE_PREFIXES.values(), *NATIVE_MODULE_PREFIXES.values()})
)
def test_exception_table_names_real_prefixes(prefix: str) -> None:
    """Every exception maps to an endpoint prefix botocore's data lists."""
    assert is_known_service(prefix)


def test_omics_regions_come_from_botocore() -> None:
    """botocore lists HealthOmics outside India only (the fact the rule stands on)."""
    regions = offering_regions("omics")
    assert regions
    assert not regions & {"ap-south-1", "ap-south-2"}


# ---- the rendered prod stack ----


@pytest.fixture(scope="module")
def prod() -> tuple[ProgramRun, Mapping[str, str]]:
    """The prod stack as `make preview` renders it."""
    config = load_stack_config(ROOT, "prod")
    return run_program(ROOT, load_project(ROOT).name, "prod", config), config


@pytest.fixture(scope="module")
def prod_pack(prod: tuple[ProgramRun, Mapping[str, str]]) -> Iterator[PolicyPackProcess]:
    """The pack started for the prod stack with its default config."""
    run, config = prod
    with PolicyPackProcess(
        ROOT / "policies", project=run.project, stack="prod", config=config
    ) as p:
        p.configure(expand_pack_config({}, p.info().policies))
        p.configure_stack()
        yield p


def _providers(run: ProgramRun, config: Mapping[str, str]) -> dict[str, RecordedResource]:
    explicit = {r.urn: r for r in run.resources if r.type.startswith("pulumi:providers:")}
    packages = {r.type.split(":", 1)[0] for r in run.resources if r.custom and not r.provider}
    defaults = {f"default:{p}": default_provider(config, p) for p in packages - {"pulumi"}}
    return {**explicit, **defaults}


def _rule_hits(
    pack: PolicyPackProcess,
    run: ProgramRun,
    config: Mapping[str, str],
    resources: list[RecordedResource],
) -> list[tuple[str, str]]:
    providers = _providers(run, config)
    return [
        (v.enforcement, v.urn.rsplit("::", 1)[-1])
        for r in resources
        for v in pack.analyze(r, providers)
        if v.policy == RULE
    ]


def test_prod_registers_no_resource_its_region_lacks(
    prod: tuple[ProgramRun, Mapping[str, str]], prod_pack: PolicyPackProcess
) -> None:
    """The baseline: every prod resource's service is offered where it is created."""
    run, config = prod
    aws = [r for r in run.resources if r.type.split(":", 1)[0] in ("aws", "aws-native")]
    assert aws
    assert _rule_hits(prod_pack, run, config, aws) == []


def test_prod_resource_moved_to_a_region_without_its_service_is_caught(
    prod: tuple[ProgramRun, Mapping[str, str]], prod_pack: PolicyPackProcess
) -> None:
    """One recorded resource moved (by its `region` input) where its service is absent."""
    run, config = prod
    everywhere = offering_regions("s3")
    for resource in run.resources:
        prefix = endpoint_prefix(resource.type)
        if prefix is None or is_global(prefix) or resource.type.startswith("aws-native"):
            continue
        missing = sorted(everywhere - offering_regions(prefix))
        if missing:
            break
    else:  # pragma: no cover - botocore lists a service of the stack in fewer regions than S3
        pytest.fail("no prod service is missing from any region S3 is offered in")
    inputs = resource.inputs
    inputs["region"] = missing[0]
    properties = struct_pb2.Struct()
    properties.update(inputs)
    moved = dataclasses.replace(resource, properties=properties)
    assert _rule_hits(prod_pack, run, config, [moved]) == [("mandatory", resource.name)]


# ---- adversarial variants ----

CASES = {"bucket": Case(RULE, "aws:s3/bucket:Bucket", {"bucket": "b"}, unknown="region")}
VARIANTS = [
    variant("bucket", "case-and-type", {"region": "AP-SOUTH-1"}, "does not offer s3"),
    variant("bucket", "case-and-type", {"region": " ap-south-1 "}, "does not offer s3"),
    variant("bucket", "wildcard-value", {"region": "ap-south-*"}, "does not offer s3"),
    variant("bucket", "equivalent-value", {"region": "ap-south-2"}, None),
]

test_adversarial_variant = variant_tests(CASES, VARIANTS)
