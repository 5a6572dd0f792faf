"""Why a security-relevant input of a present type needs no rule of its own.

The property census (`tools/census.py`, `policies/census.json`) lists every input of every type
the stacks create that bears on security or data protection. Each is guarded by a rule (the
rule's `guards`) or named here with a one-line reason. A new type or input that is neither fails
`tests/policies/test_census.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["EXEMPTIONS"]

EXEMPTIONS: Final[Mapping[str, str]] = {}
"""Census path → why no rule judges it."""
