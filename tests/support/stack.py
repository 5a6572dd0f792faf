"""The whole program rendered under the platform mocks, once per stack and configuration.

Tests that check facts across components (a key policy admits the service that uses the key,
a mapping waits for its method response) read the same registrations `make preview` records.
Every whole-stack test module shares one run per (stack, config) for the test session
(`rendered_run`): a run of prod takes seconds, and eight modules used to make their own. The
registrations are read-only by contract: a test that edits one copies it first
(`dataclasses.replace`, a new `Struct`), as tests/policies/test_rendered_stack_mutations.py does.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from tests.support.harness import Registered
from tools.preview.program import ProgramRun, RecordedResource, run_program
from tools.preview.stack_config import load_stack_config

__all__ = ["ROOT", "StackView", "rendered", "rendered_run", "stack_config"]

ROOT = Path(__file__).resolve().parents[2]


class StackView(Registered):
    """Registrations of one program run, with the cross-resource lookups tests need."""

    def by_urn(self, urn: str) -> RecordedResource:
        """The resource registered under `urn`."""
        matches = [r for r in self.resources if r.urn == urn]
        if len(matches) != 1:
            raise AssertionError(f"expected one resource with URN {urn}, found {len(matches)}")
        return matches[0]

    def referenced(self, resource: RecordedResource, prop: str) -> list[RecordedResource]:
        """The resources whose outputs flowed into `prop` (engine camelCase) of `resource`."""
        return [self.by_urn(urn) for urn in resource.property_dependencies.get(prop, ())]

    def referencing(
        self, type_token: str, prop: str, target: RecordedResource
    ) -> Iterator[RecordedResource]:
        """Resources of `type_token` whose `prop` was computed from `target`."""
        for resource in self.of_type(type_token):
            if target.urn in resource.property_dependencies.get(prop, ()):
                yield resource


def stack_config(stack: str, overrides: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    """`stack`'s config as the preview reads it, with `overrides` (fully qualified keys)."""
    return {**load_stack_config(ROOT, stack), **dict(overrides)}


@functools.cache
def rendered_run(stack: str, overrides: tuple[tuple[str, str], ...] = ()) -> ProgramRun:
    """The program run for `stack`'s config with `overrides`, once per test session."""
    return run_program(ROOT, "genomics", stack, stack_config(stack, overrides))


@functools.cache
def rendered(stack: str, overrides: tuple[tuple[str, str], ...] = ()) -> StackView:
    """The registrations of `rendered_run(stack, overrides)`, with the cross-resource lookups."""
    return StackView(rendered_run(stack, overrides).resources)
