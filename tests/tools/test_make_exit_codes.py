"""`make preview` and `make access` keep the tools' 0/1/2 meaning readable through make.

GNU make turns every failing recipe into its own exit 2; the README promises that the tool's
code is printed first. The tools are replaced by a stand-in that exits with a chosen code, so
the test checks the recipe, not a whole preview (tests/tools/test_preview_cli.py checks the
tool's own codes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make") or "make"
"""make is part of the README's contract, so it is never optional here."""


@pytest.fixture
def stand_in(tmp_path: Path) -> Path:
    script = tmp_path / "python"
    script.write_text('#!/bin/sh\nexit "$STAND_IN_EXIT"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


@pytest.mark.parametrize(
    ("target", "code", "make_code", "line"),
    [
        ("preview", 0, 0, None),
        ("preview", 1, 2, "exit 1 from tools.preview: a mandatory policy violation"),
        ("preview", 2, 2, "exit 2 from tools.preview: a config, program or usage error"),
        ("access", 1, 2, "exit 1 from tools.access: a cell decided against intent"),
        ("access", 2, 2, "exit 2 from tools.access: a config, program or usage error"),
    ],
)
def test_the_tools_code_is_printed_before_make_reports_its_own(
    stand_in: Path, target: str, code: int, make_code: int, line: str | None
) -> None:
    """make exits 0 or 2; the last line the recipe prints names the tool's 0/1/2."""
    result = subprocess.run(
        [MAKE, "--no-print-directory", "-o", "setup", target, f"PY={stand_in}"],
        cwd=ROOT,
        env={**os.environ, "STAND_IN_EXIT": str(code)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == make_code
    if line is None:
        assert "exit " not in result.stderr
    else:
        assert line in result.stderr.splitlines()
