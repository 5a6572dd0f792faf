"""`make bench`: run every benchmark module and write their figures to build/bench.json.

Each module under `tools/bench/` exposes `run() -> dict` of figures measured within one run
(ratios against a baseline measured in the same run, never absolute times against a machine).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any

import tools.bench

OUTPUT = Path(__file__).resolve().parents[2] / "build" / "bench.json"


def main(selected: list[str]) -> int:
    """Run the named benchmarks (all when none are named) and write their figures."""
    figures: dict[str, Any] = {}
    names = [m.name for m in pkgutil.iter_modules(tools.bench.__path__) if m.name != "__main__"]
    for name in sorted(names):
        if selected and name not in selected:
            continue
        module = importlib.import_module(f"tools.bench.{name}")
        if not hasattr(module, "run"):
            continue
        started = time.perf_counter()
        print(f"bench {name} …", flush=True)
        figures[name] = module.run()
        print(f"  {json.dumps(figures[name])} ({time.perf_counter() - started:.0f} s)", flush=True)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
