"""Every alarm of prod and dev has a runbook entry, and docs/runbook.md is what they render."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.support.stack import rendered
from tools.runbook import RUNBOOK_MD, SIGNALS, UnknownSignalError, render_runbook, signal_of


def _stacks() -> dict[str, list[object]]:
    return {stack: list(rendered(stack).resources) for stack in ("prod", "dev")}


def test_committed_runbook_is_what_the_stacks_render() -> None:
    """Regenerate with `make docs` when an alarm is added, renamed or retuned."""
    assert RUNBOOK_MD.read_text(encoding="utf-8") == render_runbook(_stacks())


def test_every_alarm_of_both_stacks_is_listed_by_name() -> None:
    """No alarm is left out of the document an on-call engineer searches by alarm name."""
    text = RUNBOOK_MD.read_text(encoding="utf-8")
    for stack in ("prod", "dev"):
        alarms = list(rendered(stack).of_type("aws:cloudwatch/metricAlarm:MetricAlarm"))
        assert alarms
        for resource in alarms:
            assert f"| `{resource.inputs['name']}` | {stack} |" in text


def test_every_signal_entry_is_used_by_some_alarm() -> None:
    """An entry no alarm watches is stale text; remove it with its alarm."""
    used = {
        signal_of(r.inputs)
        for stack in ("prod", "dev")
        for r in rendered(stack).of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    assert set(SIGNALS) == used


def test_an_alarm_on_an_undocumented_signal_is_refused() -> None:
    """A new kind of alarm without runbook text fails the generator, naming the alarm."""

    alarm = SimpleNamespace(
        type="aws:cloudwatch/metricAlarm:MetricAlarm",
        inputs={"name": "gen-prod-new", "namespace": "AWS/New", "metricName": "Odd"},
    )
    with pytest.raises(UnknownSignalError, match=r"gen-prod-new .* AWS/New Odd"):
        render_runbook({"prod": [alarm]})


@pytest.mark.parametrize(
    ("inputs", "signal"),
    [
        ({"namespace": "AWS/S3", "metricName": "5xxErrors"}, "AWS/S3 5xxErrors"),
        (
            {
                "metricQueries": [
                    {"metric": {"namespace": "AWS/EFS", "metricName": "MeteredIOBytes"}}
                ]
            },
            "AWS/EFS MeteredIOBytes",
        ),
        (
            {
                "metricQueries": [
                    {"expression": 'SELECT SUM(NumberOfCopyJobsFailed) FROM "AWS/Backup"'}
                ]
            },
            "AWS/Backup NumberOfCopyJobsFailed",
        ),
        (
            {
                "metricQueries": [
                    {
                        "expression": "SELECT SUM(pod_number_of_container_restarts) FROM "
                        "SCHEMA(ContainerInsights, ClusterName)"
                    }
                ]
            },
            "ContainerInsights pod_number_of_container_restarts",
        ),
    ],
)
def test_the_signal_is_read_from_metric_or_query(inputs: dict[str, object], signal: str) -> None:
    """Plain metrics, math over a metric, and Metrics Insights queries are filed alike."""
    assert signal_of(inputs) == signal
