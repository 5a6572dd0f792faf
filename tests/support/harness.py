"""Run a piece of the program under the platform mocks and query what it registered."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tools.preview.program import RecordedResource, run_callable

__all__ = ["Registered", "json_input", "record"]


@dataclass(frozen=True)
class Registered:
    """The registrations of one run, with the lookups tests need."""

    resources: list[RecordedResource]

    def of_type(self, type_token: str) -> list[RecordedResource]:
        """Every resource of `type_token`, in registration order."""
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name: str | None = None) -> RecordedResource:
        """The single resource of `type_token` (and `name`); fails with what exists instead."""
        matches = [r for r in self.of_type(type_token) if name is None or r.name == name]
        if len(matches) != 1:
            names = [r.name for r in self.of_type(type_token)]
            raise AssertionError(f"expected one {type_token} named {name!r}, found {names}")
        return matches[0]

    def named(self, name: str) -> RecordedResource:
        """The resource with logical name `name`."""
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise AssertionError(f"expected one resource named {name!r}, found {len(matches)}")
        return matches[0]

    def children_of(self, parent_urn: str) -> list[RecordedResource]:
        """Resources whose parent is `parent_urn`."""
        return [r for r in self.resources if r.parent == parent_urn]


def json_input(resource: RecordedResource, key: str) -> Any:
    """An input that holds a JSON document (policies, definitions), decoded."""
    value = resource.inputs[key]
    return json.loads(value) if isinstance(value, str) else value


def record(
    build: Callable[[], None],
    *,
    config: Mapping[str, str] | None = None,
    stack: str = "test",
) -> Registered:
    """Run `build` under mocks (a fresh runtime each call) and return its registrations."""
    run = run_callable(build, "genomics", stack, config or {})
    return Registered(run.resources)
