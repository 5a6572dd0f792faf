"""One offline preview: program under mocks, then the real policy pack over gRPC."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2

from tools.preview.analyzer import PolicyPackProcess, expand_pack_config
from tools.preview.program import ProgramRun, RecordedResource, run_program
from tools.preview.report import PreviewResult

__all__ = ["analyze", "default_providers", "preview"]


def default_providers(config: Mapping[str, str], packages: set[str]) -> dict[str, RecordedResource]:
    """The default providers the engine would create, configured from `<package>:*` config."""
    providers: dict[str, RecordedResource] = {}
    for package in sorted(packages):
        properties = struct_pb2.Struct()
        properties.update(
            {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith(f"{package}:")}
        )
        providers[f"default:{package}"] = RecordedResource(
            urn=f"urn:pulumi:preview::preview::pulumi:providers:{package}::default",
            type=f"pulumi:providers:{package}",
            name="default",
            custom=True,
            parent="",
            provider="",
            dependencies=(),
            property_dependencies={},
            properties=properties,
        )
    return providers


def analyze(
    run: ProgramRun,
    pack_dir: Path,
    config: Mapping[str, str],
    pack_config: Mapping[str, Any] | None = None,
) -> PreviewResult:
    """Send every recorded resource through the real pack, as `pulumi preview` would."""
    explicit = {r.urn: r for r in run.resources if r.type.startswith("pulumi:providers:")}
    packages = {r.type.split(":", 1)[0] for r in run.resources if r.custom and not r.provider}
    providers = {**explicit, **default_providers(config, packages - {"pulumi"})}
    with PolicyPackProcess(pack_dir, project=run.project, stack=run.stack, config=config) as pack:
        info = pack.info()
        pack.configure(expand_pack_config(pack_config or {}, info.policies))
        pack.configure_stack()
        violations = [v for r in run.resources for v in pack.analyze(r, providers)]
        violations += pack.analyze_stack(run.resources, providers)
    return PreviewResult(run.project, run.stack, run.resources, info, violations)


def preview(
    project_dir: Path,
    project: str,
    stack: str,
    config: Mapping[str, str],
    pack_dir: Path,
    pack_config_file: Path | None = None,
) -> PreviewResult:
    """Run the program in `project_dir` for `stack`, then the pack in `pack_dir` over it."""
    pack_config: dict[str, Any] = {}
    if pack_config_file is not None:
        pack_config = json.loads(pack_config_file.read_text(encoding="utf-8"))
    run = run_program(project_dir, project, stack, config)
    return analyze(run, pack_dir, config, pack_config)
