"""`docs/outputs.md`: every stack output, what it is for and how to read it."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from composition.outputs import OUTPUT_DESCRIPTIONS

__all__ = ["OUTPUTS_MD", "render_outputs_md"]

OUTPUTS_MD: Final = Path(__file__).resolve().parents[1] / "docs" / "outputs.md"


def render_outputs_md() -> str:
    """The outputs table, from `composition.outputs.OUTPUT_DESCRIPTIONS`."""
    lines = [
        "# Stack outputs",
        "",
        "<!-- Generated from composition/outputs.py by `make docs` (tools/outputs_doc.py);",
        "     tests/tools/test_outputs_doc.py fails when it differs. -->",
        "",
        "Read one with `pulumi stack output <name> --stack <stack>` (`--show-secrets` for the",
        "kubeconfig); `make preview` prints them with the mocks' placeholder values. Outputs of",
        "parts a stack switches off (HealthOmics, the gateway, DataZone) are not exported.",
        "",
        "| output | what it is |",
        "| --- | --- |",
    ]
    lines += [f"| `{name}` | {text} |" for name, text in OUTPUT_DESCRIPTIONS.items()]
    return "\n".join(lines) + "\n"
