"""The composition layer: the only code that turns stack settings into component Args.

`build(settings)` creates every component in dependency order through one builder per
subsystem and returns them as a `Platform`; `outputs.export(platform)` publishes the stack
outputs from one table. Components never read settings; builders never restate another
component's internals (a wiring test keeps it so): a value is a setting, another component's
output, or a name from `composition.names`.
"""

from __future__ import annotations

from composition.build import Platform, build

__all__ = ["Platform", "build"]
