"""A content-addressed store of previews: the same inputs give the stored report, not a rerun.

A preview is a pure function of its inputs: the program's sources and the stack's settings,
the pack's sources and its config, the locked packages and the Python that runs them. Two keys
are taken from them:

- the program key: every file of the project (the pack's folder, tests, docs and build output
  left out), this tool's own sources (the mocks shape every output), the resolved stack config,
  the project and stack names, `uv.lock` and the Python version;
- the report key: the program key, every file of the repository the pack can import (its
  folder and the shared modules beside it), the pack config file's bytes.

When the report key is stored, its report is printed again (about 0.1 s). When only the program
key is stored (only the pack or its config changed), the stored registrations are replayed
through the current pack, as `--replay` does, and the new report is stored. Otherwise the
preview runs and both are stored. The report, the verdict and the JSON record are the same as
a fresh run's except the timings, which say where the report came from.

Bypass it with `make preview NO_CACHE=1` (`--no-cache`, or GENOMICS_PREVIEW_CACHE=0).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from tools.preview.analyzer import PackInfo, PolicyInfo, Violation, read_pack_config
from tools.preview.program import ProgramMessage, ProgramRun, RecordedResource
from tools.preview.replay import resource_from_record
from tools.preview.report import PreviewResult, Timings, to_document
from tools.preview.run import analyze, preview

__all__ = [
    "CACHE_ENV",
    "CacheKeys",
    "PreviewCache",
    "cache_enabled",
    "cache_keys",
    "preview_cached",
]

CACHE_ENV: Final = "GENOMICS_PREVIEW_CACHE"
"""Set to 0 to run every preview afresh (what `--no-cache` does for one run)."""

_TOOL_DIR: Final = Path(__file__).resolve().parent
_ROOT: Final = _TOOL_DIR.parents[1]
_NOT_INPUTS: Final = frozenset(
    {
        ".git",
        ".venv",
        ".tools",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
        "__pycache__",
        "node_modules",
        "build",
        "tests",
        "docs",
    }
)
"""Folders no preview reads: tooling, caches, build output, the tests and the docs."""
_KEPT_ENTRIES: Final = 24
"""Stored entries of each kind kept; the oldest go first."""
_FORMAT: Final = 1
"""Bumped when the stored layout changes, so an older store is never misread."""


def cache_enabled() -> bool:
    """Whether previews use the store (GENOMICS_PREVIEW_CACHE=0 turns it off)."""
    return os.environ.get(CACHE_ENV, "1") != "0"


def _files(root: Path, skip: Iterable[Path] = ()) -> Iterator[Path]:
    skipped = {path.resolve() for path in skip}
    for directory, folders, names in os.walk(root):
        here = Path(directory)
        folders[:] = sorted(
            f for f in folders if f not in _NOT_INPUTS and (here / f).resolve() not in skipped
        )
        for name in sorted(names):
            if not name.endswith((".pyc", ".pyo")):
                yield here / name


def _digest_files(digest: Any, label: str, root: Path, skip: Iterable[Path] = ()) -> None:
    for path in _files(root, skip):
        digest.update(f"{label}:{path.relative_to(root).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def _environment(digest: Any) -> None:
    digest.update(f"format {_FORMAT}\0python {sys.version}\0".encode())
    lock = _ROOT / "uv.lock"
    digest.update(hashlib.sha256(lock.read_bytes()).digest() if lock.is_file() else b"no lock")


@dataclass(frozen=True, slots=True)
class CacheKeys:
    """The two addresses of one preview's inputs."""

    program: str
    """Everything the program's registrations depend on."""
    report: str
    """The program key and everything the pack's verdict on them depends on."""


def cache_keys(
    project_dir: Path,
    project: str,
    stack: str,
    config: Mapping[str, str],
    pack_dir: Path,
    pack_config_file: Path | None,
) -> CacheKeys:
    """The keys of a preview of `stack` in `project_dir` through the pack in `pack_dir`."""
    program = hashlib.sha256()
    _environment(program)
    program.update(json.dumps([project, stack, dict(sorted(config.items()))]).encode())
    _digest_files(program, "tool", _TOOL_DIR)
    _digest_files(program, "project", project_dir, skip=[pack_dir, _TOOL_DIR])
    report = hashlib.sha256(program.digest())
    # The pack puts the repository root on its import path and shares modules from it.
    _digest_files(report, "pack", pack_dir.parent)
    pack_config = pack_config_file.read_bytes() if pack_config_file is not None else b"none"
    report.update(b"pack config\0" + pack_config)
    return CacheKeys(program=program.hexdigest(), report=report.hexdigest())


# ---- stored form ----


