"""A Deny's exemption names principals: a wildcard in the exempted ARN exempts everyone like it.

The data lake's tag guard is `Deny s3:PutObjectTagging ... ArnNotLike aws:PrincipalArn
<tagger role ARN>`: every principal but the tagger is denied. Replace that ARN by
`arn:aws:iam::*:role/*` and the same statement denies nobody, yet still "has a tagger
exemption". An exempted value must name an account (12 digits, or a policy variable) and a
role, user or root without `*` or `?`; an assumed-role session may be a wildcard, the role may
not. Whether the named principal exists is the wiring-integrity rules' business.
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.conditions import exemption_weaknesses
from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.rules.common import (
    IDENTITY_POLICY_PROPS,
    POLICY_DOCUMENT_GUARDS,
    RESOURCE_POLICY_PROPS,
    ROLE,
    documents_of,
)

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    documents = documents_of(resource.type, resource.name, resource.props, ("identity", "resource"))
    for document in documents:
        for statement in document.statements:
            for weakness in exemption_weaknesses(statement):
                yield (
                    f"{document.where}: Deny statement {statement.sid or '(no Sid)'} exempts "
                    f"more than named principals: {weakness}"
                )


RULE = ResourceRule(
    name="iam-deny-exemption-names-principals",
    guards=POLICY_DOCUMENT_GUARDS,
    description=(
        "A Deny that exempts principals through a negated aws:PrincipalArn or "
        "aws:PrincipalAccount condition names them, with no wildcard in the account or the "
        "role name."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "List the exempted principals' full ARNs (arn:aws:iam::<account>:role/<name>) in the "
        "ArnNotLike/ArnNotEquals aws:PrincipalArn condition; never * or ? in the account or "
        "role name."
    ),
    concern="tag-based-iam",
    resource_types=(ROLE, *IDENTITY_POLICY_PROPS, *RESOURCE_POLICY_PROPS),
    check=_check,
)
