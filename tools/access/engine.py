"""The IAM evaluation engine: `@cloud-copilot/iam-simulate`, run once per matrix with Node.js.

A hand-written evaluator would restate AWS's evaluation logic and its mistakes would agree with
ours; iam-simulate implements it independently (identity and resource policies, explicit deny,
same-account rules, every condition operator with `IfExists` and set qualifiers, policy
variables, `Null`) and names the statements that decided. The requests of a matrix go to
`node` over stdin/stdout in as few processes as there are cores (two on the project's machines),
each given a contiguous share: a matrix of thousands of cells costs one start-up per core, and
the shares are decided side by side (the prod matrix: about 4 s in one process).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = ["NODE_DIR", "Decision", "EngineError", "Request", "evaluate"]

NODE_DIR: Final = Path(__file__).resolve().parent / "node"
"""The pinned engine: package.json + package-lock.json, installed by `make setup` (`npm ci`)."""

_SCRIPT: Final = NODE_DIR / "evaluate.mjs"
_PROCESSES: Final = max(1, min(2, os.cpu_count() or 1))
_MIN_SHARE: Final = 200
"""Fewer requests than this per process are not worth another engine start-up."""


class EngineError(RuntimeError):
    """The engine is missing, failed, or rejected a request as malformed."""


@dataclass(frozen=True)
class Request:
    """One authorization request: who, what, on which ARN, with which request context."""

    principal: str
    action: str
    resource: str
    account: str
    context: Mapping[str, str | list[str]]
    identity_policies: tuple[str, ...]
    """Ids into the policy table (inline, attached or AWS managed)."""
    resource_policy: str | None


@dataclass(frozen=True)
class Decision:
    """The engine's answer and the statements that decided it."""

    result: str
    """`Allowed`, `ExplicitlyDenied` or `ImplicitlyDenied`."""
    deciding: tuple[str, ...]
    """`<policy>#<Sid or index>` of the denying statements (or the granting ones if allowed)."""

    @property
    def allowed(self) -> bool:
        return self.result == "Allowed"


def _statement_name(reason: Mapping[str, Any], resource_policy: str | None) -> str:
    policy = reason.get("policyIdentifier") if reason.get("policyType") != "resource" else None
    policy = (
        policy
        or reason.get("policyIdentifier")
        or (resource_policy if reason.get("policyType") == "resource" else reason.get("policyType"))
    )
    if reason.get("policyType") == "decision-only":
        return f"{policy} (decision only)"
    if reason.get("denialType") == "Implicit":
        return f"{policy or reason.get('policyType')}: no Allow"
    statement = reason.get("statementId") or f"statement {reason.get('statementIndex')}"
    return f"{policy}#{statement}"


def _run_engine(
    executable: str, policies: Mapping[str, Any], requests: list[dict[str, Any]]
) -> dict[str, Any]:
    """One engine process over `requests`, given only the policies they name."""
    used = {i for r in requests for i in r["identityPolicies"]} | {
        r["resourcePolicy"] for r in requests if r["resourcePolicy"]
    }
    payload = {"policies": {i: policies[i] for i in sorted(used)}, "requests": requests}
    completed = subprocess.run(
        [executable, str(_SCRIPT)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=False,
        cwd=NODE_DIR,
    )
    if completed.returncode != 0:
        raise EngineError(f"the engine failed: {completed.stderr.strip()[-2000:]}")
    answer: dict[str, Any] = json.loads(completed.stdout)
    return answer


def evaluate(
    policies: Mapping[str, Any], requests: Sequence[Request], *, node: str | None = None
) -> list[Decision]:
    """Evaluate `requests` against the policy table (one engine process per share)."""
    executable = node or shutil.which("node")
    if executable is None:
        raise EngineError("node is not on PATH; install Node.js 20 (see README)")
    if not (NODE_DIR / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        raise EngineError(f"the engine is not installed: run `make setup` (npm ci in {NODE_DIR})")
    # A matrix repeats requests (the same key decrypt behind every read of a bucket): each
    # distinct request is evaluated once.
    wire = [
        json.dumps(
            {
                "principal": r.principal,
                "action": r.action,
                "resource": r.resource,
                "account": r.account,
                "context": dict(sorted(r.context.items())),
                "identityPolicies": list(r.identity_policies),
                "resourcePolicy": r.resource_policy,
            }
        )
        for r in requests
    ]
    distinct = list(dict.fromkeys(wire))
    position = {text: index for index, text in enumerate(distinct)}
    sent = [json.loads(t) for t in distinct]
    shares = max(1, min(_PROCESSES, len(sent) // _MIN_SHARE))
    size = -(-len(sent) // shares) if sent else 0
    chunks = [sent[start : start + size] for start in range(0, len(sent), size)] if sent else [[]]
    with ThreadPoolExecutor(len(chunks)) as pool:
        answers = list(pool.map(lambda chunk: _run_engine(executable, policies, chunk), chunks))
    missing = sorted({name for answer in answers for name in answer["missingManagedPolicies"]})
    if missing:
        raise EngineError(f"unknown AWS managed policies: {missing}")
    answer = {"results": [result for answer in answers for result in answer["results"]]}
    results = answer["results"]
    decisions: list[Decision] = []
    for request, text in zip(requests, wire, strict=True):
        result = results[position[text]]
        if result["decision"] == "Error":
            message = result["errors"].get("message", result["errors"])
            raise EngineError(
                f"{request.action} on {request.resource} by {request.principal}: {message}"
            )
        if result["decision"] == "Allowed":
            reasons = result["grants"]
        else:
            explicit = [r for r in result["denials"] if r.get("denialType") == "Explicit"]
            reasons = explicit or result["denials"]
        deciding = tuple(
            dict.fromkeys(_statement_name(reason, request.resource_policy) for reason in reasons)
        )
        decisions.append(Decision(result["decision"], deciding))
    return decisions
