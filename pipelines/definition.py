"""The alignment workflow as the program and the runners read it: from `steps.json`.

`alignment.wdl` is the definition; `steps.json` is its rendering (`pipelines.render`, checked
for drift by the tests), so this module needs no WDL engine at deploy time. It gives the
HealthOmics parameter template, the pinned container images, and the calls a run of one
aligner makes, in order.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = [
    "PIPELINES_DIR",
    "STEPS_PATH",
    "WDL_PATH",
    "AlignmentWorkflow",
    "Call",
    "Task",
    "WorkflowInput",
    "alignment_workflow",
    "definition_digest",
]

PIPELINES_DIR: Final = Path(__file__).resolve().parent
WDL_PATH: Final = PIPELINES_DIR / "alignment.wdl"
"""The workflow definition HealthOmics runs (the zip's main file)."""
STEPS_PATH: Final = PIPELINES_DIR / "steps.json"
"""Its rendering for runners without a WDL engine."""


@dataclass(frozen=True, slots=True)
class WorkflowInput:
    """One input of the workflow."""

    name: str
    type: str
    default: str | int | None
    optional: bool
    description: str


@dataclass(frozen=True, slots=True)
class Task:
    """One task, its command rendered for the shell (`${name}` per WDL placeholder)."""

    name: str
    inputs: tuple[str, ...]
    declarations: Mapping[str, str]
    script: str
    outputs: Mapping[str, str]
    image_input: str


@dataclass(frozen=True, slots=True)
class Call:
    """One call of a task in the workflow, with what feeds each of its inputs."""

    name: str
    task: str
    when: Mapping[str, str] | None
    inputs: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class AlignmentWorkflow:
    """The rendered workflow."""

    name: str
    version: str
    main: str
    inputs: Mapping[str, WorkflowInput]
    calls: tuple[Call, ...]
    tasks: Mapping[str, Task]
    outputs: Mapping[str, Mapping[str, Any]]

    def parameter_template(self) -> dict[str, dict[str, Any]]:
        """HealthOmics parameter template: every input with its description and optionality.

        "each input parameter is a named object that must match the name of the workflow
        input" with a required `description` and an `optional` flag (AWS HealthOmics User
        Guide, "Parameter template files for HealthOmics workflows"); descriptions are at most
        256 characters (API reference, WorkflowParameter).
        """
        return {
            i.name: {"description": i.description, "optional": i.optional}
            for i in self.inputs.values()
        }

    def images(self) -> dict[str, str]:
        """Image input name -> the pinned image (`registry/repository@sha256:...`)."""
        images: dict[str, str] = {}
        for call in self.calls:
            binding = call.inputs[self.tasks[call.task].image_input]
            name = str(binding["input"])
            default = self.inputs[name].default
            if not isinstance(default, str) or "@sha256:" not in default:
                raise ValueError(f"workflow input {name} must default to an image pinned by digest")
            images[name] = default
        return dict(sorted(images.items()))

    def aligners(self) -> tuple[str, ...]:
        """Values of the input that chooses between the conditional calls, e.g. bwa, bowtie2."""
        return tuple(call.when["equals"] for call in self.calls if call.when)

    def plan(self, aligner: str) -> tuple[Call, ...]:
        """The calls one run with `aligner` makes, in workflow order."""
        if aligner not in self.aligners():
            raise ValueError(f"aligner {aligner!r} is not one of {', '.join(self.aligners())}")
        return tuple(
            call for call in self.calls if call.when is None or call.when["equals"] == aligner
        )


def _load(text: str) -> AlignmentWorkflow:
    raw = json.loads(text)
    return AlignmentWorkflow(
        name=raw["workflow"],
        version=raw["version"],
        main=raw["main"],
        inputs={name: WorkflowInput(name=name, **spec) for name, spec in raw["inputs"].items()},
        calls=tuple(
            Call(name=name, task=c["task"], when=c["when"], inputs=c["inputs"])
            for name, c in raw["calls"].items()
        ),
        tasks={
            name: Task(
                name=name,
                inputs=tuple(t["inputs"]),
                declarations=t["declarations"],
                script=t["script"],
                outputs=t["outputs"],
                image_input=t["image_input"],
            )
            for name, t in raw["tasks"].items()
        },
        outputs=raw["outputs"],
    )


@functools.cache
def alignment_workflow() -> AlignmentWorkflow:
    """The alignment workflow rendered in steps.json."""
    return _load(STEPS_PATH.read_text())


def definition_digest() -> str:
    """First 16 hex digits of the WDL's SHA-256: names the packaged definition object."""
    return hashlib.sha256(WDL_PATH.read_bytes()).hexdigest()[:16]
