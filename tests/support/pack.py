"""Drive the real policy pack process from tests, one resource or one stack at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from google.protobuf import struct_pb2

from tools.preview.analyzer import PolicyPackProcess, Violation, expand_pack_config
from tools.preview.program import RecordedResource

__all__ = [
    "PACK_DIR",
    "TEST_DEFAULT_TAGS",
    "UNKNOWN",
    "FakeResource",
    "PackClient",
]

PACK_DIR: Final = Path(__file__).resolve().parents[2] / "policies"
UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's wire value for a property whose value is unknown during preview."""

TEST_DEFAULT_TAGS: Final = {
    "project": "genomics-platform",
    "environment": "prod",
    "owner": "genomics-platform-team",
    "cost-center": "research-genomics",
    "managed-by": "pulumi",
}
_PROVIDER_URN: Final = "urn:pulumi:test::genomics::pulumi:providers:aws::test-aws"


@dataclass
class FakeResource:
    """A resource as a test describes it; `ref` names it for property dependencies."""

    type: str
    name: str
    props: Mapping[str, Any]
    depends_on: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Property name → names of the resources that property references."""
    custom: bool = True
    parent: str = ""
    after: Sequence[str] = ()
    """Names of resources it waits for through `depends_on` alone (no property references)."""
    provider: str = ""
    """Name of the fake provider resource it is created through (empty: the test AWS provider)."""

    def urn(self) -> str:
        return f"urn:pulumi:test::genomics::{self.type}::{self.name}"


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(value))
    return message


def provider(
    default_tags: Mapping[str, str] | None = None, as_text: bool = True
) -> RecordedResource:
    """The AWS provider with default tags, as JSON text (how the engine sends it) or an object."""
    import json

    tags = {"tags": dict(TEST_DEFAULT_TAGS if default_tags is None else default_tags)}
    return RecordedResource(
        urn=_PROVIDER_URN,
        type="pulumi:providers:aws",
        name="test-aws",
        custom=True,
        parent="",
        provider="",
        dependencies=(),
        property_dependencies={},
        properties=_struct(
            {"region": "ap-south-1", "defaultTags": json.dumps(tags) if as_text else tags}
        ),
    )


def _record(
    fake: FakeResource, by_name: Mapping[str, FakeResource], provider_ref: str
) -> RecordedResource:
    deps = {k: tuple(by_name[n].urn() for n in names) for k, names in fake.depends_on.items()}
    explicit = {by_name[name].urn() for name in fake.after}
    if fake.provider:
        provider_ref = f"{by_name[fake.provider].urn()}::id"
    return RecordedResource(
        urn=fake.urn(),
        type=fake.type,
        name=fake.name,
        custom=fake.custom,
        parent=fake.parent,
        provider=provider_ref,
        dependencies=tuple(sorted({u for urns in deps.values() for u in urns} | explicit)),
        property_dependencies=deps,
        properties=_struct(fake.props),
    )


class PackClient:
    """One running pack; each call sends resources through Analyze or AnalyzeStack."""

    def __init__(self, process: PolicyPackProcess) -> None:
        self.process = process
        self.info = process.info()

    def configure(self, pack_config: Mapping[str, Any] | None = None) -> None:
        """Configure the pack as `--policy-pack-config` would (defaults when None)."""
        self.process.configure(expand_pack_config(pack_config or {}, self.info.policies))

    def analyze(
        self, fake: FakeResource, provider_resource: RecordedResource | None = None
    ) -> list[Violation]:
        """Analyze one resource with the AWS provider (default tags on unless given)."""
        prov = provider_resource or provider()
        record = _record(fake, {fake.name: fake}, f"{prov.urn}::id")
        return self.process.analyze(record, {prov.urn: prov})

    def analyze_stack(
        self, fakes: Sequence[FakeResource], provider_resource: RecordedResource | None = None
    ) -> list[Violation]:
        """AnalyzeStack over `fakes`, joined by their `depends_on` references."""
        prov = provider_resource or provider()
        by_name = {f.name: f for f in fakes}
        records = [_record(f, by_name, f"{prov.urn}::id") for f in fakes]
        explicit = {r.urn: r for r in records if r.type.startswith("pulumi:providers:")}
        return self.process.analyze_stack(records, {prov.urn: prov, **explicit})


def violations_of(violations: Sequence[Violation], policy: str) -> list[Violation]:
    """Only the violations of `policy`."""
    return [v for v in violations if v.policy == policy]
