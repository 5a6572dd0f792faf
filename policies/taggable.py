"""Which AWS resource types accept tags, as generated from the installed provider packages.

pulumi-aws and pulumi-aws-native each have their own list (`tools/gen_taggable.py`); a type is
taggable when the package it comes from says so.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

__all__ = ["AWS_PACKAGES", "is_taggable"]

_DATA = Path(__file__).resolve().parent / "data"
AWS_PACKAGES: Final = ("aws", "aws-native")
"""The Pulumi packages whose resources live in an AWS account and region."""


@cache
def _taggable() -> frozenset[str]:
    types: set[str] = set()
    for listing in ("aws_taggable_types.txt", "aws_native_taggable_types.txt"):
        lines = (_DATA / listing).read_text(encoding="utf-8").splitlines()
        types.update(line for line in lines if line and not line.startswith("#"))
    return frozenset(types)


def is_taggable(type_token: str) -> bool:
    """Whether resources of `type_token` take a `tags` argument."""
    return type_token in _taggable()
