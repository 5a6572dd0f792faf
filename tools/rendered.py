"""Prod and dev rendered once under mocks, for the documents generated from the stacks."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from settings import StackSettings, settings_from_config
from tools.preview.program import ProgramRun, run_program
from tools.preview.stack_config import load_project, load_stack_config

__all__ = ["STACKS", "render_stacks"]

ROOT: Final = Path(__file__).resolve().parents[1]
STACKS: Final = ("prod", "dev")


def render_stacks() -> dict[str, tuple[StackSettings, ProgramRun]]:
    """Stack → (its settings, its run), exactly as `make preview` renders it."""
    project = load_project(ROOT).name
    rendered = {}
    for stack in STACKS:
        config = load_stack_config(ROOT, stack)
        rendered[stack] = (settings_from_config(config), run_program(ROOT, project, stack, config))
    return rendered
