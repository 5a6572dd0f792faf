"""Replay a preview record (`build/preview-<stack>.json`) through the pack, without the program.

The record holds everything the analyzer received: each resource's inputs as sent on the wire,
its parent, provider reference, dependencies and property dependencies, the providers the
requests carried, and the stack config. Replaying it sends the same `Analyze` and
`AnalyzeStack` requests again, so a pack change can be tried against a stack in a second, and
any other tool can read the stack exactly as the pack saw it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from google.protobuf import json_format, struct_pb2

from tools.preview.program import ProgramRun, RecordedResource
from tools.preview.report import PreviewResult
from tools.preview.run import analyze

__all__ = ["RecordError", "load_record", "replay", "resource_from_record"]


class RecordError(ValueError):
    """The file is not a preview record this tool wrote."""


def resource_from_record(entry: Mapping[str, Any]) -> RecordedResource:
    """One resource entry of a preview record, as the analyzer was sent it."""
    properties = json_format.ParseDict(entry.get("inputs", {}), struct_pb2.Struct())
    return RecordedResource(
        urn=entry["urn"],
        type=entry["type"],
        name=entry["name"],
        custom=bool(entry["custom"]),
        parent=entry.get("parent", ""),
        provider=entry.get("provider", ""),
        dependencies=tuple(entry.get("dependencies", ())),
        property_dependencies={
            key: tuple(urns) for key, urns in entry.get("propertyDependencies", {}).items()
        },
        properties=properties,
    )


def load_record(path: Path) -> tuple[ProgramRun, dict[str, str]]:
    """The recorded run and the stack config from a preview record."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        run = ProgramRun(
            project=document["project"],
            stack=document["stack"],
            resources=[resource_from_record(entry) for entry in document["resources"]],
        )
        config = {str(k): str(v) for k, v in document["config"].items()}
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise RecordError(f"{path}: not a preview record ({error})") from error
    return run, config


def replay(
    path: Path, pack_dir: Path, pack_config: Mapping[str, Any] | None = None
) -> PreviewResult:
    """Analyse the record at `path` with the pack in `pack_dir`, as the live run did."""
    run, config = load_record(path)
    return analyze(run, pack_dir, config, pack_config)
