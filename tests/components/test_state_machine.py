"""The ASL builder and validator: the sync workflow is well formed, broken definitions are not."""

from __future__ import annotations

import dataclasses
import json

import pytest

from components.blocks.state_machine import (
    Catch,
    Definition,
    DefinitionError,
    Fail,
    Pass,
    Retry,
    State,
    Succeed,
    Task,
    problems,
    validate,
)
from components.lab.sync_workflow import SyncRefs, sync_definition

REFS = SyncRefs(
    table_name="lab-table",
    event_bus_arn="arn:aws:events:ap-south-1:111122223333:event-bus/lab",
    alerts_topic_arn="arn:aws:sns:ap-south-1:111122223333:alerts",
    eln_endpoint="https://eln.example.org/hooks",
    eln_connection_arn="arn:aws:events:ap-south-1:111122223333:connection/eln/1",
)


def _task(next_state: str | None = "Done", *, catch: bool = True) -> Task:
    return Task(
        resource="arn:aws:states:::sns:publish",
        parameters={"TopicArn": "t", "Message": "m"},
        retry=(Retry(("States.TaskFailed",)),),
        catch=(Catch(("States.ALL",), "Failed"),) if catch else (),
        next=next_state,
    )


def _minimal(**states: State) -> Definition:
    base: dict[str, State] = {"Start": _task(), "Done": Succeed(), "Failed": Fail("E", "c")}
    base.update(states)
    return Definition(start_at="Start", states=base)


def test_sync_definition_has_no_structural_problems() -> None:
    """With an ELN, every target exists, every state is reachable and Tasks retry and catch."""
    assert problems(sync_definition(REFS)) == []


def test_sync_definition_without_eln_leaves_the_http_task_out() -> None:
    """No ELN endpoint means no NotifyEln state, and the workflow is still valid."""
    definition = sync_definition(dataclasses.replace(REFS, eln_endpoint="", eln_connection_arn=""))
    assert "NotifyEln" not in definition.states
    assert problems(definition) == []


def test_every_task_retries_with_exponential_backoff() -> None:
    """Each Task's retriers double the interval and add jitter."""
    rendered = sync_definition(REFS).render()["States"]
    tasks = {name: state for name, state in rendered.items() if state["Type"] == "Task"}
    assert len(tasks) == 7
    for state in tasks.values():
        assert all(
            r["BackoffRate"] == 2.0 and r["JitterStrategy"] == "FULL" for r in state["Retry"]
        )


def test_task_failures_are_caught_into_the_alert_then_fail_path() -> None:
    """Every Task but the alert catches into NotifyFailure, which publishes to SNS then fails."""
    rendered = sync_definition(REFS).render()["States"]
    for name, state in rendered.items():
        if state["Type"] == "Task" and name != "NotifyFailure":
            assert state["Catch"][0]["Next"] == "NotifyFailure"
    assert rendered["NotifyFailure"]["Resource"] == "arn:aws:states:::sns:publish"
    assert rendered["NotifyFailure"]["Next"] == "SyncFailed"
    assert rendered["SyncFailed"]["Type"] == "Fail"


def test_eln_is_called_through_the_eventbridge_connection() -> None:
    """The HTTP Task authenticates with the connection ARN; no key appears in the definition."""
    state = sync_definition(REFS).render()["States"]["NotifyEln"]
    assert state["Resource"] == "arn:aws:states:::http:invoke"
    assert state["Parameters"]["Authentication"] == {"ConnectionArn": REFS.eln_connection_arn}
    assert state["Parameters"]["ApiEndpoint"] == REFS.eln_endpoint


def test_definition_renders_json_step_functions_reads() -> None:
    """`to_json` is valid JSON with StartAt and States."""
    document = json.loads(sync_definition(REFS).to_json())
    assert document["StartAt"] == "ValidateInput"
    assert document["States"]["ValidateInput"]["Default"] == "RejectInput"


def test_validator_rejects_a_dangling_next() -> None:
    """A Next that names no state is reported with the state and the target."""
    found = problems(_minimal(Start=_task("Nowhere")))
    assert "Start: Next points to missing state 'Nowhere'" in found


def test_validator_rejects_an_unreachable_state() -> None:
    """A state nothing transitions to is listed as unreachable."""
    found = problems(_minimal(Orphan=Pass(next="Done")))
    assert any("['Orphan'] are unreachable" in problem for problem in found)


def test_validator_rejects_a_task_without_catch() -> None:
    """A Task without Catch would fail silently instead of alerting."""
    definition = Definition(
        start_at="Start", states={"Start": _task(catch=False), "Done": Succeed()}
    )
    with pytest.raises(DefinitionError, match="Start: Task has no Catch"):
        validate(definition)


def test_validator_rejects_a_missing_start_state() -> None:
    """StartAt must name a state."""
    definition = dataclasses.replace(_minimal(), start_at="Begin")
    assert any(problem.startswith("StartAt 'Begin'") for problem in problems(definition))


def test_validator_rejects_a_definition_without_terminal_state() -> None:
    """A loop with no Succeed, Fail or End could never finish."""
    definition = Definition(start_at="A", states={"A": Pass(next="B"), "B": Pass(next="A")})
    assert any("no terminal state" in problem for problem in problems(definition))


def test_validator_rejects_states_all_not_last() -> None:
    """ASL requires States.ALL alone in the last retrier."""
    task = dataclasses.replace(_task(), retry=(Retry(("States.ALL",)), Retry(("States.Timeout",))))
    assert any("States.ALL" in problem for problem in problems(_minimal(Start=task)))
