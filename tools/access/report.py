"""What `make access` prints and writes: the compact table, the JSON report, the verdict."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.access.evaluate import Outcome

__all__ = ["Row", "reads_by_group", "render_mismatches", "render_table", "rows", "write_json"]


@dataclass(frozen=True)
class Row:
    """Cells that share principal, operation, decision, intent and deciding statement."""

    section: str
    principal: str
    operation: str
    targets: tuple[str, ...]
    allowed: bool
    intended: bool
    deciding: tuple[str, ...]

    @property
    def as_intended(self) -> bool:
        return self.allowed == self.intended


def rows(outcomes: Sequence[Outcome]) -> list[Row]:
    """Outcomes grouped into rows, in the order the matrix produced them."""
    groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for outcome in outcomes:
        cell = outcome.cell
        deciding = outcome.deciding if not outcome.allowed else outcome.deciding[:3]
        key = (
            cell.section,
            cell.caller.label,
            cell.operation,
            outcome.allowed,
            cell.intended,
            deciding,
        )
        groups[key].append(cell.target)
    return [
        Row(section, principal, operation, tuple(targets), allowed, intended, deciding)
        for (section, principal, operation, allowed, intended, deciding), targets in groups.items()
    ]


def _targets(row: Row) -> str:
    if len(row.targets) == 1:
        return row.targets[0]
    return f"{len(row.targets)} targets, e.g. {row.targets[0]}"


def render_table(table: Sequence[Row]) -> str:
    """Principal x operation x resource class -> decision and the statement that decided."""
    lines = []
    section = ""
    for row in table:
        if row.section != section:
            section = row.section
            lines.append(f"== {section}")
        mark = "ok " if row.as_intended else "BAD"
        decision = "allowed" if row.allowed else "denied"
        lines.append(
            f"{mark} {row.principal:<38} {row.operation:<34} {decision:<7} "
            f"{_targets(row)}  <- {'; '.join(row.deciding) or '-'}"
        )
    return "\n".join(lines)


def render_mismatches(table: Sequence[Row]) -> str:
    """Every row decided against intent, with the deciding statements."""
    lines = []
    for row in table:
        if row.as_intended:
            continue
        want = "allowed" if row.intended else "denied"
        got = "allowed" if row.allowed else "denied"
        lines.append(
            f"- {row.principal} {row.operation} on {_targets(row)}: intended {want}, {got} by "
            f"{'; '.join(row.deciding)}"
        )
    return "\n".join(lines)


def reads_by_group(outcomes: Sequence[Outcome]) -> dict[str, dict[str, list[str]]]:
    """Per research session, project -> classifications it can read in every data bucket."""
    readable: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    denied: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for outcome in outcomes:
        cell = outcome.cell
        if cell.section != "research" or cell.operation != "read":
            continue
        project, classification = cell.target.rsplit(" ", 1)[1].split("/")
        if outcome.allowed:
            readable[cell.caller.label][project].add(classification)
        else:
            denied[cell.caller.label].add((project, classification))
    return {
        group: {
            project: sorted(c for c in classes if (project, c) not in denied[group])
            for project, classes in sorted(projects.items())
        }
        for group, projects in sorted(readable.items())
    }


def write_json(
    path: Path, stack: str, outcomes: Sequence[Outcome], seconds: float, requests: int
) -> None:
    """`build/access-<stack>.json`: every cell with its requests, decision and intent."""
    document = {
        "stack": stack,
        "engine": "@cloud-copilot/iam-simulate",
        "cells": len(outcomes),
        "requests": requests,
        "seconds": round(seconds, 2),
        "againstIntent": sum(not o.as_intended for o in outcomes),
        "readsByGroup": reads_by_group(outcomes),
        "outcomes": [
            {
                "section": o.cell.section,
                "principal": o.cell.caller.label,
                "principalArn": o.cell.caller.principal,
                "operation": o.cell.operation,
                "target": o.cell.target,
                "intended": "allowed" if o.cell.intended else "denied",
                "decision": "allowed" if o.allowed else "denied",
                "asIntended": o.as_intended,
                "why": o.cell.why,
                "deciding": list(o.deciding),
                "requests": [
                    {"action": c.action, "resource": c.resource, "context": dict(c.context)}
                    for c in o.cell.checks
                ],
            }
            for o in outcomes
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
