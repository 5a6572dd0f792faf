"""ARNs that must be known before their resources exist, built from `contracts.names`.

The lake's tag-write deny names the tagger's role, which the transfer component creates later;
both sides take the role's name from `contracts.names` (the one place its suffix rule lives), so a
rename cannot leave a policy naming a role that does not exist. Only the account id is a Pulumi
output here; the rule itself is the contract's. The file system's policy needs no early ARN: it is
written after its roles (`SharedFileSystem.authorize_clients`).
"""

from __future__ import annotations

import pulumi

from contracts import names

__all__ = ["EarlyRoleArns"]


class EarlyRoleArns:
    """ARNs of roles that policies created before them must name."""

    def __init__(self, account_id: pulumi.Input[str], name_prefix: str) -> None:
        tagger = names.tagger_role_name(name_prefix)
        self.tagger: pulumi.Output[str] = pulumi.Output.from_input(account_id).apply(
            lambda account: names.role_arn(account, tagger)
        )
        """The object tagger's role: the only principal that may write object tags."""
