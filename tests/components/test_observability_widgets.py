"""The typed dashboard widgets render CloudWatch's positional JSON and lay out in rows."""

from __future__ import annotations

import pytest

from components.observability.widgets import Dashboard, Expression, Metric, MetricWidget, TextWidget


def test_metric_renders_positional_array_with_options() -> None:
    """Namespace, name, then dimension name/value pairs, then an options object."""
    metric = Metric("AWS/EFS", "MeteredIOBytes", {"FileSystemId": "fs-1"}, stat="Sum", id="m1")
    assert metric.render() == [
        "AWS/EFS",
        "MeteredIOBytes",
        "FileSystemId",
        "fs-1",
        {"stat": "Sum", "id": "m1"},
    ]


def test_metric_without_options_has_no_trailing_object() -> None:
    """A plain metric ends with its last dimension value."""
    assert Metric("AWS/Lambda", "Errors", {"FunctionName": "f"}).render() == [
        "AWS/Lambda",
        "Errors",
        "FunctionName",
        "f",
    ]


def test_expression_renders_as_single_object() -> None:
    """An expression line is one object with expression, label and id."""
    assert Expression("m1/2", "Half", "e1").render() == [
        {"expression": "m1/2", "label": "Half", "id": "e1"}
    ]


def test_widgets_wrap_at_grid_width() -> None:
    """Two half-width widgets share a row; the third starts the next row below the tallest."""
    board = Dashboard()
    board.add(
        MetricWidget("a", [], "ap-south-1", width=12, height=6),
        MetricWidget("b", [], "ap-south-1", width=12, height=4),
        TextWidget("c"),
    )
    positions = [(w["x"], w["y"]) for w in board.render()["widgets"]]
    assert positions == [(0, 0), (12, 0), (0, 6)]


def test_too_wide_widget_is_refused() -> None:
    """A widget wider than the grid is a programming error caught at preview."""
    with pytest.raises(ValueError, match="width"):
        Dashboard().add(TextWidget("x", width=30))
