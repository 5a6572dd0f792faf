"""docs/policies.md is generated from the pack's rule metadata and must not drift from it."""

from __future__ import annotations

import re

from policies.framework import DOCS_BASE
from policies.registry import all_rules
from tools.gendocs import POLICIES_MD, render_policies_md


def _github_anchor(heading: str) -> str:
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_committed_policies_md_matches_the_rules() -> None:
    """The committed page is exactly what the generator renders; run `python -m tools.gendocs`."""
    assert POLICIES_MD.read_text(encoding="utf-8") == render_policies_md()


def test_every_rule_url_resolves_to_its_section() -> None:
    """Each rule's documentation link (DOCS_BASE#name) lands on the rule's own heading."""
    headings = re.findall(r"^### (.+)$", render_policies_md(), flags=re.MULTILINE)
    anchors = {_github_anchor(heading) for heading in headings}
    for rule in all_rules():
        assert rule.url == f"{DOCS_BASE}#{rule.name}"
        assert rule.name in anchors, rule.name


def test_table_lists_every_rule_once_with_its_enforcement() -> None:
    """The summary table has one row per rule, with concern, severity and enforcement."""
    text = render_policies_md()
    for rule in all_rules():
        rows = [line for line in text.splitlines() if line.startswith(f"| [{rule.name}](")]
        assert len(rows) == 1, rule.name
        cells = [cell.strip() for cell in rows[0].strip("|").split(" | ")]
        assert cells[1:4] == [rule.concern, rule.severity.value, rule.enforcement.value]


def test_placeholders_are_not_swallowed_as_html() -> None:
    """Remediation placeholders like <key ARN> are escaped so Markdown shows them."""
    text = render_policies_md()
    assert "&lt;key ARN&gt;" in text
    assert "<key ARN>" not in text


def test_each_rule_shows_its_security_hub_controls() -> None:
    """The table's Controls cell and the rule's section name its FSBP/CIS controls, or a dash."""
    text = render_policies_md()
    for rule in all_rules():
        row = next(line for line in text.splitlines() if line.startswith(f"| [{rule.name}]("))
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        expected = ", ".join(rule.controls) or "-"
        assert cells[4] == expected, rule.name
        assert f"- Security Hub controls: {expected}" in text
    assert any("FSBP S3.15" in rule.controls for rule in all_rules())
