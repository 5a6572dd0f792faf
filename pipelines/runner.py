"""Run the workflow's tasks without a WDL engine: one shell script per call, for Batch and EKS.

A HealthOmics run stages inputs, runs each task in its own directory and copies the
workflow's outputs to the run's output location. Batch and EKS do the same with plain
containers: every call of one run works in one directory (`run_dir`, on the shared file
system's scratch area, never transferred), reads inputs named by environment variables
with the workflow's own input names (`sample`, `read1`, ...), and the last call copies the
workflow's outputs to `out_dir` (the project's processed area). The task commands come
unchanged from the WDL's rendering; only this prologue and that copy are added.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from pipelines.definition import AlignmentWorkflow, Call, alignment_workflow

__all__ = ["RUN_VARIABLES", "CallScript", "call_scripts", "scripts_by_call"]

RUN_VARIABLES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "run_dir": "working directory of the run, on scratch",
        "out_dir": "where the outputs are copied: processed/",
    }
)
"""Variables a Batch or EKS run sets besides the workflow inputs, with what they are."""


@dataclass(frozen=True, slots=True)
class CallScript:
    """What one container of a Batch or EKS run executes."""

    call: str
    image_input: str
    """Workflow input holding this call's pinned image (e.g. `bwa_image`)."""
    script: str
    """Bash script: prologue, the task's rendered command, and for the last call the copy."""

    @property
    def command(self) -> list[str]:
        """Container command: the script as `bash -c`, so no file has to exist in the image."""
        return ["bash", "-c", self.script]


def _variable(name: str, default: str | int | None, what: str = "the workflow input") -> str:
    """Require a variable, or give it the workflow input's default."""
    if default is None:
        return f': "${{{name}:?set {name} ({what})}}"'
    return f'{name}="${{{name}:-{shlex.quote(str(default))}}}"'


def _output_path(workflow: AlignmentWorkflow, call: str, output: str) -> str:
    """An output's path with the task's private declarations spelled out."""
    task = workflow.tasks[next(c.task for c in workflow.calls if c.name == call)]
    path = task.outputs[output]
    for name, value in task.declarations.items():
        path = path.replace("${" + name + "}", value)
    return path


def _prologue(workflow: AlignmentWorkflow, call: Call, plan: tuple[Call, ...]) -> list[str]:
    task = workflow.tasks[call.task]
    planned = {c.name for c in plan}
    lines = ["set -euo pipefail"]
    lines += [_variable(name, None, what) for name, what in RUN_VARIABLES.items()]
    lines.append('mkdir -p -- "$run_dir"')
    lines.append('cd -- "$run_dir"')
    for name in task.inputs:
        if name == task.image_input:
            continue
        binding = call.inputs[name]
        if "input" in binding:
            if binding["input"] != name:
                raise ValueError(
                    f"call {call.name}: input {name} is fed by {binding['input']}; the runner "
                    "passes workflow inputs by name, so bind each task input to its namesake"
                )
            lines.append(_variable(name, workflow.inputs[name].default))
        else:
            (source,) = [o for o in binding["outputs"] if o["call"] in planned]
            path = _output_path(workflow, source["call"], source["output"])
            lines.append(f'{name}="{path}"')
    for name, value in task.declarations.items():
        lines.append(f'{name}="{value}"')
    return lines


def _publish(workflow: AlignmentWorkflow, plan: tuple[Call, ...]) -> list[str]:
    planned = {c.name for c in plan}
    lines = ['mkdir -p -- "$out_dir"']
    for binding in workflow.outputs.values():
        (source,) = [o for o in binding["outputs"] if o["call"] in planned]
        path = _output_path(workflow, source["call"], source["output"])
        lines.append(f'cp -f -- "{path}" "$out_dir/"')
    lines.append('echo "outputs copied to $out_dir"')
    return lines


def call_scripts(aligner: str, workflow: AlignmentWorkflow | None = None) -> list[CallScript]:
    """The scripts of one run with `aligner`, in order; the last one publishes the outputs."""
    workflow = workflow or alignment_workflow()
    plan = workflow.plan(aligner)
    scripts: list[CallScript] = []
    for index, call in enumerate(plan):
        task = workflow.tasks[call.task]
        lines = _prologue(workflow, call, plan)
        lines.append(f"# task {task.name}, rendered from the WDL")
        lines.append(task.script.rstrip("\n"))
        if index == len(plan) - 1:
            lines += _publish(workflow, plan)
        scripts.append(
            CallScript(
                call=call.name,
                image_input=str(call.inputs[task.image_input]["input"]),
                script="\n".join(lines) + "\n",
            )
        )
    return scripts


def scripts_by_call(workflow: AlignmentWorkflow | None = None) -> dict[str, CallScript]:
    """Every call of the workflow once (a job definition or container each), whatever the aligner.

    A call shared by the aligner plans (QC, sort/index) must render to the same script in each,
    so one job definition serves both; a difference would mean the plans disagree and is
    refused rather than hidden.
    """
    workflow = workflow or alignment_workflow()
    scripts: dict[str, CallScript] = {}
    for aligner in workflow.aligners():
        for script in call_scripts(aligner, workflow):
            known = scripts.setdefault(script.call, script)
            if known != script:
                raise ValueError(f"call {script.call} renders differently for aligner {aligner}")
    return scripts
