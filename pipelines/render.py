"""Render the WDL's tasks into `pipelines/steps.json`, the form Batch, EKS and tests run.

The WDL is the one definition of the alignment steps. HealthOmics runs it as it is; Batch and
EKS have no WDL engine, so this renderer reads the WDL with miniwdl (a development tool, not a
runtime dependency of the program) and writes, per task, its command with every `~{name}`
placeholder turned into the shell variable `${name}`, its private declarations and outputs in
the same form, its inputs, and how the workflow wires each call. `pipelines.definition` loads
the result. `python -m pipelines.render` rewrites the file; `--check` fails when it is stale.

Only placeholders that name a value are accepted (`~{sample}`, not `~{basename(x)}`): a
function call would mean something different in the shell, so rendering refuses it.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import WDL

from pipelines.definition import STEPS_PATH, WDL_PATH

__all__ = ["RenderError", "main", "render"]


class RenderError(ValueError):
    """The WDL uses a construct the shell rendering cannot express faithfully."""


def _name(expr: WDL.Expr.Base, where: str) -> str:
    if isinstance(expr, WDL.Expr.Get) and isinstance(expr.expr, WDL.Expr.Ident):
        return str(expr.expr.name)
    raise RenderError(f"{where}: only a plain name can be rendered, found {expr}")


def _shell_text(expr: WDL.Expr.String, where: str, *, literal: bool) -> str:
    """The string with placeholders as `${name}`; `literal` strips the quote marks."""
    parts = expr.parts[1:-1] if literal else expr.parts
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, WDL.Expr.Placeholder):
            if part.options:
                raise RenderError(f"{where}: placeholder options {part.options} cannot render")
            out.append("${" + _name(part.expr, where) + "}")
        else:  # pragma: no cover - miniwdl only produces the two kinds above
            raise RenderError(f"{where}: unexpected part {part!r}")
    return "".join(out)


def _string_value(decl: WDL.Tree.Decl, where: str) -> str:
    if not isinstance(decl.expr, WDL.Expr.String):
        raise RenderError(f"{where}: {decl.name} must be a string expression")
    return _shell_text(decl.expr, f"{where}.{decl.name}", literal=True)


def _default(decl: WDL.Tree.Decl) -> str | int | None:
    expr = decl.expr
    if expr is None:
        return None
    if isinstance(expr, WDL.Expr.Int):
        return int(expr.value)
    if isinstance(expr, WDL.Expr.String) and all(isinstance(p, str) for p in expr.parts):
        return "".join(str(p) for p in expr.parts[1:-1])
    raise RenderError(f"workflow input {decl.name}: default must be a literal, found {expr}")


def _binding(expr: WDL.Expr.Base, where: str) -> dict[str, Any]:
    """How a call input is fed: a workflow input, or the output of one of several calls."""
    if isinstance(expr, WDL.Expr.Get) and isinstance(expr.expr, WDL.Expr.Ident):
        name = str(expr.expr.name)
        if "." in name:
            call, output = name.split(".", 1)
            return {"outputs": [{"call": call, "output": output}]}
        return {"input": name}
    if isinstance(expr, WDL.Expr.Apply) and expr.function_name == "select_first":
        (array,) = expr.arguments
        if isinstance(array, WDL.Expr.Array):
            found = [_binding(item, where)["outputs"][0] for item in array.items]
            return {"outputs": found}
    raise RenderError(f"{where}: call inputs must be names or select_first of outputs")


def _condition(expr: WDL.Expr.Base) -> dict[str, str]:
    """`if (name == "literal")`, the only condition a runner needs to choose calls."""
    if isinstance(expr, WDL.Expr.Apply) and expr.function_name == "_eqeq":
        left, right = expr.arguments
        if isinstance(right, WDL.Expr.String) and all(isinstance(p, str) for p in right.parts):
            return {"input": _name(left, "if"), "equals": "".join(map(str, right.parts[1:-1]))}
    raise RenderError(f'if ({expr}): only `input == "literal"` conditions are rendered')


def _calls(
    body: list[Any], when: dict[str, str] | None = None
) -> list[tuple[WDL.Tree.Call, dict[str, str] | None]]:
    calls: list[tuple[WDL.Tree.Call, dict[str, str] | None]] = []
    for node in body:
        if isinstance(node, WDL.Tree.Call):
            calls.append((node, when))
        elif isinstance(node, WDL.Tree.Conditional) and when is None:
            calls.extend(_calls(node.body, _condition(node.expr)))
        else:
            raise RenderError(f"workflow body: {type(node).__name__} is not rendered")
    return calls


def _task(task: WDL.Tree.Task) -> dict[str, Any]:
    where = f"task {task.name}"
    docker = task.runtime.get("docker")
    if docker is None:
        raise RenderError(f"{where}: runtime.docker is required (HealthOmics needs a container)")
    return {
        "inputs": [decl.name for decl in task.inputs or []],
        "declarations": {d.name: _string_value(d, where) for d in task.postinputs},
        "script": textwrap.dedent(_shell_text(task.command, f"{where} command", literal=False))
        .strip("\n")
        .rstrip()
        + "\n",
        "outputs": {d.name: _string_value(d, where) for d in task.outputs},
        "image_input": _name(docker, f"{where} runtime.docker"),
    }


def render(wdl_path: Path = WDL_PATH) -> dict[str, Any]:
    """The rendering of `wdl_path` as a JSON-ready dict (deterministic key order)."""
    # miniwdl loads through asyncio.run(), which leaves the calling thread without an event
    # loop; a worker thread keeps that away from callers that have one (Pulumi's runtime).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as worker:
        document = worker.submit(WDL.load, str(wdl_path)).result()
    workflow = document.workflow
    if workflow is None:
        raise RenderError(f"{wdl_path} has no workflow")
    meta = workflow.parameter_meta
    inputs: dict[str, Any] = {}
    for decl in workflow.inputs or []:
        description = meta.get(decl.name)
        if not isinstance(description, str) or not description:
            raise RenderError(f"workflow input {decl.name} needs a parameter_meta description")
        inputs[decl.name] = {
            "type": str(decl.type),
            "default": _default(decl),
            "optional": decl.type.optional or decl.expr is not None,
            "description": description,
        }
    calls = {
        call.name: {
            "task": call.callee_id[-1],
            "when": when,
            "inputs": {
                key: _binding(value, f"call {call.name}.{key}")
                for key, value in sorted(call.inputs.items())
            },
        }
        for call, when in _calls(workflow.body)
    }
    outputs = {}
    for decl in workflow.outputs or []:
        if decl.expr is None:
            raise RenderError(f"workflow output {decl.name} has no expression")
        outputs[decl.name] = _binding(decl.expr, f"output {decl.name}")
    return {
        "workflow": workflow.name,
        "version": document.wdl_version,
        "main": wdl_path.name,
        "inputs": inputs,
        "calls": calls,
        "outputs": outputs,
        "tasks": {task.name: _task(task) for task in sorted(document.tasks, key=lambda t: t.name)},
    }


def serialise(rendering: dict[str, Any]) -> str:
    """The exact text of steps.json for `rendering`."""
    return json.dumps(rendering, indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write steps.json, or with --check report whether it matches the WDL."""
    parser = argparse.ArgumentParser(prog="python -m pipelines.render", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if steps.json is stale")
    args = parser.parse_args(argv)
    text = serialise(render())
    if args.check:
        if STEPS_PATH.read_text() != text:
            print(f"{STEPS_PATH} is stale; run python -m pipelines.render", file=sys.stderr)
            return 1
        return 0
    STEPS_PATH.write_text(text)
    print(f"wrote {STEPS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
