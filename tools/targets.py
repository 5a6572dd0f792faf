"""`--target` flags for a partial first `pulumi up`, with everything the targets depend on.

`pulumi up --target URN` updates only the named resources, and a targeted resource whose
dependency is neither in the state nor targeted cannot be created. The network of a new
stack, for example, needs its explicit AWS provider and the log key its flow logs are
encrypted with. This renders the stack under mocks (URNs are built by the engine's rule, so
they are the real stack's), selects every resource under the given component types and adds,
transitively, each one's parent, provider, dependencies and property dependencies.

    pulumi up --stack prod \
        $(.venv/bin/python -m tools.targets --stack prod genomics:network:Network)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from tools.preview.program import RecordedResource

__all__ = ["closure", "main", "target_flags"]

ROOT: Final = Path(__file__).resolve().parents[1]


def _provider_urn(reference: str) -> str:
    """A provider reference is `urn::id`; default providers are created by the engine."""
    return reference.rsplit("::", 1)[0] if reference else ""


def closure(resources: Sequence[RecordedResource], component_types: Iterable[str]) -> list[str]:
    """URNs of the components of `component_types`, their descendants, and all they need."""
    by_urn = {r.urn: r for r in resources}
    wanted = set(component_types)
    chosen = {r.urn for r in resources if r.type in wanted}
    if not chosen:
        raise ValueError(f"no resource of type {', '.join(sorted(wanted))} in the stack")
    changed = True
    while changed:  # descendants of a chosen component
        changed = False
        for resource in resources:
            if resource.parent in chosen and resource.urn not in chosen:
                chosen.add(resource.urn)
                changed = True
    pending = list(chosen)
    while pending:  # what they depend on, transitively
        resource = by_urn[pending.pop()]
        needs = [
            resource.parent,
            _provider_urn(resource.provider),
            *resource.dependencies,
            *(urn for urns in resource.property_dependencies.values() for urn in urns),
        ]
        for urn in needs:
            if urn in by_urn and urn not in chosen:
                chosen.add(urn)
                pending.append(urn)
    return [r.urn for r in resources if r.urn in chosen]


def target_flags(urns: Iterable[str]) -> str:
    """`--target urn ...` for `$(...)`: the shell splits the output on blanks but never
    re-reads quotes or `$` in it, so URNs go unquoted (and a URN with a blank is refused)."""
    listed = list(urns)
    for urn in listed:
        if any(char.isspace() for char in urn):
            raise ValueError(f"URN with a blank cannot be passed through $(...): {urn!r}")
    return " ".join(f"--target {urn}" for urn in listed)


def main(argv: list[str] | None = None) -> int:
    """Print the flags; exit 2 when a type matches nothing or the config is invalid."""
    from tools.preview.program import run_program
    from tools.preview.stack_config import StackConfigError, load_project, load_stack_config

    parser = argparse.ArgumentParser(prog="python -m tools.targets", description=__doc__)
    parser.add_argument("--stack", default="prod")
    parser.add_argument(
        "types", nargs="+", help="component type tokens, e.g. genomics:network:Network"
    )
    args = parser.parse_args(argv)
    try:
        run = run_program(
            ROOT, load_project(ROOT).name, args.stack, load_stack_config(ROOT, args.stack)
        )
        print(target_flags(closure(run.resources, args.types)))
    except (StackConfigError, ValueError) as error:
        sys.stderr.write(f"targets: {error}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
