"""`make access [STACK=prod]`: evaluate who can do what over the rendered stack.

Runs the program under the preview's mocks (or reads a written preview record with
`--record`), collects every access document, generates the request matrix from the settings
and the code, decides it with the IAM engine, prints the compact table and writes
`build/access-<stack>.json`. Exit codes: 0 every cell as intended, 1 a cell decided against
intent (listed with its deciding statements), 2 a config, program or engine error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from settings import settings_from_config
from settings.errors import SettingsError
from tools.access.docs import ACCESS_MD, render_block, replace_block
from tools.access.engine import EngineError
from tools.access.evaluate import decide, generate
from tools.access.report import reads_by_group, render_mismatches, render_table, rows, write_json
from tools.access.stack import StackDocuments, collect
from tools.preview.program import run_program
from tools.preview.replay import RecordError, load_record
from tools.preview.stack_config import StackConfigError, load_project, load_stack_config

ROOT = Path(__file__).resolve().parents[2]


def load_stack(stack: str, record: Path | None, project_dir: Path = ROOT) -> StackDocuments:
    """The access documents of `stack`, from a preview record or a fresh run of the program."""
    if record is not None:
        run, config = load_record(record)
    else:
        project = load_project(project_dir)
        config = load_stack_config(project_dir, stack)
        run = run_program(project_dir, project.name, stack, config)
    return collect(run, config)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, evaluate, print, write; return the exit code."""
    parser = argparse.ArgumentParser(prog="make access", description=__doc__)
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--record", type=Path, default=None, help="a preview record to read")
    parser.add_argument("--json", type=Path, default=None, help="default build/access-<stack>.json")
    parser.add_argument("--all", action="store_true", help="print every row, not only a summary")
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="rewrite this stack's intended-access table in docs/access.md and exit",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        stack = load_stack(args.stack, args.record)
        cells = generate(stack, settings_from_config(stack.config))
        if args.write_docs:
            text = ACCESS_MD.read_text(encoding="utf-8")
            ACCESS_MD.write_text(
                replace_block(text, args.stack, render_block(args.stack, cells)), encoding="utf-8"
            )
            print(f"wrote {ACCESS_MD.relative_to(ROOT)} (table of {args.stack})")
            return 0
        evaluating = time.monotonic()
        outcomes = decide(stack, cells)
    except (StackConfigError, RecordError, SettingsError, EngineError, KeyError) as error:
        sys.stderr.write(f"access failed: {error}\n")
        return 2
    finished = time.monotonic()
    table = rows(outcomes)
    shown = (
        table if args.all else [r for r in table if r.section != "research" or not r.as_intended]
    )
    print(
        f"Access of stack {args.stack}: {len(cells)} cells, "
        f"{sum(len(c.checks) for c in cells)} requests"
    )
    print(render_table(shown))
    print()
    print("Research reads (session project -> readable projects/classifications, every bucket):")
    for group, projects in reads_by_group(outcomes).items():
        granted = ", ".join(f"{p}: {'/'.join(c)}" for p, c in projects.items()) or "nothing"
        print(f"  {group:<38} {granted}")
    json_path = args.json or ROOT / "build" / f"access-{args.stack}.json"
    write_json(
        json_path, args.stack, outcomes, finished - started, sum(len(c.checks) for c in cells)
    )
    print(f"\nwrote {json_path}")
    against = [o for o in outcomes if not o.as_intended]
    timing = (
        f"(program and matrix {evaluating - started:.1f} s, engine {finished - evaluating:.1f} s)"
    )
    if against:
        print(f"\nAgainst intent ({len(against)} cells):")
        print(render_mismatches(table))
        print(f"FAILED: {len(against)} of {len(cells)} cells decided against intent {timing}")
        return 1
    print(f"PASSED: all {len(cells)} cells decided as intended {timing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
