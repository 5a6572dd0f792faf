"""`docs/cost.md` and `docs/cost.svg`: a monthly cost estimate of prod and dev from their settings.

What scales with what comes from the stacks: node groups, NAT gateways and availability zones
from the settings, interface endpoints, KMS keys and alarms counted in the rendered stack, the
storage tiers from the Intelligent-Tiering settings. The data volume is the organisation's
15–20 TB of new sequencing data a month. Prices are list prices for ap-south-1 in USD, kept
in `PRICES` with the AWS page each comes from; they are inputs to check against the AWS Pricing
Calculator before a budget is set, not figures read from AWS.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from settings import StackSettings

__all__ = [
    "PRICES",
    "Scenario",
    "estimate",
    "main",
    "render_cost_md",
    "render_cost_svg",
    "write",
]

ROOT: Final = Path(__file__).resolve().parents[1]
COST_MD: Final = ROOT / "docs" / "cost.md"
COST_SVG: Final = ROOT / "docs" / "cost.svg"
HOURS: Final = 730
"""Hours in a billing month, as AWS's calculator counts them."""
GB_PER_TB: Final = 1024

PRICES: Final[Mapping[str, tuple[float, str]]] = {
    "eks_cluster_hour": (0.10, "https://aws.amazon.com/eks/pricing/"),
    "nat_hour": (0.056, "https://aws.amazon.com/vpc/pricing/"),
    "nat_gb": (0.056, "https://aws.amazon.com/vpc/pricing/"),
    "endpoint_az_hour": (0.011, "https://aws.amazon.com/privatelink/pricing/"),
    "s3_frequent_gb": (0.025, "https://aws.amazon.com/s3/pricing/"),
    "s3_infrequent_gb": (0.0138, "https://aws.amazon.com/s3/pricing/"),
    "s3_archive_gb": (0.0045, "https://aws.amazon.com/s3/pricing/"),
    "s3_deep_archive_gb": (0.0018, "https://aws.amazon.com/s3/pricing/"),
    "s3_monitoring_1000_objects": (0.0025, "https://aws.amazon.com/s3/pricing/"),
    "inter_region_gb": (0.086, "https://aws.amazon.com/ec2/pricing/on-demand/"),
    "replication_rtc_gb": (0.015, "https://aws.amazon.com/s3/pricing/"),
    "efs_standard_gb": (0.33, "https://aws.amazon.com/efs/pricing/"),
    "datasync_gb": (0.0125, "https://aws.amazon.com/datasync/pricing/"),
    "ebs_gp3_gb": (0.0912, "https://aws.amazon.com/ebs/pricing/"),
    "ebs_snapshot_gb": (0.05, "https://aws.amazon.com/ebs/pricing/"),
    "kms_key": (1.0, "https://aws.amazon.com/kms/pricing/"),
    "alarm": (0.10, "https://aws.amazon.com/cloudwatch/pricing/"),
    "m6i.xlarge_hour": (0.202, "https://aws.amazon.com/ec2/pricing/on-demand/"),
    "r6i.4xlarge_hour": (1.064, "https://aws.amazon.com/ec2/pricing/on-demand/"),
    "t3.large_hour": (0.0896, "https://aws.amazon.com/ec2/pricing/on-demand/"),
    "r6i.2xlarge_hour": (0.532, "https://aws.amazon.com/ec2/pricing/on-demand/"),
    "spot_discount": (0.65, "https://aws.amazon.com/ec2/spot/pricing/"),
}
"""Price → (USD, the page it is read from). `spot_discount` is the share Spot saves."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """What the settings cannot say: how much data arrives and how busy the pipelines are."""

    name: str
    stack: str
    tb_per_month: float
    months: int
    """Months of data in the lake when the bill is read (the lake only grows: raw is WORM)."""
    efs_working_tb: float
    """Data on EFS at once: runs waiting to be transferred, and pipeline workspaces."""
    alignment_node_hours: float
    nat_tb: float
    """Traffic through the NAT gateways (image pulls through ECR, updates)."""
    gb_per_object: float = 1.0


SCENARIOS: Final = (
    Scenario("prod, 15 TB a month", "prod", 15, 12, 20, 1500, 2),
    Scenario("prod, 20 TB a month", "prod", 20, 12, 25, 2000, 2),
    Scenario("dev", "dev", 0.5, 12, 1, 40, 0.2),
)


def _price(key: str) -> float:
    return PRICES[key][0]


def _node_hour(instance_type: str, capacity: str) -> float:
    key = f"{instance_type}_hour"
    if key not in PRICES:
        raise KeyError(f"no price for {instance_type}: add `{key}` to tools/cost.PRICES")
    price = _price(key)
    return price * (1 - _price("spot_discount")) if capacity == "SPOT" else price


def _tier_shares(settings: StackSettings, months: int) -> dict[str, float]:
    """Months of data in each Intelligent-Tiering tier once `months` cohorts are in."""
    shares = {"frequent": 0.0, "infrequent": 0.0, "archive": 0.0, "deep": 0.0}
    for age_days in (30 * month + 15 for month in range(months)):
        if age_days < 30:
            shares["frequent"] += 1
        elif age_days < 90 or not settings.archive_access_days:
            shares["infrequent"] += 1
        elif settings.deep_archive_access_days and age_days >= settings.deep_archive_access_days:
            shares["deep"] += 1
        elif age_days >= settings.archive_access_days:
            shares["archive"] += 1
        else:
            shares["infrequent"] += 1
    return shares


def estimate(
    settings: StackSettings, counts: Mapping[str, int], scenario: Scenario
) -> dict[str, float]:
    """USD per month by category for one stack's settings and rendered-resource counts."""
    monthly_gb = scenario.tb_per_month * GB_PER_TB
    shares = _tier_shares(settings, scenario.months)
    lake_gb_months = {tier: share * monthly_gb for tier, share in shares.items()}
    one_copy = (
        lake_gb_months["frequent"] * _price("s3_frequent_gb")
        + lake_gb_months["infrequent"] * _price("s3_infrequent_gb")
        + lake_gb_months["archive"] * _price("s3_archive_gb")
        + lake_gb_months["deep"] * _price("s3_deep_archive_gb")
        + sum(lake_gb_months.values())
        / scenario.gb_per_object
        / 1000
        * _price("s3_monitoring_1000_objects")
    )
    zones = settings.availability_zone_count
    nat_gateways = zones if settings.nat_gateway_per_az else 1
    nodes = 0.0
    node_disk_gb = 0.0
    for group in settings.node_groups:
        hours = group.desired_size * HOURS if group.desired_size else scenario.alignment_node_hours
        nodes += hours * _node_hour(group.instance_types[0], group.capacity_type)
        node_disk_gb += max(group.desired_size, 1) * group.disk_size_gib
    return {
        "S3 lake (Intelligent-Tiering)": one_copy,
        "S3 replicas in Hyderabad": one_copy
        + monthly_gb * (_price("inter_region_gb") + _price("replication_rtc_gb")),
        "EFS working set": scenario.efs_working_tb * GB_PER_TB * _price("efs_standard_gb"),
        "DataSync": monthly_gb * _price("datasync_gb"),
        "EKS control plane": HOURS * _price("eks_cluster_hour"),
        "EKS nodes": nodes + node_disk_gb * _price("ebs_gp3_gb"),
        "NAT gateways": nat_gateways * HOURS * _price("nat_hour")
        + scenario.nat_tb * GB_PER_TB * _price("nat_gb"),
        "VPC interface endpoints": counts["endpoints"] * zones * HOURS * _price("endpoint_az_hour"),
        "AWS Backup (EBS, 2 regions)": 2 * node_disk_gb * _price("ebs_snapshot_gb")
        + node_disk_gb * _price("inter_region_gb"),
        "KMS keys and alarms": counts["keys"] * _price("kms_key")
        + counts["alarms"] * _price("alarm"),
    }


