"""Every state machine the program renders is valid Amazon States Language.

Checked by the `asl-validator` npm package (pinned in tools/asl, installed by `make setup`),
run with the machine's Node.js: schema, transitions, terminal states and state names unique
across the whole definition (nested Map processors included).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.stack.conftest import ROOT, rendered_stack
from tests.support.harness import Registered

VALIDATOR = ROOT / "tools" / "asl" / "validate.js"
_INSTALLED = ROOT / "tools" / "asl" / "node_modules" / "asl-validator"


def _definitions(stack: Registered) -> dict[str, Any]:
    """Every rendered `definition` input that is an ASL document, by resource name."""
    found: dict[str, Any] = {}
    for resource in stack.resources:
        raw = resource.inputs.get("definition")
        if isinstance(raw, str) and '"States"' in raw:
            found[resource.name] = json.loads(raw)
    return found


def validate(definitions: dict[str, Any], cwd: Path = ROOT) -> dict[str, Any]:
    """Run the pinned validator over `definitions`; its verdict per name."""
    node = shutil.which("node")
    assert node, "Node.js is required (the machine provides it; see README)"
    assert _INSTALLED.is_dir(), "asl-validator is not installed: run `make setup`"
    done = subprocess.run(
        [node, str(VALIDATOR)],
        input=json.dumps(definitions),
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        timeout=120,
    )
    results: dict[str, Any] = json.loads(done.stdout)
    return results


def test_the_validator_catches_duplicate_state_names() -> None:
    """The validator is live: a definition with one state name twice is reported."""
    duplicate = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "Failed", "States": {"Failed": {"Type": "Fail"}}},
                    {"StartAt": "Failed", "States": {"Failed": {"Type": "Fail"}}},
                ],
            }
        },
    }
    result = validate({"duplicate": duplicate})["duplicate"]
    assert result["isValid"] is False
    assert [e["Error code"] for e in result["errors"]] == ["DUPLICATE_STATE_NAMES"]


def test_every_rendered_state_machine_is_valid(stack: Registered) -> None:
    """Prod and dev: every definition passes with no error."""
    definitions = _definitions(stack)
    assert definitions, "the stack renders no state machine"
    results = validate(definitions)
    invalid = {name: r["errors"] for name, r in results.items() if not r["isValid"]}
    assert invalid == {}
    assert set(results) == set(definitions)


def test_the_fan_out_machine_is_among_those_validated() -> None:
    """The Distributed Map fan-out (two nested processors) is rendered and validated in prod."""
    names = set(_definitions(rendered_stack("prod")))
    assert any("fanout" in name for name in names), names
