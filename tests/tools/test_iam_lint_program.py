"""The whole program's IAM documents lint clean, in every stack, under mocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.stack import rendered_run
from tools.iam_lint import (
    DOCUMENT_INPUTS,
    DOCUMENTED_EXCEPTIONS,
    Finding,
    lint_policy,
    lint_recorded,
)
from tools.preview.program import ProgramRun

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("prod", "dev")


@pytest.fixture(scope="module", params=STACKS)
def program(request: pytest.FixtureRequest) -> tuple[str, ProgramRun]:
    """The program run once per stack, as the preview runs it."""
    stack: str = request.param
    return stack, rendered_run(stack)


def _report(stack: str, findings: list[Finding]) -> str:
    lines = "\n".join(f"  - {finding}" for finding in findings)
    return f"{len(findings)} IAM finding(s) in stack {stack}:\n{lines}"


def test_every_document_the_program_renders_is_clean(program: tuple[str, ProgramRun]) -> None:
    """Every policy-bearing input of every registered resource lints with zero findings."""
    stack, run = program
    assert any(r.type in DOCUMENT_INPUTS for r in run.resources), "no IAM documents rendered"
    findings = lint_recorded(run.resources)
    assert findings == [], _report(stack, findings)


def test_each_documented_exception_names_its_action_and_reason() -> None:
    """Every allow-listed finding says which action it covers and why AWS documents it."""
    assert DOCUMENTED_EXCEPTIONS
    for exception in DOCUMENTED_EXCEPTIONS:
        assert ":" in exception.action, exception
        assert exception.issue in {"RESOURCE_MISMATCH", "UNKNOWN_CONDITION_FOR_ACTION"}, exception
        assert exception.reason.strip(), exception
        if exception.issue == "UNKNOWN_CONDITION_FOR_ACTION":
            assert exception.condition_key, exception
    assert len(set(DOCUMENTED_EXCEPTIONS)) == len(DOCUMENTED_EXCEPTIONS)


def _http_task_policy(condition: dict[str, dict[str, str]]) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "states:InvokeHTTPEndpoint",
                "Resource": "arn:aws:states:ap-south-1:111122223333:stateMachine:sync",
                "Condition": condition,
            }
        ],
    }


def test_documented_http_task_conditions_are_not_reported() -> None:
    """AWS's HTTP Task policy (state machine ARN, method and endpoint keys) lints clean."""
    document = _http_task_policy(
        {
            "StringEquals": {"states:HTTPMethod": "POST"},
            "StringLike": {"states:HTTPEndpoint": "https://eln.example.org/api"},
        }
    )
    assert lint_policy(document) == []


def test_exceptions_cover_only_their_condition_key() -> None:
    """Another unknown condition key on the same action is still a finding."""
    document = _http_task_policy({"StringEquals": {"states:StateMachineName": "sync"}})
    issues = {(f.issue, f.detail) for f in lint_policy(document)}
    assert (
        "UNKNOWN_CONDITION_FOR_ACTION",
        "Unknown condition states:StateMachineName for action states:InvokeHTTPEndpoint",
    ) in issues
