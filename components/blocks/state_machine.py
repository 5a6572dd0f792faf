"""A typed builder for Amazon States Language (ASL) definitions, and a structural validator.

Step Functions accepts a definition that is valid JSON and rejects a broken one only when the
state machine is created, which offline previews never do. Writing the workflow as typed
dataclasses makes a misspelt field a type error, and `validate` catches the structural mistakes
the service would catch (dangling `Next`, unreachable states, no terminal state) plus the
platform's own rule that every Task retries transient errors and catches the rest.

Only the states the platform uses are modelled (Task, Choice, Pass, Fail, Succeed, and a
Distributed Map over an S3 listing) with the JSONPath query language; `Parameters` values may be
ASL paths (keys ending in `.$`).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

__all__ = [
    "Catch",
    "Choice",
    "ChoiceRule",
    "Definition",
    "DefinitionError",
    "DistributedMap",
    "Fail",
    "ItemBatcher",
    "ItemReader",
    "Pass",
    "ResultWriter",
    "Retry",
    "State",
    "Succeed",
    "Task",
    "all_of",
    "is_present",
    "problems",
    "string_equals",
    "validate",
]

STATES_ALL: Final = "States.ALL"
"""The wildcard error name; ASL requires it to be alone and in the last Retry/Catch entry."""

_MAX_STATE_NAME: Final = 80
S3_LIST_OBJECTS_V2: Final = "arn:aws:states:::s3:listObjectsV2"
"""ItemReader resource that lists objects (one item per object: Key, Size, LastModified, ...)."""
S3_PUT_OBJECT: Final = "arn:aws:states:::s3:putObject"
"""ResultWriter resource that writes a Map Run's results to S3."""
_MAX_BATCH_BYTES: Final = 256 * 1024
"""ItemBatcher.MaxInputBytesPerBatch upper bound (the state payload limit)."""


class DefinitionError(ValueError):
    """A definition the Step Functions service would reject, or that breaks a platform rule."""

    def __init__(self, found: Sequence[str]) -> None:
        self.problems = tuple(found)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"state machine definition is invalid:\n{listing}")


@dataclass(frozen=True)
class Retry:
    """Retry a Task on the named errors with exponential backoff and jitter."""

    error_equals: tuple[str, ...]
    interval_seconds: int = 2
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: int = 60
    jitter: Literal["FULL", "NONE"] = "FULL"

    def render(self) -> dict[str, Any]:
        """The Retrier object."""
        return {
            "ErrorEquals": list(self.error_equals),
            "IntervalSeconds": self.interval_seconds,
            "MaxAttempts": self.max_attempts,
            "BackoffRate": self.backoff_rate,
            "MaxDelaySeconds": self.max_delay_seconds,
            "JitterStrategy": self.jitter,
        }


@dataclass(frozen=True)
class Catch:
    """Send the named errors to `next`, keeping the error object at `result_path`."""

    error_equals: tuple[str, ...]
    next: str
    result_path: str = "$.error"

    def render(self) -> dict[str, Any]:
        """The Catcher object."""
        return {
            "ErrorEquals": list(self.error_equals),
            "Next": self.next,
            "ResultPath": self.result_path,
        }


@dataclass(frozen=True)
class Task:
    """Call a service integration (`arn:aws:states:::service:action`) or an HTTPS endpoint."""

    resource: str
    parameters: Mapping[str, Any]
    retry: tuple[Retry, ...]
    catch: tuple[Catch, ...]
    next: str | None = None
    end: bool = False
    result_path: str | None = "$.result"
    """Where the service's answer goes; `None` discards it (ASL `"ResultPath": null`)."""
    result_selector: Mapping[str, Any] | None = None
    timeout_seconds: int = 60
    comment: str = ""

    def render(self) -> dict[str, Any]:
        """The Task state object."""
        state: dict[str, Any] = {"Type": "Task", "Resource": self.resource}
        if self.comment:
            state["Comment"] = self.comment
        state["Parameters"] = dict(self.parameters)
        if self.result_selector is not None:
            state["ResultSelector"] = dict(self.result_selector)
        state["ResultPath"] = self.result_path
        state["TimeoutSeconds"] = self.timeout_seconds
        if self.retry:
            state["Retry"] = [retry.render() for retry in self.retry]
        if self.catch:
            state["Catch"] = [catch.render() for catch in self.catch]
        state.update(_transition(self.next, self.end))
        return state


