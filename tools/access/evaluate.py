"""Generate the matrix for a stack and decide every cell with the engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from settings.model import StackSettings
from tools.access.deny_intent import deny_intent_cells
from tools.access.engine import Decision, Request, evaluate
from tools.access.matrix import Cell, function_cells, research_cells, service_cells
from tools.access.platform_roles import platform_role_cells
from tools.access.stack import StackDocuments

__all__ = ["Outcome", "decide", "generate"]


@dataclass(frozen=True)
class Outcome:
    """A cell, the engine's decision, and the statements that decided it."""

    cell: Cell
    allowed: bool
    deciding: tuple[str, ...]
    """For a denial, each refused request's action and its denying statements; for an allow,
    the granting statements of each request."""

    @property
    def as_intended(self) -> bool:
        return self.allowed == self.cell.intended


def generate(stack: StackDocuments, settings: StackSettings) -> list[Cell]:
    """Every cell of the matrix for `stack`: what each principal needs, then what each role
    must not reach, generated from the former."""
    needed = [
        *research_cells(stack, settings),
        *function_cells(stack, settings),
        *service_cells(stack),
        *platform_role_cells(stack, settings),
    ]
    return [*needed, *deny_intent_cells(stack, settings, needed)]


def decide(
    stack: StackDocuments, cells: Sequence[Cell], policies: Mapping[str, Any] | None = None
) -> list[Outcome]:
    """Evaluate every request of every cell in one engine run."""
    requests: list[Request] = []
    for cell in cells:
        for check in cell.checks:
            context = {**cell.caller.context, **check.context}
            requests.append(
                Request(
                    principal=cell.caller.principal,
                    action=check.action,
                    resource=check.resource,
                    account=stack.account,
                    context=context,
                    identity_policies=cell.caller.policies,
                    resource_policy=stack.resource_policy_for(check.resource)
                    if check.resource != "*"
                    else None,
                )
            )
    decisions = evaluate(policies if policies is not None else stack.policies, requests)
    outcomes: list[Outcome] = []
    index = 0
    for cell in cells:
        mine: list[Decision] = decisions[index : index + len(cell.checks)]
        index += len(cell.checks)
        denied = [(c, d) for c, d in zip(cell.checks, mine, strict=True) if not d.allowed]
        if denied:
            # Every refused request is named: fixing the first must not hide the next one.
            deciding = tuple(
                dict.fromkeys(
                    item
                    for check, decision in denied
                    for item in (f"{check.action}: {decision.result}", *decision.deciding)
                )
            )
            outcomes.append(Outcome(cell, False, deciding))
        else:
            granted = tuple(dict.fromkeys(s for d in mine for s in d.deciding))
            outcomes.append(Outcome(cell, True, granted))
    return outcomes