def resource_counts(resources: Sequence[Any]) -> dict[str, int]:
    """What the estimate counts in a rendered stack."""
    endpoints = [
        r
        for r in resources
        if r.type == "aws:ec2/vpcEndpoint:VpcEndpoint"
        and r.inputs.get("vpcEndpointType") == "Interface"
    ]
    return {
        "endpoints": len(endpoints),
        "keys": sum(1 for r in resources if r.type == "aws:kms/key:Key"),
        "alarms": sum(1 for r in resources if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"),
    }


def _usd(value: float) -> str:
    return f"{value:,.0f}"


def render_cost_md(table: Mapping[str, Mapping[str, float]]) -> str:
    """The estimate as a Markdown table, with the assumptions it rests on."""
    names = list(table)
    categories = list(next(iter(table.values())))
    lines = [
        "# Monthly cost estimate",
        "",
        "<!-- Generated by `make docs` (tools/cost.py) from the stacks' settings and rendered",
        "     resources; tests/tools/test_cost.py fails when it differs. -->",
        "",
        "USD per month, list prices for ap-south-1 (`tools/cost.PRICES` names the AWS page of",
        "each; check them in the AWS Pricing Calculator before budgeting). Month 12 of",
        "operation: twelve monthly cohorts of data are in the lake, each in the",
        "Intelligent-Tiering tier its age and the stack's archive settings put it in.",
        "",
        "![Monthly cost by category](cost.svg)",
        "",
        "| category | " + " | ".join(names) + " |",
        "| --- | " + " | ".join("---:" for _ in names) + " |",
    ]
    for category in categories:
        lines.append(
            f"| {category} | " + " | ".join(_usd(table[n][category]) for n in names) + " |"
        )
    lines.append(
        "| **total** | " + " | ".join(f"**{_usd(sum(table[n].values()))}**" for n in names) + " |"
    )
    lines += ["", "Assumptions the settings cannot give:", ""]
    for scenario in SCENARIOS:
        lines.append(
            f"- {scenario.name}: {scenario.tb_per_month:g} TB of new data a month, "
            f"{scenario.efs_working_tb:g} TB on EFS at a time, {scenario.alignment_node_hours:g} "
            f"alignment node-hours, {scenario.nat_tb:g} TB through NAT, "
            f"{scenario.gb_per_object:g} GB per object."
        )
    lines += [
        "",
        "What moves the bill: replication doubles storage and pays inter-region transfer on",
        "every byte; EFS is the most expensive GB-month, so the scratch clean-up and prompt",
        "transfers keep its working set small; `natGatewayPerAz: false` keeps one NAT gateway.",
    ]
    return "\n".join(lines) + "\n"


_COLOURS: Final = (
    "#1f77b4",
    "#aec7e8",
    "#ff7f0e",
    "#ffbb78",
    "#2ca02c",
    "#98df8a",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#7f7f7f",
)


def render_cost_svg(table: Mapping[str, Mapping[str, float]]) -> str:
    """A horizontal stacked bar per scenario, one colour per category, with a legend."""
    width, bar, gap, left, top = 760, 28, 16, 150, 30
    largest = max(sum(row.values()) for row in table.values())
    scale = (width - left - 90) / largest
    categories = list(next(iter(table.values())))
    height = top + len(table) * (bar + gap) + 24 * ((len(categories) + 1) // 2) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<text x="{left}" y="18" font-size="14">Monthly cost, USD (month 12)</text>',
    ]
    for row, (name, costs) in enumerate(table.items()):
        y = top + row * (bar + gap)
        parts.append(f'<text x="{left - 8}" y="{y + bar / 2 + 4}" text-anchor="end">{name}</text>')
        x = float(left)
        for index, category in enumerate(categories):
            w = costs[category] * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" '
                f'fill="{_COLOURS[index % len(_COLOURS)]}"><title>{category}: '
                f"{_usd(costs[category])}</title></rect>"
            )
            x += w
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + bar / 2 + 4}">{_usd(sum(costs.values()))}</text>'
        )
    legend_top = top + len(table) * (bar + gap) + 10
    for index, category in enumerate(categories):
        x = left + (index % 2) * 300
        y = legend_top + (index // 2) * 24
        parts.append(
            f'<rect x="{x}" y="{y}" width="14" height="14" '
            f'fill="{_COLOURS[index % len(_COLOURS)]}"/>'
            f'<text x="{x + 20}" y="{y + 12}">{category}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def cost_table(
    stacks: Mapping[str, tuple[StackSettings, Sequence[Any]]],
) -> dict[str, dict[str, float]]:
    """Scenario name → category → USD, for the stacks' settings and rendered resources."""
    return {
        scenario.name: estimate(
            stacks[scenario.stack][0], resource_counts(stacks[scenario.stack][1]), scenario
        )
        for scenario in SCENARIOS
    }


def write(stacks: Mapping[str, tuple[StackSettings, Sequence[Any]]]) -> None:
    """Write docs/cost.md and docs/cost.svg for the rendered stacks."""
    table = cost_table(stacks)
    COST_MD.write_text(render_cost_md(table), encoding="utf-8")
    COST_SVG.write_text(render_cost_svg(table), encoding="utf-8")
    print(f"wrote {COST_MD.relative_to(ROOT)}, {COST_SVG.relative_to(ROOT)}")


def main() -> int:
    """Write docs/cost.md and docs/cost.svg from prod and dev."""
    from tools.rendered import render_stacks

    write({stack: (settings, run.resources) for stack, (settings, run) in render_stacks().items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
