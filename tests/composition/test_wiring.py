"""The composition layer wires components together from settings, outputs and names only.

A literal in a builder's Args is a fact restated: a filter id, a rule id, a service name or a
physical name that the component creating the resource also writes. Those drift apart (the
lake's tagger ARN once did), so builders may not contain them; and the facts that do cross
components are checked over the whole rendered stack.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.preview.__main__ import main

COMPOSITION = Path(__file__).resolve().parents[2] / "composition"


def _args_dicts(tree: ast.AST) -> Iterator[ast.Dict]:
    """Each dict literal passed as a component's Args (the second positional argument)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Dict)
        ):
            yield node.args[1]


def _literals(node: ast.AST) -> Iterator[ast.AST]:
    """Constants (other than None and booleans) and f-strings among a value's nodes."""
    if isinstance(node, ast.JoinedStr):
        yield node
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, bool | None):
            yield node
    else:
        for child in ast.iter_child_nodes(node):
            yield from _literals(child)


def _value_literals(args: ast.Dict) -> Iterator[ast.AST]:
    for value in args.values:
        if isinstance(value, ast.Dict):
            yield from _value_literals(value)
        else:
            yield from (
                lit
                for lit in _literals(value)
                # Keys of nested dicts and subscripts are structure, not values.
                if not _is_structural(lit, value)
            )


def _is_structural(literal: ast.AST, within: ast.AST) -> bool:
    for node in ast.walk(within):
        if isinstance(node, ast.Dict) and literal in node.keys:
            return True
        if isinstance(node, ast.Subscript) and node.slice is literal:
            return True
        if isinstance(node, ast.Call) and any(
            literal is keyword.value for keyword in node.keywords if keyword.arg is None
        ):
            return True
    return False


@pytest.mark.parametrize("module", sorted(COMPOSITION.glob("*.py")), ids=lambda p: p.name)
def test_builders_pass_no_literal_in_component_args(module: Path) -> None:
    """Every Args value comes from settings, another component's output or the names module."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found = [
        f"{module.name}:{getattr(literal, 'lineno', 0)}: {ast.unparse(literal)}"
        for args in _args_dicts(tree)
        for literal in _value_literals(args)
    ]
    assert found == []


def test_the_literal_check_sees_a_restated_fact() -> None:
    """The check itself: a retyped filter id and an f-string name in Args are both found."""
    tree = ast.parse(
        'Observability("o", {"request_metrics_filter_id": "EntireBucket",'
        ' "nested": {"name": f"{prefix}-eks"}, "ok": settings.value})'
    )
    found = [ast.unparse(lit) for args in _args_dicts(tree) for lit in _value_literals(args)]
    assert found == ["'EntireBucket'", "f'{prefix}-eks'"]


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("wiring") / "prod.json"
    assert main(["--stack", "prod", "--quiet", "--json", str(out)]) == 0
    resources: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))["resources"]
    return resources


def _of_type(resources: list[dict[str, Any]], type_token: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["type"] == type_token]


def test_request_metric_alarms_name_the_filter_the_buckets_publish(
    prod: list[dict[str, Any]],
) -> None:
    """An alarm on S3 request metrics watches a FilterId some bucket metric configuration has."""
    published = {m["inputs"]["name"] for m in _of_type(prod, "aws:s3/bucketMetric:BucketMetric")}
    watched = {
        alarm["inputs"]["dimensions"]["FilterId"]
        for alarm in _of_type(prod, "aws:cloudwatch/metricAlarm:MetricAlarm")
        if "FilterId" in alarm["inputs"].get("dimensions", {})
    }
    assert watched
    assert watched <= published


def test_replication_alarms_name_rules_the_buckets_replicate_with(
    prod: list[dict[str, Any]],
) -> None:
    """A replication alarm's RuleId is the id of a rule in some bucket's replication config."""
    rule_ids = {
        rule["id"]
        for config in _of_type(prod, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")
        for rule in config["inputs"]["rules"]
    }
    watched = {
        alarm["inputs"]["dimensions"]["RuleId"]
        for alarm in _of_type(prod, "aws:cloudwatch/metricAlarm:MetricAlarm")
        if "RuleId" in alarm["inputs"].get("dimensions", {})
    }
    assert watched
    assert watched <= rule_ids


def test_untagged_objects_alarm_watches_the_audits_metric_identity(
    prod: list[dict[str, Any]],
) -> None:
    """The alarm's namespace and service dimension are the ones the audit function publishes."""
    (audit,) = [
        f
        for f in _of_type(prod, "aws:lambda/function:Function")
        if f["inputs"]["name"].endswith("audit")
    ]
    env = audit["inputs"]["environment"]["variables"]
    namespaces = {
        (alarm["inputs"].get("namespace"), alarm["inputs"].get("dimensions", {}).get("service"))
        for alarm in _of_type(prod, "aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    assert (env["POWERTOOLS_METRICS_NAMESPACE"], env["POWERTOOLS_SERVICE_NAME"]) in namespaces
