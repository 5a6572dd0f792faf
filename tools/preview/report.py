"""Turn a preview into what people read (tree, policy report, verdict) and what CI keeps (JSON)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pulumi.runtime import rpc

from tools.preview.analyzer import PackInfo, Violation
from tools.preview.program import ProgramMessage, RecordedResource

__all__ = [
    "PreviewResult",
    "Timings",
    "render_outputs",
    "render_policy_report",
    "render_program_messages",
    "render_summary",
    "render_tree",
    "to_document",
    "verdict",
    "write_json",
]

_ENFORCEMENT_ORDER: Final = ("mandatory", "remediate", "advisory", "disabled")
_SEVERITY_ORDER: Final = ("critical", "high", "medium", "low", "unspecified")


@dataclass(frozen=True)
class Timings:
    """Where a preview's time went; the pack analyses while the program runs."""

    program: float
    """Seconds from the start until the program's last registration (pack start-up overlaps)."""
    pack_after_program: float
    """Seconds the pack still needed after the program ended (last `Analyze`s, `AnalyzeStack`)."""
    total: float
    source: str = "run"
    """Where the report came from: "run", or which stored part of an earlier run was reused."""


@dataclass(frozen=True)
class PreviewResult:
    """Everything one offline preview produced."""

    project: str
    stack: str
    resources: Sequence[RecordedResource]
    pack: PackInfo
    violations: Sequence[Violation]
    config: Mapping[str, str] = field(default_factory=dict)
    """The stack config the pack was started and configured with."""
    providers: Sequence[RecordedResource] = ()
    """Every provider resource an `Analyze` request carried (explicit and default ones)."""
    timings: Timings | None = None
    replayed: bool = False
    """Analysed from a record: the program did not run, so there is no program time."""
    messages: Sequence[ProgramMessage] = ()
    """What the program logged (`pulumi.log`), as the CLI prints it above the diagnostics."""
    outputs: Mapping[str, Any] = field(default_factory=dict)
    """The stack outputs as exported (mock values; secrets and unknowns marked)."""

    @property
    def mandatory(self) -> list[Violation]:
        """Violations that block a deployment."""
        return [v for v in self.violations if v.enforcement == "mandatory"]