@dataclass(frozen=True)
class ChoiceRule:
    """One branch of a Choice: a condition (built with the helpers below) and its target."""

    condition: Mapping[str, Any]
    next: str

    def render(self) -> dict[str, Any]:
        """The Choice Rule object."""
        return {**self.condition, "Next": self.next}


@dataclass(frozen=True)
class Choice:
    """Branch on the input; `default` runs when no rule matches."""

    choices: tuple[ChoiceRule, ...]
    default: str | None = None
    comment: str = ""

    def render(self) -> dict[str, Any]:
        """The Choice state object."""
        state: dict[str, Any] = {"Type": "Choice"}
        if self.comment:
            state["Comment"] = self.comment
        state["Choices"] = [rule.render() for rule in self.choices]
        if self.default is not None:
            state["Default"] = self.default
        return state


@dataclass(frozen=True)
class Pass:
    """Reshape the input without calling anything."""

    parameters: Mapping[str, Any] | None = None
    result_path: str | None = "$"
    next: str | None = None
    end: bool = False
    comment: str = ""

    def render(self) -> dict[str, Any]:
        """The Pass state object."""
        state: dict[str, Any] = {"Type": "Pass"}
        if self.comment:
            state["Comment"] = self.comment
        if self.parameters is not None:
            state["Parameters"] = dict(self.parameters)
        state["ResultPath"] = self.result_path
        state.update(_transition(self.next, self.end))
        return state


@dataclass(frozen=True)
class Fail:
    """End the execution as failed with an error name and a cause that carries no data."""

    error: str
    cause: str

    def render(self) -> dict[str, Any]:
        """The Fail state object."""
        return {"Type": "Fail", "Error": self.error, "Cause": self.cause}


@dataclass(frozen=True)
class Succeed:
    """End the execution successfully."""

    def render(self) -> dict[str, Any]:
        """The Succeed state object."""
        return {"Type": "Succeed"}


@dataclass(frozen=True)
class ItemReader:
    """Where a Distributed Map reads its items; `S3_LIST_OBJECTS_V2` lists a bucket prefix."""

    parameters: Mapping[str, Any]
    """For listObjectsV2: `Bucket` (or `Bucket.$`) and optionally `Prefix` (or `Prefix.$`)."""
    resource: str = S3_LIST_OBJECTS_V2
    max_items: int | None = None

    def render(self) -> dict[str, Any]:
        """The ItemReader object."""
        reader: dict[str, Any] = {"Resource": self.resource, "Parameters": dict(self.parameters)}
        if self.max_items is not None:
            reader["ReaderConfig"] = {"MaxItems": self.max_items}
        return reader


@dataclass(frozen=True)
class ItemBatcher:
    """Hand each child execution a batch `{"Items": [...], "BatchInput": {...}}`."""

    max_items_per_batch: int
    max_input_bytes_per_batch: int | None = None
    batch_input: Mapping[str, Any] = field(default_factory=dict)

    def render(self) -> dict[str, Any]:
        """The ItemBatcher object."""
        batcher: dict[str, Any] = {"MaxItemsPerBatch": self.max_items_per_batch}
        if self.max_input_bytes_per_batch is not None:
            batcher["MaxInputBytesPerBatch"] = self.max_input_bytes_per_batch
        if self.batch_input:
            batcher["BatchInput"] = dict(self.batch_input)
        return batcher


@dataclass(frozen=True)
class ResultWriter:
    """Write the Map Run's results (and a manifest) to `bucket` under `prefix`."""

    bucket: str
    prefix: str
    resource: str = S3_PUT_OBJECT

    def render(self) -> dict[str, Any]:
        """The ResultWriter object."""
        return {
            "Resource": self.resource,
            "Parameters": {"Bucket": self.bucket, "Prefix": self.prefix},
        }


