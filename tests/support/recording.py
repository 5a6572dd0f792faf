"""Preview records of a whole stack, frozen in the repository, replayed through the real pack.

A preview record (`build/preview-<stack>.json`, `tools/preview/replay.py`) holds every
registration exactly as the analyzer received it. Freezing one keeps a known state of the stack
provable after the program changes: the wiring and create-order rules are proven against the
prod stack as it was before its defects were fixed. Freeze a record with
`python -m tests.support.recording build/preview-prod.json tests/fixtures/recorded/<name>.json.gz`
(the policy outcome and timings are dropped: the fixture is the stack, not a verdict).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Final

from tools.preview.replay import replay
from tools.preview.report import PreviewResult

__all__ = ["PACK_DIR", "RECORDED", "freeze", "replay_recorded"]

_ROOT: Final = Path(__file__).resolve().parents[2]
PACK_DIR: Final = _ROOT / "policies"
RECORDED: Final = _ROOT / "tests" / "fixtures" / "recorded"
_KEPT: Final = ("project", "stack", "config", "resources")


def freeze(record: Path, target: Path) -> None:
    """Store the stack part of the preview record at `record` as gzip-compressed JSON."""
    document = json.loads(record.read_text(encoding="utf-8"))
    kept = {key: document[key] for key in _KEPT}
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"))
    target.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def replay_recorded(name: str, workdir: Path) -> PreviewResult:
    """Replay the frozen record `name` through the current pack (unpacked into `workdir`)."""
    record = workdir / f"{name}.json"
    record.write_bytes(gzip.decompress((RECORDED / f"{name}.json.gz").read_bytes()))
    return replay(record, PACK_DIR)


if __name__ == "__main__":
    freeze(Path(sys.argv[1]), Path(sys.argv[2]))
    sys.stdout.write(f"wrote {sys.argv[2]}\n")
