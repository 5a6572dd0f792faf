"""Typed CloudWatch dashboard widgets that render the dashboard body JSON.

A dashboard body is a JSON document of widgets whose metric arrays have a positional shape
(`[namespace, name, dim1, value1, ..., {options}]`) that is easy to get subtly wrong by hand.
These dataclasses build it from named fields instead, lay widgets out in rows, and keep Pulumi
outputs (bucket names, function names) as values so `pulumi.Output.json_dumps` resolves them.
Reference: CloudWatch "Dashboard Body Structure and Syntax".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pulumi

__all__ = [
    "GRID_WIDTH",
    "Dashboard",
    "Expression",
    "Metric",
    "MetricWidget",
    "Stat",
    "TextWidget",
    "Widget",
]

GRID_WIDTH: Final = 24
"""CloudWatch dashboards are 24 grid units wide."""

Stat = Literal["Sum", "Average", "Maximum", "Minimum", "SampleCount", "p90", "p99"]
"""Statistics the platform's widgets use."""


@dataclass(frozen=True, slots=True)
class Metric:
    """One metric line of a graph."""

    namespace: str
    name: str
    dimensions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    stat: Stat | None = None
    label: str | None = None
    id: str | None = None
    visible: bool = True

    def render(self) -> list[Any]:
        """The positional metric array with a trailing options object."""
        rendered: list[Any] = [self.namespace, self.name]
        for key, value in self.dimensions.items():
            rendered += [key, value]
        options: dict[str, Any] = {}
        if self.stat is not None:
            options["stat"] = self.stat
        if self.label is not None:
            options["label"] = self.label
        if self.id is not None:
            options["id"] = self.id
        if not self.visible:
            options["visible"] = False
        if options:
            rendered.append(options)
        return rendered


@dataclass(frozen=True, slots=True)
class Expression:
    """A metric math expression or Metrics Insights query line of a graph."""

    expression: pulumi.Input[str]
    label: str
    id: str

    def render(self) -> list[Any]:
        """The one-element metric array CloudWatch uses for expressions."""
        return [{"expression": self.expression, "label": self.label, "id": self.id}]


@dataclass(frozen=True, slots=True)
class MetricWidget:
    """A graph (or single-value panel) of metrics and expressions."""

    title: str
    metrics: Sequence[Metric | Expression]
    region: pulumi.Input[str]
    width: int = 12
    height: int = 6
    stat: Stat = "Sum"
    period: int = 300
    view: Literal["timeSeries", "singleValue", "bar"] = "timeSeries"
    stacked: bool = False
    y_label: str | None = None

    def render(self, x: int, y: int) -> dict[str, Any]:
        """The widget at grid position (`x`, `y`)."""
        properties: dict[str, Any] = {
            "title": self.title,
            "region": self.region,
            "metrics": [metric.render() for metric in self.metrics],
            "stat": self.stat,
            "period": self.period,
            "view": self.view,
            "stacked": self.stacked,
        }
        if self.y_label is not None:
            properties["yAxis"] = {"left": {"label": self.y_label, "showUnits": False}}
        return {
            "type": "metric",
            "x": x,
            "y": y,
            "width": self.width,
            "height": self.height,
            "properties": properties,
        }


@dataclass(frozen=True, slots=True)
class TextWidget:
    """A markdown heading or note across the dashboard."""

    markdown: str
    width: int = GRID_WIDTH
    height: int = 1

    def render(self, x: int, y: int) -> dict[str, Any]:
        """The widget at grid position (`x`, `y`)."""
        return {
            "type": "text",
            "x": x,
            "y": y,
            "width": self.width,
            "height": self.height,
            "properties": {"markdown": self.markdown},
        }


Widget = MetricWidget | TextWidget


@dataclass(slots=True)
class Dashboard:
    """Widgets laid out left to right, wrapping at the grid width."""

    widgets: list[Widget] = field(default_factory=list)

    def add(self, *widgets: Widget) -> None:
        """Append widgets in reading order."""
        for widget in widgets:
            if not 1 <= widget.width <= GRID_WIDTH:
                raise ValueError(f"widget width {widget.width} must be 1-{GRID_WIDTH}")
            self.widgets.append(widget)

    def render(self) -> dict[str, Any]:
        """The dashboard body as a JSON-able document (values may be Pulumi outputs)."""
        rendered: list[dict[str, Any]] = []
        x = y = row_height = 0
        for widget in self.widgets:
            if x + widget.width > GRID_WIDTH:
                x, y, row_height = 0, y + row_height, 0
            rendered.append(widget.render(x, y))
            x += widget.width
            row_height = max(row_height, widget.height)
        return {"widgets": rendered}

    def body(self) -> pulumi.Output[str]:
        """The body as the JSON string `aws.cloudwatch.Dashboard` takes."""
        return pulumi.Output.json_dumps(self.render())
