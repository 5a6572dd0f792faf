"""The cost estimate follows the settings and the rendered stacks, and the docs hold it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from settings import StackSettings, settings_from_config
from tests.support.stack import rendered
from tools.cost import (
    COST_MD,
    COST_SVG,
    SCENARIOS,
    cost_table,
    estimate,
    render_cost_md,
    render_cost_svg,
    resource_counts,
)
from tools.preview.stack_config import load_stack_config

ROOT = Path(__file__).resolve().parents[2]
PROD = SCENARIOS[0]


def _settings(stack: str, **overrides: str) -> StackSettings:
    config = load_stack_config(ROOT, stack)
    return settings_from_config({**config, **{f"genomics:{k}": v for k, v in overrides.items()}})


def _table() -> dict[str, dict[str, float]]:
    return cost_table(
        {stack: (_settings(stack), rendered(stack).resources) for stack in ("prod", "dev")}
    )


def test_committed_estimate_is_what_the_stacks_give() -> None:
    """Regenerate with `make docs` after a change to settings, node groups or endpoints."""
    table = _table()
    assert COST_MD.read_text(encoding="utf-8") == render_cost_md(table)
    assert COST_SVG.read_text(encoding="utf-8") == render_cost_svg(table)


def test_one_shared_nat_gateway_costs_a_third_of_three() -> None:
    """natGatewayPerAz: false keeps one gateway whatever the zone count."""
    counts = resource_counts(rendered("prod").resources)
    per_az = estimate(_settings("prod"), counts, PROD)["NAT gateways"]
    shared = estimate(_settings("prod", natGatewayPerAz="false"), counts, PROD)["NAT gateways"]
    traffic = PROD.nat_tb * 1024 * 0.056
    assert (per_az - traffic) == pytest.approx(3 * (shared - traffic))


def test_storage_lines_grow_with_the_data_and_fixed_lines_do_not() -> None:
    """Twice the data a month doubles lake, replica and transfer costs, not the cluster."""
    counts = resource_counts(rendered("prod").resources)
    settings = _settings("prod")
    base = estimate(settings, counts, PROD)
    double = estimate(settings, counts, dataclasses.replace(PROD, tb_per_month=30))
    for line in ("S3 lake (Intelligent-Tiering)", "S3 replicas in Hyderabad", "DataSync"):
        assert double[line] == pytest.approx(2 * base[line])
    for line in ("EKS control plane", "VPC interface endpoints", "KMS keys and alarms"):
        assert double[line] == base[line]


def test_earlier_archiving_lowers_the_lake_bill() -> None:
    """The Intelligent-Tiering settings decide which tier each month's data sits in."""
    counts = resource_counts(rendered("prod").resources)
    later = estimate(
        _settings("prod", archiveAccessDays="180", deepArchiveAccessDays="365"), counts, PROD
    )
    sooner = estimate(_settings("prod"), counts, PROD)
    assert sooner["S3 lake (Intelligent-Tiering)"] < later["S3 lake (Intelligent-Tiering)"]


def test_an_instance_type_without_a_price_is_named() -> None:
    """A node group on a type the table lacks fails instead of costing nothing."""
    settings = _settings("prod")
    group = settings.node_groups[0]
    odd = settings.model_copy(
        update={"node_groups": (group.model_copy(update={"instance_types": ("x9.huge",)}),)}
    )
    with pytest.raises(KeyError, match=r"x9\.huge"):
        estimate(odd, resource_counts(rendered("prod").resources), PROD)
