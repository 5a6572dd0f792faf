"""Which AWS resource types accept tags, as generated from the installed provider package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["is_taggable"]

_DATA = Path(__file__).resolve().parent / "data" / "aws_taggable_types.txt"


@cache
def _taggable() -> frozenset[str]:
    lines = _DATA.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_taggable(type_token: str) -> bool:
    """Whether resources of `type_token` take a `tags` argument."""
    return type_token in _taggable()
