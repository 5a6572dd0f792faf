"""Every own-account principal and resource a policy document names is one the stack creates.

AWS accepts a name it cannot resolve in more places than it rejects one: a condition value such
as `aws:PrincipalArn` or `aws:SourceArn` may name anything, an identity policy's `Resource` may
name a table that does not exist, and a role recreated under the old name does not regain what
a policy granted to the old one. IAM's guide (Policy elements: Principal) says a principal ARN
in a policy "transforms to a unique principal ID when you save the policy ... if you delete the
role or user, then the relationship is broken"; S3's knowledge-center article "Invalid principal
in policy" names a deleted or misspelled user or role as the cause. Either way the mistake only
shows after `pulumi up`, so the pack joins each ARN to the stack's own resources instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.rules.common import POLICY_DOCUMENT_GUARDS, matches_any
from policies.rules.wiring.references import (
    CONFIG_PROPERTIES,
    Inventory,
    Reference,
    Unknowns,
    arn_references,
    own_accounts,
)

__all__ = ["RULES"]


def _unresolved(stack: StackView, *, principals: bool) -> Iterator[tuple[str, str | None]]:
    accounts = own_accounts(stack, stack.config["accountIds"])
    external = [str(pattern) for pattern in stack.config["externalArns"]]
    inventory = Inventory.of(stack)
    unknowns = Unknowns()
    grouped: dict[tuple[str, str, str], list[Reference]] = {}
    for reference in arn_references(stack, accounts, unknowns, principals=principals):
        if matches_any(reference.arn.text, external):
            continue
        resolved = inventory.resolve(reference)
        if resolved is None:
            unknowns.add(f"{reference.where} ({reference.arn.text})")
        elif not resolved:
            key = (reference.owner.urn, reference.where, reference.arn.text)
            grouped.setdefault(key, []).append(reference)
    for (urn, where, arn), references in grouped.items():
        first = references[0]
        elements = ", ".join(sorted({r.element for r in references}))
        sids = sorted({r.statement for r in references})
        counted = f"statement {sids[0]} names" if len(sids) == 1 else f"{len(sids)} statements name"
        nearest = inventory.nearest(first)
        hint = f" (nearest: {', '.join(nearest)})" if nearest else ""
        yield (
            f"{where}: {counted} {first.kind.label} {arn} in {elements}, but the stack "
            f"creates no {first.kind.label} {first.name!r}{hint}",
            urn,
        )
    unknowns.raise_if_any()


def _principals(stack: StackView) -> Iterator[tuple[str, str | None]]:
    return _unresolved(stack, principals=True)


def _resources(stack: StackView) -> Iterator[tuple[str, str | None]]:
    return _unresolved(stack, principals=False)


_EXTERNAL = (
    "If the principal or resource exists outside the stack on purpose, add its ARN (or a "
    "pattern) to this rule's externalArns in the policy-pack config and say why there."
)

RULES = (
    StackRule(
        name="iam-policy-principals-exist",
        guards=(
            *POLICY_DOCUMENT_GUARDS,
            "aws:iam/role:Role.assumeRolePolicy",
            "aws:iam/role:Role.assumeRolePolicy.**",
        ),
        description=(
            "Every IAM role or user of the stack's own account that a policy names as Principal "
            "or in a condition (aws:PrincipalArn, aws:SourceArn, ...) is one the stack creates."
        ),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Build the ARN from the role's or user's own `arn` output (or one shared name "
            "function both sides call) instead of restating its name; check the path and "
            "suffix. " + _EXTERNAL
        ),
        concern="wiring",
        check=_principals,
        config_properties=CONFIG_PROPERTIES,
    ),
    StackRule(
        name="iam-policy-resources-exist",
        guards=POLICY_DOCUMENT_GUARDS,
        description=(
            "Every own-account bucket, table, KMS key or alias, topic, queue, role or user that "
            "a policy names as Resource or in a condition is one the stack creates."
        ),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Take the ARN from the resource's `arn` output (KMS key ids exist only then) or from "
            "the one function that names it, and keep region and name in step. " + _EXTERNAL
        ),
        concern="wiring",
        check=_resources,
        config_properties=CONFIG_PROPERTIES,
    ),
)
