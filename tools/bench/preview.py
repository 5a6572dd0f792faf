"""Benchmark: warm offline preview of prod (program under mocks + the full pack over gRPC).

Target: ≤ 10 s on the project's 2-core machines. Reported as the ratio target / measured, so
a value ≥ 1.0 meets it; both runs happen in this process, the first warming imports.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Final

from tools.preview.run import preview
from tools.preview.stack_config import load_project, load_stack_config

__all__ = ["run"]

TARGET_SECONDS: Final = 10.0
ROOT: Final = Path(__file__).resolve().parents[2]


def _once(stack: str) -> tuple[float, int, int]:
    project = load_project(ROOT)
    config = load_stack_config(ROOT, stack)
    started = time.perf_counter()
    result = preview(ROOT, project.name, stack, config, ROOT / "policies")
    return time.perf_counter() - started, len(result.resources), len(result.pack.policies)


def run() -> dict[str, Any]:
    """Cold and warm prod preview times, resource and policy counts, and the target ratio."""
    cold, _, _ = _once("prod")
    warm, resources, policies = _once("prod")
    return {
        "preview_prod_cold_seconds": round(cold, 2),
        "preview_prod_warm_seconds": round(warm, 2),
        "preview_prod_resources": resources,
        "preview_policies": policies,
        "preview_target_ratio": round(TARGET_SECONDS / warm, 2),
    }


if __name__ == "__main__":
    print(run())
