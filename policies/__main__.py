"""Entry point the engine runs: `pulumi preview --policy-pack policies`.

The pack lives inside the platform repository and shares its taxonomy, so the repository
root is put on the import path before the rules load.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies import conditions, sdk_decoding
from policies.framework import to_policy
from policies.registry import all_rules

sdk_decoding.install()
conditions.preload_action_table()
PolicyPack(
    name="genomics-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[to_policy(rule) for rule in all_rules()],
    description="Guardrails of the genomics storage platform.",
)
