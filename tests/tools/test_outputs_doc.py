"""Every stack output is documented, and the preview shows the outputs a stack exports."""

from __future__ import annotations

from composition.outputs import OUTPUT_DESCRIPTIONS
from tests.support.stack import rendered
from tools.outputs_doc import OUTPUTS_MD, render_outputs_md


def test_committed_outputs_doc_is_what_the_table_renders() -> None:
    """Regenerate with `make docs`."""
    assert OUTPUTS_MD.read_text(encoding="utf-8") == render_outputs_md()


NEITHER_STACK: frozenset[str] = frozenset({"labApiCustomDomainTarget"})
"""Outputs of settings neither committed stack sets (a custom API domain)."""


def test_every_exported_output_is_documented_and_every_documented_one_is_exported() -> None:
    """Prod and dev together export the documented outputs, but for the known optional ones."""
    exported = set(rendered("prod").outputs) | set(rendered("dev").outputs)
    assert exported == set(OUTPUT_DESCRIPTIONS) - NEITHER_STACK


def test_prod_exports_the_outputs_the_deploy_steps_use() -> None:
    """README's deploy steps read the subnets and the cluster name."""
    outputs = rendered("prod").outputs
    assert outputs["clusterName"] == "gen-prod-eks"
    assert outputs["privateSubnetIds"]