def _record_document(result: PreviewResult) -> dict[str, Any]:
    document = to_document(result)
    stored = {
        key: document[key] for key in ("project", "stack", "config", "resources", "providers")
    }
    # What the program logged and exported is printed with the report, so it is kept too.
    stored["messages"] = [dataclasses.asdict(message) for message in result.messages]
    stored["outputs"] = dict(result.outputs)
    return stored


def _provider(entry: Mapping[str, Any]) -> RecordedResource:
    return resource_from_record({**entry, "custom": True})


def _run_of(document: Mapping[str, Any]) -> ProgramRun:
    return ProgramRun(
        project=document["project"],
        stack=document["stack"],
        resources=[resource_from_record(entry) for entry in document["resources"]],
        messages=[ProgramMessage(**entry) for entry in document.get("messages", ())],
        outputs=dict(document.get("outputs", {})),
    )


def _result_of(record: Mapping[str, Any], report: Mapping[str, Any]) -> PreviewResult:
    pack = PackInfo(
        name=report["pack"]["name"],
        version=report["pack"]["version"],
        policies=tuple(PolicyInfo(**policy) for policy in report["pack"]["policies"]),
    )
    run = _run_of(record)
    return PreviewResult(
        record["project"],
        record["stack"],
        run.resources,
        pack,
        [Violation(**violation) for violation in report["violations"]],
        config=dict(record["config"]),
        providers=[_provider(entry) for entry in record["providers"]],
        messages=run.messages,
        outputs=run.outputs,
    )


def _report_document(result: PreviewResult, program_key: str) -> dict[str, Any]:
    return {
        "program": program_key,
        "pack": {
            "name": result.pack.name,
            "version": result.pack.version,
            "policies": [dataclasses.asdict(policy) for policy in result.pack.policies],
        },
        "violations": [dataclasses.asdict(violation) for violation in result.violations],
    }


class PreviewCache:
    """The store under `directory` (default `build/preview-cache`)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / f"{kind}-{key}.json"

    def _read(self, kind: str, key: str) -> dict[str, Any] | None:
        try:
            document: dict[str, Any] = json.loads(self._path(kind, key).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return document

    def _write(self, kind: str, key: str, document: Mapping[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(kind, key)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(json.dumps(document, separators=(",", ":")), "utf-8")
        partial.replace(path)  # atomic: a reader sees the whole entry or none
        entries = sorted(self.directory.glob(f"{kind}-*.json"), key=lambda p: p.stat().st_mtime)
        for stale in entries[:-_KEPT_ENTRIES]:
            stale.unlink(missing_ok=True)

    def record(self, keys: CacheKeys) -> dict[str, Any] | None:
        """The stored registrations for `keys.program`, if any."""
        return self._read("record", keys.program)

    def result(self, keys: CacheKeys) -> PreviewResult | None:
        """The stored preview for `keys.report`, if it and its registrations are stored."""
        report = self._read("report", keys.report)
        record = self.record(keys)
        if report is None or record is None or report.get("program") != keys.program:
            return None
        return _result_of(record, report)

    def store(self, keys: CacheKeys, result: PreviewResult, *, record: bool = True) -> None:
        """Keep `result` under both keys (the registrations only when `record`)."""
        if record:
            self._write("record", keys.program, _record_document(result))
        self._write("report", keys.report, _report_document(result, keys.program))


def preview_cached(
    cache: PreviewCache,
    project_dir: Path,
    project: str,
    stack: str,
    config: Mapping[str, str],
    pack_dir: Path,
    pack_config_file: Path | None = None,
    *,
    freeze_heap: bool = False,
) -> PreviewResult:
    """`preview`, answered from the store when its inputs were previewed before."""
    started = time.perf_counter()
    keys = cache_keys(project_dir, project, stack, config, pack_dir, pack_config_file)
    stored = cache.result(keys)
    if stored is not None:
        elapsed = time.perf_counter() - started
        timings = Timings(0.0, 0.0, elapsed, source="stored report (inputs unchanged)")
        return dataclasses.replace(stored, timings=timings)
    record = cache.record(keys)
    if record is not None:
        pack_config = read_pack_config(pack_config_file)
        run = _run_of(record)
        replayed = dataclasses.replace(
            analyze(run, pack_dir, dict(record["config"]), pack_config),
            messages=run.messages,
            outputs=run.outputs,
        )
        cache.store(keys, replayed, record=False)
        elapsed = time.perf_counter() - started
        timings = Timings(
            0.0, elapsed, elapsed, source="stored registrations replayed (only the pack changed)"
        )
        return dataclasses.replace(replayed, timings=timings)
    result = preview(
        project_dir, project, stack, config, pack_dir, pack_config_file, freeze_heap=freeze_heap
    )
    cache.store(keys, result)
    return result
