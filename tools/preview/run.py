"""One offline preview: program under mocks, with the real policy pack analysing as it runs.

The engine analyses each resource as its step is generated, while the program goes on
registering the next ones, and calls `AnalyzeStack` once the program is done. This module
does the same: the pack is started before the program (its start-up overlaps the program's
imports), every registration is handed to a small pool of threads that send `Analyze` while
the program continues (the pack is another process, so on two cores the two really run side
by side), and the report keeps registration order whatever order the answers came back in.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from google.protobuf import struct_pb2

from tools.preview.analyzer import PackInfo, PolicyPackProcess, Violation, expand_pack_config
from tools.preview.program import ProgramRun, RecordedResource, run_program
from tools.preview.report import PreviewResult, Timings

__all__ = ["AnalysisSession", "analyze", "default_provider", "preview"]

_ANALYZE_THREADS: Final = 4
"""As many requests in flight as the Python pack server has workers (`pulumi_policy`: 4)."""

_SWITCH_INTERVAL_SECONDS: Final = 0.0005
"""How often the program's thread hands the interpreter lock to the `Analyze` threads.

They only wait on the pack (a gRPC call is a few microseconds of Python), but under the
default 5 ms interval each one waits up to 5 ms for the lock after every answer: with the
program busy, 83–384 of the prod stack's 612 resources had been analysed when the program
ended, against 599–609 at 0.5 ms, so the pack sat idle and then worked alone afterwards.
"""


@contextmanager
def _switching_often() -> Iterator[None]:
    """Run the block with the short switch interval, restoring the previous one after."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(_SWITCH_INTERVAL_SECONDS)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def default_provider(config: Mapping[str, str], package: str) -> RecordedResource:
    """The default provider the engine would create for `package`, from `<package>:*` config."""
    properties = struct_pb2.Struct()
    properties.update(
        {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith(f"{package}:")}
    )
    return RecordedResource(
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


class _Providers(Mapping[str, RecordedResource]):
    """Provider resources by reference, as the analyzer client looks them up.

    Explicit providers are added as they register (always before the resources that name
    them); `default:<package>` is synthesised from config the first time it is asked for, as
    the engine creates a default provider only for a package some resource uses.
    """

    def __init__(self, config: Mapping[str, str]) -> None:
        self._config = config
        self._by_key: dict[str, RecordedResource] = {}
        self._lock = threading.Lock()

    def add(self, resource: RecordedResource) -> None:
        if resource.type.startswith("pulumi:providers:"):
            with self._lock:
                self._by_key[resource.urn] = resource

    def __getitem__(self, key: str) -> RecordedResource:
        with self._lock:
            if key not in self._by_key and key.startswith("default:"):
                self._by_key[key] = default_provider(self._config, key.split(":", 1)[1])
            return self._by_key[key]

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._by_key))

    def __len__(self) -> int:
        return len(self._by_key)


@dataclass(frozen=True)
class _Analysed:
    info: PackInfo
    violations: list[Violation]
    providers: list[RecordedResource]


class AnalysisSession:
    """Feeds registrations to a running pack as they happen; `finish` adds `AnalyzeStack`."""

    def __init__(
        self,
        pack: PolicyPackProcess,
        config: Mapping[str, str],
        pack_config: Mapping[str, Any] | None = None,
    ) -> None:
        self._pack = pack
        self._pack_config = dict(pack_config or {})
        self._providers = _Providers(config)
        self._pool = ThreadPoolExecutor(_ANALYZE_THREADS, thread_name_prefix="analyze")
        self._configured: Future[PackInfo] = self._pool.submit(self._configure)
        self._pending: list[Future[list[Violation]]] = []
        self.serving_seconds = 0.0

    def _configure(self) -> PackInfo:
        started = time.perf_counter()
        self._pack.wait_until_serving()
        self.serving_seconds = time.perf_counter() - started
        info = self._pack.info()
        self._pack.configure(expand_pack_config(self._pack_config, info.policies))
        self._pack.configure_stack()
        return info

    def _analyze(self, resource: RecordedResource) -> list[Violation]:
        self._configured.result()
        return self._pack.analyze(resource, self._providers)

    def submit(self, resource: RecordedResource) -> None:
        """Queue `Analyze` for `resource`; called from the recorder at each registration."""
        self._providers.add(resource)
        self._pending.append(self._pool.submit(self._analyze, resource))

    def finish(self, resources: list[RecordedResource]) -> _Analysed:
        """Wait for every `Analyze`, then send `AnalyzeStack`; violations in registration order."""
        try:
            info = self._configured.result()
            violations = [v for pending in self._pending for v in pending.result()]
            violations += self._pack.analyze_stack(resources, self._providers)
        finally:
            self.close()
        return _Analysed(info, violations, list(self._providers.values()))

    def close(self) -> None:
        """Stop accepting work and drop what has not started (used when the program fails)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def analyze(
    run: ProgramRun,
    pack_dir: Path,
    config: Mapping[str, str],
    pack_config: Mapping[str, Any] | None = None,
) -> PreviewResult:
    """Send every recorded resource through the real pack, as `pulumi preview` would.

    Used for a run that already happened (a replayed record); `preview` analyses while the
    program runs instead.
    """
    started = time.perf_counter()
    with PolicyPackProcess(pack_dir, project=run.project, stack=run.stack, config=config) as pack:
        session = AnalysisSession(pack, config, pack_config)
        for resource in run.resources:
            session.submit(resource)
        analysed = session.finish(run.resources)
    elapsed = time.perf_counter() - started
    return PreviewResult(
        run.project,
        run.stack,
        run.resources,
        analysed.info,
        analysed.violations,
        config=dict(config),
        providers=analysed.providers,
        timings=Timings(program=0.0, pack_after_program=elapsed, total=elapsed),
    )


def preview(
    project_dir: Path,
    project: str,
    stack: str,
    config: Mapping[str, str],
    pack_dir: Path,
    pack_config_file: Path | None = None,
    *,
    freeze_heap: bool = False,
) -> PreviewResult:
    """Run the program in `project_dir` for `stack` with the pack in `pack_dir` analysing it.

    `freeze_heap`: only for a process that exits after the preview (`run_callable`)."""
    pack_config: dict[str, Any] = {}
    if pack_config_file is not None:
        pack_config = json.loads(pack_config_file.read_text(encoding="utf-8"))
    started = time.perf_counter()
    with PolicyPackProcess(pack_dir, project=project, stack=stack, config=config) as pack:
        session = AnalysisSession(pack, config, pack_config)
        try:
            with _switching_often():
                run = run_program(
                    project_dir,
                    project,
                    stack,
                    config,
                    on_record=session.submit,
                    freeze_heap=freeze_heap,
                )
        except BaseException:
            session.close()
            raise
        program_done = time.perf_counter()
        analysed = session.finish(run.resources)
    finished = time.perf_counter()
    return PreviewResult(
        run.project,
        run.stack,
        run.resources,
        analysed.info,
        analysed.violations,
        config=dict(config),
        providers=analysed.providers,
        timings=Timings(
            program=program_done - started,
            pack_after_program=finished - program_done,
            total=finished - started,
        ),
    )
