"""`make preview`: offline preview of a stack through the real policy pack.

Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 a config or program error.
`--quiet` prints only the policy report, the summary and the verdict (for CI logs);
`--replay FILE` analyses a preview record again without running the program. Previews whose
inputs were previewed before are answered from `build/preview-cache` (tools/preview/cache.py);
`--no-cache` (or GENOMICS_PREVIEW_CACHE=0) runs afresh.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

import pulumi

from tools.preview.analyzer import AnalyzerError
from tools.preview.cache import PreviewCache, cache_enabled, preview_cached
from tools.preview.replay import RecordError, replay
from tools.preview.report import (
    PreviewResult,
    render_policy_report,
    render_summary,
    render_tree,
    verdict,
    write_json,
)
from tools.preview.run import preview
from tools.preview.stack_config import StackConfigError, load_project, load_stack_config

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None, *, freeze_heap: bool = False) -> int:
    """Parse arguments, preview, print the report, write the JSON; return the exit code.

    `freeze_heap` is for the command line only, where the process exits right after
    (`tools.preview.program.run_callable`); callers in a long-lived process leave it False.
    """
    parser = argparse.ArgumentParser(prog="make preview", description=__doc__)
    parser.add_argument("--stack", default="prod", help="stack to preview (Pulumi.<stack>.yaml)")
    parser.add_argument("--project-dir", type=Path, default=ROOT)
    parser.add_argument("--policy-pack", type=Path, default=ROOT / "policies")
    parser.add_argument("--policy-pack-config", type=Path, default=None)
    parser.add_argument(
        "--json", type=Path, default=None, help="default build/preview-<stack>.json"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print only the policy report and the verdict"
    )
    parser.add_argument(
        "--replay",
        type=Path,
        default=None,
        metavar="RECORD",
        help="analyse a preview record (a written preview JSON) instead of running the program",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="run the program and the pack afresh, not from build/preview-cache",
    )
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "build" / "preview-cache")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        result = _run(args, freeze_heap=freeze_heap)
    except (StackConfigError, AnalyzerError, RecordError) as error:
        sys.stderr.write(f"preview failed: {error}\n")
        return 2
    except pulumi.RunError as error:
        sys.stderr.write(f"preview failed: {error}\n")
        return 2
    except Exception:  # noqa: BLE001 - a program bug: show it whole, then fail with code 2
        sys.stderr.write("preview failed: the program raised an error\n" + traceback.format_exc())
        return 2
    elapsed = time.monotonic() - started
    if not args.quiet:
        print(f"Stack {result.project}/{result.stack} (offline preview under mocks)")
        print(render_tree(result.resources))
        print()
    print(render_policy_report(result.pack, result.violations))
    print()
    if args.replay is None:
        json_path = args.json or args.project_dir / "build" / f"preview-{args.stack}.json"
        write_json(result, json_path)
        if not args.quiet:
            print(f"wrote {json_path}")
    print(render_summary(result))
    print(verdict(result, elapsed))
    return 1 if result.mandatory else 0


def _run(args: argparse.Namespace, *, freeze_heap: bool) -> PreviewResult:
    """A live preview of `--stack`, or the replay of `--replay`."""
    pack_config_file: Path | None = args.policy_pack_config
    if args.replay is not None:
        pack_config = (
            json.loads(pack_config_file.read_text(encoding="utf-8")) if pack_config_file else {}
        )
        return replay(args.replay, args.policy_pack, pack_config)
    project = load_project(args.project_dir)
    config = load_stack_config(args.project_dir, args.stack)
    if cache_enabled() and not args.no_cache:
        return preview_cached(
            PreviewCache(args.cache_dir),
            args.project_dir,
            project.name,
            args.stack,
            config,
            args.policy_pack,
            pack_config_file,
            freeze_heap=freeze_heap,
        )
    return preview(
        args.project_dir,
        project.name,
        args.stack,
        config,
        args.policy_pack,
        pack_config_file,
        freeze_heap=freeze_heap,
    )


if __name__ == "__main__":
    sys.exit(main(freeze_heap=True))