def _short(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if urn else "(stack)"


def render_tree(resources: Sequence[RecordedResource]) -> str:
    """Components as a tree, each with the count of resources under it by type."""
    children: dict[str, list[RecordedResource]] = {}
    for resource in resources:
        children.setdefault(resource.parent, []).append(resource)
    known = {r.urn for r in resources}

    def descendants(urn: str) -> Iterable[RecordedResource]:
        for child in children.get(urn, []):
            yield child
            yield from descendants(child.urn)

    lines: list[str] = []

    def walk(urn: str, depth: int) -> None:
        for child in children.get(urn, []):
            if child.custom:
                continue
            below = [d for d in descendants(child.urn) if d.custom]
            lines.append(f"{'  ' * depth}{child.type}  {child.name}  ({len(below)} resources)")
            direct = Counter(d.type for d in children.get(child.urn, []) if d.custom)
            for type_token, count in sorted(direct.items()):
                lines.append(f"{'  ' * (depth + 1)}· {type_token} ×{count}")
            walk(child.urn, depth + 1)

    roots = [urn for urn in children if urn not in known]
    for root in roots:
        top_level = Counter(r.type for r in children.get(root, []) if r.custom)
        for type_token, count in sorted(top_level.items()):
            lines.append(f"· {type_token} ×{count}")
        walk(root, 0)
    custom = sum(1 for r in resources if r.custom)
    lines.append(
        f"{len(resources)} resources: {custom} cloud resources, "
        f"{len(resources) - custom} components"
    )
    return "\n".join(lines)


_EXAMPLES: Final = 3
"""Resources named in a grouped diagnostic; the rest are counted."""


def _cause(violation: Violation) -> str:
    """The diagnostic's last line with its own resource's name taken out, so that one root
    cause (a dropped default tag) reads the same on every resource it hits."""
    detail = violation.message.splitlines()[-1]
    name = _short(violation.urn)
    return detail.replace(name, "<resource>") if violation.urn and name in detail else detail


def _grouped(violations: Iterable[Violation]) -> list[list[Violation]]:
    """Violations of one policy with one cause, in the order each cause first appeared."""
    groups: dict[tuple[str, str], list[Violation]] = {}
    for violation in violations:
        groups.setdefault((violation.policy, _cause(violation)), []).append(violation)
    return list(groups.values())


def _fix_line(remedy: str | None, detail: str) -> list[str]:
    """The pack's remedy, unless the diagnostic carries a fix that fits its own case."""
    if not remedy or "(fix: " in detail:
        return []
    return [f"      fix: {remedy}"]


def render_policy_report(pack: PackInfo, violations: Sequence[Violation]) -> str:
    """Violations grouped by enforcement then severity, each with its resource and remedy.

    Diagnostics that share a policy and a cause print once, with the count and a few of the
    resources: one dropped default tag is one entry, not one per taggable resource.
    """
    remedies = {p.name: p.remediation for p in pack.policies}
    lines = [f"Policy pack {pack.name}@{pack.version}: {len(pack.policies)} policies"]
    if not violations:
        lines.append("  no violations")
        return "\n".join(lines)
    for enforcement in _ENFORCEMENT_ORDER:
        group = [v for v in violations if v.enforcement == enforcement]
        if not group:
            continue
        lines.append(f"{enforcement.upper()} ({len(group)})")
        for severity in _SEVERITY_ORDER:
            for same in _grouped(v for v in group if v.severity == severity):
                first = same[0]
                if len(same) == 1:
                    detail = first.message.splitlines()[-1]
                    lines.append(f"  [{severity}] {first.policy}  {_short(first.urn)}")
                else:
                    detail = _cause(first)
                    # Sorted: registration order varies between runs, the report must not.
                    named = ", ".join(sorted(_short(v.urn) for v in same)[:_EXAMPLES])
                    more = f" and {len(same) - _EXAMPLES} more" if len(same) > _EXAMPLES else ""
                    lines.append(
                        f"  [{severity}] {first.policy}  ×{len(same)} resources: {named}{more}"
                    )
                lines.append(f"      {detail}")
                lines += _fix_line(remedies.get(first.policy), detail)
    return "\n".join(lines)


_WIDTH: Final = 100


def _output_text(value: Any) -> str:
    if isinstance(value, dict) and rpc._special_sig_key in value:
        return "[secret]"
    if value == rpc.UNKNOWN:
        return "(known after update)"
    text = value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "))
    return text if len(text) <= _WIDTH - 30 else text[: _WIDTH - 33] + "..."


def render_outputs(outputs: Mapping[str, Any]) -> str:
    """`Outputs:` as the CLI prints them after a run (values are the mocks' placeholders)."""
    if not outputs:
        return ""
    width = max(len(name) for name in outputs)
    lines = ["Outputs (placeholder values under mocks; docs/outputs.md says what each is):"]
    lines += [
        f"  {name.ljust(width)}  {_output_text(value)}" for name, value in sorted(outputs.items())
    ]
    return "\n".join(lines)


def render_program_messages(messages: Sequence[ProgramMessage]) -> str:
    """The program's own log lines, labelled as the CLI labels them; empty when there are none."""
    if not messages:
        return ""
    lines = ["Program messages:"]
    lines += [f"  {m.severity}: {m.text}" for m in messages if m.severity != "debug"]
    return "\n".join(lines)


def render_summary(result: PreviewResult) -> str:
    """Violation counts per enforcement and severity, and where the time went."""
    counts = Counter((v.enforcement, v.severity) for v in result.violations)
    parts = [
        f"{enforcement} {severity} {counts[(enforcement, severity)]}"
        for enforcement in _ENFORCEMENT_ORDER
        for severity in _SEVERITY_ORDER
        if counts[(enforcement, severity)]
    ]
    lines = ["Violations: " + (", ".join(parts) if parts else "none")]
    if result.timings is not None and result.replayed:
        lines.append(
            f"Time: pack {result.timings.total:.1f} s (a replayed record: the program did not run)"
        )
    elif result.timings is not None:
        t = result.timings
        lines.append(
            f"Time: program {t.program:.1f} s (pack analysing alongside), "
            f"pack after the program {t.pack_after_program:.1f} s, total {t.total:.1f} s"
            + ("" if t.source == "run" else f"; from the {t.source}")
        )
    return "\n".join(lines)


def verdict(result: PreviewResult, seconds: float) -> str:
    """One line: pass or fail, with counts and time."""
    advisory = len(result.violations) - len(result.mandatory)
    status = "FAILED" if result.mandatory else "PASSED"
    return (
        f"{status}: stack {result.stack}, {len(result.resources)} resources, "
        f"{len(result.mandatory)} mandatory and {advisory} other violations "
        f"({seconds:.1f} s)"
    )


def to_document(result: PreviewResult) -> dict[str, Any]:
    """The JSON document CI keeps: resources exactly as analyzed and the policy outcome."""
    return {
        "stack": result.stack,
        "project": result.project,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "provider": r.provider,
                "custom": r.custom,
                "dependencies": list(r.dependencies),
                "propertyDependencies": {k: list(v) for k, v in r.property_dependencies.items()},
                "inputs": r.inputs,
            }
            for r in result.resources
        ],
        "config": dict(result.config),
        "providers": [
            {"urn": p.urn, "type": p.type, "name": p.name, "inputs": p.inputs}
            for p in result.providers
        ],
        "timings": (
            {
                "programSeconds": round(result.timings.program, 3),
                "packAfterProgramSeconds": round(result.timings.pack_after_program, 3),
                "totalSeconds": round(result.timings.total, 3),
                "source": result.timings.source,
            }
            if result.timings is not None
            else None
        ),
        "policy": {
            "pack": result.pack.name,
            "version": result.pack.version,
            "policies": [
                {
                    "name": p.name,
                    "enforcement": p.enforcement,
                    "severity": p.severity,
                    "kind": p.kind,
                }
                for p in result.pack.policies
            ],
            "violations": [
                {
                    "policy": v.policy,
                    "enforcement": v.enforcement,
                    "severity": v.severity,
                    "urn": v.urn,
                    "message": v.message,
                }
                for v in result.violations
            ],
        },
    }


def write_json(result: PreviewResult, path: Path) -> None:
    """Write `to_document(result)` to `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_document(result), indent=2, sort_keys=False) + "\n", "utf-8")
