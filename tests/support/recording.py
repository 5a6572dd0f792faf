"""Recordings of a whole stack, frozen on disk, so rules can be proven against a known state.

A recording holds each registration exactly as the preview's recorder saw it (inputs as sent on
the wire, parent, provider, dependencies and property dependencies) plus the stack config, and
replays through the real pack like `make preview` does. Make one from the current program with
`python -m tests.support.recording <stack> <file.json.gz>`.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2

from tools.preview.program import ProgramRun, RecordedResource, run_program
from tools.preview.stack_config import load_stack_config

__all__ = ["Recording", "load_recording", "save_recording"]

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Recording:
    """A frozen program run and the config it ran with."""

    run: ProgramRun
    config: Mapping[str, str]


def _resource(entry: Mapping[str, Any]) -> RecordedResource:
    properties = struct_pb2.Struct()
    properties.update(entry["inputs"])
    return RecordedResource(
        urn=entry["urn"],
        type=entry["type"],
        name=entry["name"],
        custom=entry["custom"],
        parent=entry["parent"],
        provider=entry["provider"],
        dependencies=tuple(entry["dependencies"]),
        property_dependencies={k: tuple(v) for k, v in entry["propertyDependencies"].items()},
        properties=properties,
    )


def load_recording(path: Path) -> Recording:
    """The recording stored at `path` (gzip-compressed JSON)."""
    document = json.loads(gzip.decompress(path.read_bytes()))
    resources = [_resource(entry) for entry in document["resources"]]
    run = ProgramRun(document["project"], document["stack"], resources)
    return Recording(run, document["config"])


def save_recording(recording: Recording, path: Path) -> None:
    """Write `recording` to `path` in the format `load_recording` reads."""
    document = {
        "project": recording.run.project,
        "stack": recording.run.stack,
        "config": dict(recording.config),
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "custom": r.custom,
                "parent": r.parent,
                "provider": r.provider,
                "dependencies": list(r.dependencies),
                "propertyDependencies": {k: list(v) for k, v in r.property_dependencies.items()},
                "inputs": r.inputs,
            }
            for r in recording.run.resources
        ],
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


if __name__ == "__main__":
    stack, target = sys.argv[1], Path(sys.argv[2])
    config = load_stack_config(ROOT, stack)
    save_recording(Recording(run_program(ROOT, "genomics", stack, config), config), target)
    sys.stdout.write(f"wrote {target}\n")
