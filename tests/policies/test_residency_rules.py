"""Data-residency rule (and the tag rule's variants), through the real pack process."""

from __future__ import annotations

import dataclasses
import json

import pytest
from google.protobuf import struct_pb2

from tests.policies.rule_cases import Case, hits, variant, variant_tests
from tests.support.pack import TEST_DEFAULT_TAGS, UNKNOWN, FakeResource, PackClient, provider
from tools.preview.program import RecordedResource

pytestmark = pytest.mark.policy

RULE = "aws-resource-allowed-region"
BUCKET = "aws:s3/bucket:Bucket"


def _provider_in(region: str) -> RecordedResource:
    """The test provider moved to `region` (default tags as JSON text, as the engine sends)."""
    properties = struct_pb2.Struct()
    properties.update({"region": region, "defaultTags": json.dumps({"tags": TEST_DEFAULT_TAGS})})
    return dataclasses.replace(provider(), properties=properties)


@pytest.mark.parametrize(
    "props",
    [
        pytest.param({"bucket": "b"}, id="provider-mumbai"),
        pytest.param({"bucket": "b", "region": "ap-south-2"}, id="own-region-hyderabad"),
    ],
)
def test_resources_in_india_pass(pack: PackClient, props: dict[str, object]) -> None:
    """Mumbai (the provider's region) and Hyderabad (a resource's own region) are allowed."""
    assert hits(pack.analyze(FakeResource(BUCKET, "raw", props)), RULE) == []


def test_resource_region_outside_india_is_reported(pack: PackClient) -> None:
    """A resource placed in another region by its own `region` input is reported."""
    found = hits(pack.analyze(FakeResource(BUCKET, "raw", {"region": "us-east-1"})), RULE)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "raw")]
    assert "placed in us-east-1, outside ap-south-1, ap-south-2" in found[0][2]


def test_provider_region_outside_india_is_reported(pack: PackClient) -> None:
    """A resource created through a provider in another region is reported."""
    found = hits(pack.analyze(FakeResource(BUCKET, "raw", {}), _provider_in("eu-west-1")), RULE)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "raw")]
    assert "uses a provider in eu-west-1" in found[0][2]


def test_own_region_overrides_the_providers(pack: PackClient) -> None:
    """A Hyderabad resource created through a foreign provider is where its input says."""
    found = pack.analyze(
        FakeResource(BUCKET, "raw", {"region": "ap-south-2"}), _provider_in("eu-west-1")
    )
    assert hits(found, RULE) == []


def test_provider_resource_itself_is_checked(pack: PackClient) -> None:
    """An AWS provider configured for another region is reported before anything uses it."""
    fake = FakeResource("pulumi:providers:aws", "us", {"region": "us-east-1"})
    found = hits(pack.analyze(fake), RULE)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "us")]


def test_allowed_regions_are_configurable(pack: PackClient) -> None:
    """allowedRegions can narrow residency to Mumbai only."""
    pack.configure({RULE: {"allowedRegions": ["ap-south-1"]}})
    found = hits(pack.analyze(FakeResource(BUCKET, "raw", {"region": "ap-south-2"})), RULE)
    assert [e for e, _, _ in found] == ["mandatory"]


@pytest.mark.parametrize(
    ("fake", "prov"),
    [
        pytest.param(FakeResource(BUCKET, "raw", {"region": UNKNOWN}), None, id="own-region"),
        pytest.param(FakeResource(BUCKET, "raw", {}), UNKNOWN, id="provider-region"),
    ],
)
def test_unknown_region_is_never_mandatory(
    pack: PackClient, fake: FakeResource, prov: str | None
) -> None:
    """A region computed from another output waits for the update."""
    found = hits(pack.analyze(fake, _provider_in(prov) if prov else None), RULE)
    assert found
    assert all(e == "advisory" and "during preview" in m for e, _, m in found)


def test_non_aws_resources_are_ignored(pack: PackClient) -> None:
    """Kubernetes objects have no AWS region of their own."""
    fake = FakeResource("kubernetes:core/v1:Namespace", "lab", {"region": "us-east-1"})
    assert hits(pack.analyze(fake), RULE) == []


# ---- adversarial variants ----

REGION_CASE = Case(RULE, BUCKET, {"bucket": "b"}, unknown="region")
TAGS_CASE = Case("aws-resource-required-tags", BUCKET, {"bucket": "b"}, unknown="tags")
CASES = {"region": REGION_CASE, "tags": TAGS_CASE}

VARIANTS = [
    variant("region", "case-and-type", {"region": " us-east-1 "}, "outside ap-south-1"),
    variant("region", "equivalent-value", {"region": "ap-south-2"}, None),
    variant("region", "equivalent-value", {"region": ""}, None),
    variant("region", "wildcard-value", {"region": "ap-south-*"}, "placed in ap-south-*"),
    variant("tags", "equivalent-value", {"tags": {"project": ""}}, "project"),
    variant("tags", "case-and-type", {"tags": {"environment": "Prod"}}, "environment"),
    variant("tags", "json-vs-object", {"tags": '{"environment": "qa"}'}, "environment"),
    variant("tags", "json-vs-object", {"tags": '{"environment": "dev"}'}, None),
]

test_adversarial_variant = variant_tests(CASES, VARIANTS)
