"""The AWS calls a function makes, declared next to it and evaluated by `make access`.

Each function lists, in `functions/<name>/access.py`, one `Call` per IAM action its code needs
and what it acts on. `make access` resolves each resource against the deployed function's own
configuration (its environment) and evaluates the call with the stack's real documents; a test
checks the list against the boto3 calls the function's adapters make, so a new call without a
declaration (and therefore without a proven grant) fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Call"]


@dataclass(frozen=True)
class Call:
    """One IAM action a function's code performs, and on what.

    `resource` names the target through the function's environment, so the declaration never
    restates a physical name:
    `env:VAR` the ARN in VAR; `each:VAR` every ARN of the JSON list in VAR (`each:VAR/execution`
    an execution of each); `buckets:VAR` every stack bucket named in VAR (a name, or the keys
    or values of a JSON object); `objects:VAR` an object under a project prefix in each of
    those buckets;
    `objects:VAR/PREFIX_VAR` an object under the prefix in PREFIX_VAR; `<service>:<type>` one
    resource of that type in the function's account and region (e.g. `ec2:volume`);
    `stack:datasync-task` (or `datasync-s3-location`) every such resource of the stack; `*`
    for actions that take no resource.
    """

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)
    """Request context the code's own call carries (e.g. the tag keys it writes); `${VAR}`
    in a key or value is replaced by the function's environment variable VAR."""
    purpose: str = ""
    """Tells two calls of one action apart in the report (e.g. `retag`)."""
    when: str = ""
    """An environment variable that must be `true` for the code to make the call (a mode)."""
