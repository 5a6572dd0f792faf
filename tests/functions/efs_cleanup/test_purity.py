"""The cores and domain types of these three functions import neither boto3 nor botocore."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PURE_MODULES = [
    "functions.ebs_reaper.core",
    "functions.ebs_reaper.report",
    "functions.ebs_reaper.aws_types",
    "functions.ebs_reaper.config",
    "functions.ebs_reaper.event",
    "functions.ec2_scheduler.core",
    "functions.ec2_scheduler.aws_types",
    "functions.ec2_scheduler.config",
    "functions.ec2_scheduler.event",
    "functions.efs_cleanup.core",
    "functions.efs_cleanup.walk",
    "functions.efs_cleanup.parallel",
    "functions.efs_cleanup.state",
    "functions.efs_cleanup.paths",
    "functions.efs_cleanup.verify",
    "functions.efs_cleanup.report",
    "functions.efs_cleanup.config",
    "functions.efs_cleanup.event",
]

_PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))))
"""


@pytest.mark.parametrize("module", PURE_MODULES)
def test_module_does_not_load_aws_sdk(module: str) -> None:
    """Importing the module in a fresh interpreter loads no boto3 or botocore module."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, module], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