@dataclass(frozen=True)
class DistributedMap:
    """A Map state in DISTRIBUTED mode: each batch of items runs as a child workflow."""

    item_reader: ItemReader
    processor: Definition
    """The child workflow (its `timeout_seconds`/`extra` are not rendered: ASL has none there)."""
    catch: tuple[Catch, ...]
    item_batcher: ItemBatcher | None = None
    item_selector: Mapping[str, Any] | None = None
    execution_type: Literal["EXPRESS", "STANDARD"] = "EXPRESS"
    max_concurrency: int = 0
    """Child executions at once; 0 lets Step Functions decide (up to 10,000)."""
    tolerated_failure_percentage: float = 0
    result_writer: ResultWriter | None = None
    result_path: str | None = "$.map"
    retry: tuple[Retry, ...] = ()
    label: str = ""
    next: str | None = None
    end: bool = False
    comment: str = ""

    def render(self) -> dict[str, Any]:
        """The Map state object."""
        state: dict[str, Any] = {"Type": "Map"}
        if self.comment:
            state["Comment"] = self.comment
        state["ItemReader"] = self.item_reader.render()
        if self.item_selector is not None:
            state["ItemSelector"] = dict(self.item_selector)
        if self.item_batcher is not None:
            state["ItemBatcher"] = self.item_batcher.render()
        state["ItemProcessor"] = {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": self.execution_type},
            "StartAt": self.processor.start_at,
            "States": {name: s.render() for name, s in self.processor.states.items()},
        }
        state["MaxConcurrency"] = self.max_concurrency
        state["ToleratedFailurePercentage"] = self.tolerated_failure_percentage
        if self.label:
            state["Label"] = self.label
        if self.result_writer is not None:
            state["ResultWriter"] = self.result_writer.render()
        state["ResultPath"] = self.result_path
        if self.retry:
            state["Retry"] = [retry.render() for retry in self.retry]
        if self.catch:
            state["Catch"] = [catch.render() for catch in self.catch]
        state.update(_transition(self.next, self.end))
        return state


State = Task | Choice | Pass | Fail | Succeed | DistributedMap
"""Every state type the builder models."""


@dataclass(frozen=True)
class Definition:
    """A whole state machine: where it starts and its named states (in reading order)."""

    start_at: str
    states: Mapping[str, State]
    comment: str = ""
    timeout_seconds: int = 3600
    """Upper bound of one execution, so a stuck integration cannot run for a year."""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def render(self) -> dict[str, Any]:
        """The ASL document as a dictionary."""
        document: dict[str, Any] = {}
        if self.comment:
            document["Comment"] = self.comment
        document["StartAt"] = self.start_at
        document["TimeoutSeconds"] = self.timeout_seconds
        document["States"] = {name: state.render() for name, state in self.states.items()}
        document.update(self.extra)
        return document

    def to_json(self) -> str:
        """The ASL document as the JSON text `aws.sfn.StateMachine(definition=...)` takes."""
        return json.dumps(self.render(), indent=2, sort_keys=False)


# ---- Choice conditions ----


def is_present(variable: str) -> dict[str, Any]:
    """The field at `variable` exists in the input."""
    return {"Variable": variable, "IsPresent": True}


def string_equals(variable: str, value: str) -> dict[str, Any]:
    """The field at `variable` is the string `value`."""
    return {"Variable": variable, "StringEquals": value}


def all_of(*conditions: Mapping[str, Any]) -> dict[str, Any]:
    """Every condition holds (ASL `And`)."""
    return {"And": [dict(condition) for condition in conditions]}


# ---- validation ----


def _transition(next_state: str | None, end: bool) -> dict[str, Any]:
    if end:
        return {"End": True}
    return {"Next": next_state} if next_state is not None else {}


def _targets(state: State) -> list[tuple[str, str]]:
    """(role, target) for every transition out of `state`."""
    targets: list[tuple[str, str]] = []
    if isinstance(state, Task | Pass | DistributedMap) and state.next is not None:
        targets.append(("Next", state.next))
    if isinstance(state, Task | DistributedMap):
        targets.extend(("Catch", catch.next) for catch in state.catch)
    if isinstance(state, Choice):
        targets.extend(("Choices", rule.next) for rule in state.choices)
        if state.default is not None:
            targets.append(("Default", state.default))
    return targets


def _error_list_problems(name: str, kind: str, lists: Sequence[tuple[str, ...]]) -> list[str]:
    found: list[str] = []
    for index, errors in enumerate(lists):
        if not errors:
            found.append(f"{name}: {kind}[{index}].ErrorEquals is empty; name the errors")
        if STATES_ALL in errors and (len(errors) > 1 or index != len(lists) - 1):
            found.append(
                f"{name}: {kind}[{index}] uses {STATES_ALL} with other errors or not last; "
                f"put {STATES_ALL} alone in the last entry"
            )
    return found


