"""Run the Pulumi program in-process under mocks and record every registration.

The recorder sits where the engine's resource monitor would: it keeps, for each registered
resource, what the engine would hand an analyzer (type, name, URN, parent, provider reference,
dependencies, and the input properties exactly as serialized on the wire).
"""

from __future__ import annotations

import gc
import os
import runpy
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime.resource as pulumi_resource
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from tools.preview.mocks import PlatformMocks

__all__ = [
    "OnRecord",
    "ProgramRun",
    "RecordedResource",
    "RecordingMonitor",
    "run_callable",
    "run_program",
]


@dataclass(frozen=True, slots=True)
class RecordedResource:
    """One registration as the engine saw it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    """Provider reference `urn::id`; empty when the engine would use the default provider."""
    dependencies: tuple[str, ...]
    property_dependencies: Mapping[str, tuple[str, ...]]
    properties: struct_pb2.Struct
    """Inputs as serialized on the wire (engine camelCase names, secrets and unknowns marked)."""
    state: struct_pb2.Struct | None = None
    """Outputs the mocks returned (ARNs, ids), for joins between resources; None in previews."""

    @property
    def inputs(self) -> dict[str, Any]:
        """The inputs as plain JSON-able data."""
        inputs: dict[str, Any] = json_format.MessageToDict(self.properties)
        return inputs

    @property
    def outputs(self) -> dict[str, Any]:
        """The outputs the mocks returned, as plain JSON-able data (empty when unknown)."""
        if self.state is None:
            return {}
        outputs: dict[str, Any] = json_format.MessageToDict(self.state)
        return outputs


OnRecord = Callable[[RecordedResource], None]
"""Called with each registration as it happens (the engine analyzes each step as it comes)."""


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock resource monitor that remembers every registration in order."""

    def __init__(self, mocks: pulumi.runtime.Mocks, on_record: OnRecord | None = None) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self._on_record = on_record

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine builds them: the root stack's type is not part of a child's URN."""
        if parent and parent.split("::")[2] == "pulumi:pulumi:Stack":
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            properties = struct_pb2.Struct()
            properties.CopyFrom(request.object)
            recorded = RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent,
                provider=request.provider,
                dependencies=tuple(request.dependencies),
                property_dependencies={
                    key: tuple(value.urns) for key, value in request.propertyDependencies.items()
                },
                properties=properties,
                state=response.object,
            )
            self.recorded.append(recorded)
            if self._on_record is not None:
                self._on_record(recorded)
        return response


@dataclass
class ProgramRun:
    """What one run of the program under mocks produced."""

    project: str
    stack: str
    resources: list[RecordedResource]


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    sys.path.insert(0, str(path))
    try:
        yield
    finally:
        sys.path.remove(str(path))
        os.chdir(previous)


def _no_stack_trace() -> source_pb2.StackTrace:
    """What `pulumi.runtime.resource._get_stack_trace` returns when it finds no user frame."""
    return source_pb2.StackTrace()


@contextmanager
def _without_stack_traces() -> Iterator[None]:
    """Skip the stack trace pulumi captures for every registration, for the run only.

    `pulumi.runtime.resource` calls its module-level `_get_stack_trace` for each resource
    (`traceback.extract_stack()` and a source position per frame, about 0.3 s for the prod
    stack) only to put it on the RegisterResource request for the engine's diagnostics; the
    mock monitor never reads `stackTrace` or `sourcePosition`, so under mocks it is waste.
    """
    captured = pulumi_resource._get_stack_trace
    pulumi_resource._get_stack_trace = _no_stack_trace
    try:
        yield
    finally:
        pulumi_resource._get_stack_trace = captured


def run_callable(
    build: Callable[[], None],
    project: str,
    stack: str,
    config: Mapping[str, str],
    *,
    default_region: str = "ap-south-1",
    on_record: OnRecord | None = None,
    freeze_heap: bool = False,
) -> ProgramRun:
    """Run `build` as a Pulumi program under the platform mocks and return its registrations.

    Exceptions raised by `build` propagate unchanged, so callers can tell a settings error from
    a program bug. The cyclic garbage collector is paused for the run: a run allocates
    millions of short-lived objects (typed Args classes at import, Outputs per input) and the
    collector's repeated scans of them cost about a third of the run, while the cycles it would
    free are a few megabytes, collected once the run is over.

    `freeze_heap` is for a process that exits soon after the run (the `make preview` command):
    the run's heap is moved to the collector's permanent generation (`gc.freeze()`) before the
    collector is re-enabled, so neither the first collection after the run nor the one at exit
    walks it (about 0.4 s and 1.4 s for the prod stack). A process that runs the program again
    and again (the tests) must leave it False, or every run's garbage would be kept.
    """
    monitor = RecordingMonitor(PlatformMocks(default_region), on_record)
    set_all_config(dict(config))
    pulumi.runtime.set_mocks(
        monitor.mocks, project=project, stack=stack, preview=True, monitor=monitor
    )
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _without_stack_traces():
            _sync_await(run_pulumi_func(build))
    finally:
        if freeze_heap:
            gc.freeze()
        if collecting:
            gc.enable()
        set_all_config({})
    return ProgramRun(project=project, stack=stack, resources=monitor.recorded)


def run_program(
    program_dir: Path,
    project: str,
    stack: str,
    config: Mapping[str, str],
    *,
    default_region: str = "ap-south-1",
    on_record: OnRecord | None = None,
    freeze_heap: bool = False,
) -> ProgramRun:
    """Run `program_dir/__main__.py` for `stack` with `config`, as `pulumi preview` would.

    `freeze_heap`: see `run_callable` (only for a process that exits after the run)."""

    def build() -> None:
        with _working_directory(program_dir):
            runpy.run_path(str(program_dir / "__main__.py"), run_name="__main__")

    return run_callable(
        build,
        project,
        stack,
        config,
        default_region=default_region,
        on_record=on_record,
        freeze_heap=freeze_heap,
    )
