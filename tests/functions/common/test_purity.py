"""The cores and their domain types import neither boto3 nor botocore, so they stay pure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PURE_MODULES = [
    "functions.object_tagger.core",
    "functions.object_tagger.plan",
    "functions.object_tagger.task_report",
    "functions.tag_audit.core",
    "functions.tag_audit.findings",
    "functions.start_transfer.core",
    "functions.common.concurrency",
    "functions.common.events",
    "functions.common.s3_types",
    "functions.common.datasync_types",
]

_PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))
print(','.join(loaded))
"""


@pytest.mark.parametrize("module", PURE_MODULES)
def test_module_does_not_load_aws_sdk(module: str) -> None:
    """Importing the module in a fresh interpreter loads no boto3 or botocore module."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, module],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ""