def _state_problems(name: str, state: State) -> list[str]:
    found: list[str] = []
    if len(name) > _MAX_STATE_NAME:
        found.append(f"{name[:20]}…: state names are at most {_MAX_STATE_NAME} characters")
    if isinstance(state, Task | Pass | DistributedMap) and (state.next is None) == (not state.end):
        found.append(f"{name}: set exactly one of next=… or end=True")
    if isinstance(state, Choice) and not state.choices:
        found.append(f"{name}: a Choice needs at least one rule")
    if isinstance(state, Task):
        if not state.retry:
            found.append(f"{name}: Task has no Retry; retry transient errors with backoff")
        if not state.catch:
            found.append(f"{name}: Task has no Catch; route failures to the alert path")
        found += _error_list_problems(name, "Retry", [r.error_equals for r in state.retry])
        found += _error_list_problems(name, "Catch", [c.error_equals for c in state.catch])
    if isinstance(state, DistributedMap):
        found += _map_problems(name, state)
    return found


def _map_problems(name: str, state: DistributedMap) -> list[str]:
    found: list[str] = []
    if not state.catch:
        found.append(f"{name}: Map has no Catch; route a failed Map Run to the alert path")
    found += _error_list_problems(name, "Retry", [r.error_equals for r in state.retry])
    found += _error_list_problems(name, "Catch", [c.error_equals for c in state.catch])
    if state.item_reader.resource == S3_LIST_OBJECTS_V2 and not any(
        key in state.item_reader.parameters for key in ("Bucket", "Bucket.$")
    ):
        found.append(f"{name}: ItemReader listObjectsV2 needs Parameters.Bucket (or Bucket.$)")
    if not 0 <= state.tolerated_failure_percentage <= 100:
        found.append(f"{name}: ToleratedFailurePercentage must be between 0 and 100")
    if state.max_concurrency < 0:
        found.append(f"{name}: MaxConcurrency must be 0 (no limit) or more")
    batcher = state.item_batcher
    if batcher is not None:
        if batcher.max_items_per_batch < 1:
            found.append(f"{name}: ItemBatcher.MaxItemsPerBatch must be at least 1")
        size = batcher.max_input_bytes_per_batch
        if size is not None and not 1 <= size <= _MAX_BATCH_BYTES:
            found.append(f"{name}: ItemBatcher.MaxInputBytesPerBatch must be 1-{_MAX_BATCH_BYTES}")
    writer = state.result_writer
    if writer is not None and not writer.bucket:
        found.append(f"{name}: ResultWriter needs a bucket")
    found += [f"{name}.ItemProcessor: {problem}" for problem in problems(state.processor)]
    return found


def _reachable(definition: Definition) -> set[str]:
    seen: set[str] = set()
    queue = deque([definition.start_at])
    while queue:
        current = queue.popleft()
        if current in seen or current not in definition.states:
            continue
        seen.add(current)
        queue.extend(target for _, target in _targets(definition.states[current]))
    return seen


def _is_terminal(state: State) -> bool:
    return isinstance(state, Fail | Succeed) or (
        isinstance(state, Task | Pass | DistributedMap) and state.end
    )


def problems(definition: Definition) -> list[str]:
    """Every structural problem of `definition`, each naming the state and the fix."""
    found: list[str] = []
    if not definition.states:
        return ["States is empty; add at least one state"]
    if definition.start_at not in definition.states:
        found.append(
            f"StartAt {definition.start_at!r} is not a state; use one of {list(definition.states)}"
        )
    for name, state in definition.states.items():
        found += _state_problems(name, state)
        for role, target in _targets(state):
            if target not in definition.states:
                found.append(f"{name}: {role} points to missing state {target!r}")
    reachable = _reachable(definition)
    unreachable = [name for name in definition.states if name not in reachable]
    if unreachable and definition.start_at in definition.states:
        found.append(f"states {unreachable} are unreachable from {definition.start_at!r}")
    if not any(_is_terminal(state) for state in definition.states.values()):
        found.append("no terminal state (Succeed, Fail or end=True); executions could not end")
    return found


def validate(definition: Definition) -> Definition:
    """Return `definition` unchanged, or raise DefinitionError listing every problem."""
    found = problems(definition)
    if found:
        raise DefinitionError(found)
    return definition
