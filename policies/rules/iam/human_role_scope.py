"""What a role people assume reaches is held to the person's own project and to named keys.

Three promises of docs/access.md and docs/data-lake.md that a condition can keep in form while
breaking them in meaning (the tests behind them read meaning, through `policies.conditions`):

- **Own project, by the principal's tag.** A research read holds `s3:ExistingObjectTag/project`
  to `${aws:PrincipalTag/project}`, the session's own tag. A literal (`"tb-genomics"`) or a
  pattern (`"tb-*"`) still restricts, so the object-tag rule accepts it, but it no longer
  follows the session: the role reads that project whatever the session was tagged with.
- **Lists only its own prefix.** `s3:ListBucket` cannot see object tags ("ListBucket ... does
  not support the s3:ExistingObjectTag condition key", Service Authorization Reference, Amazon
  S3), so without an `s3:prefix` condition a research role lists every project's keys. The
  prefix must stay under `projects/${aws:PrincipalTag/project}/`.
- **Decrypts only named keys, only through S3.** `kms:Decrypt` on `*` (or `key/*`) decrypts with
  every key the key policies let the account use; the lake's grants name the key and pin
  `kms:ViaService` to S3 ("kms:ViaService ... limits use of a KMS key to requests from specified
  AWS services", AWS KMS Developer Guide, "kms:ViaService").

Only roles people assume are judged (a role that only AWS services may assume is scoped by
its service's own request, not by a session tag).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

from policies.conditions import restriction_gap, tests_of, weakness
from policies.framework import EnforcementLevel, Severity, StackRule, StackView
from policies.iam import Statement, grants, grants_any
from policies.rules.common import ROLE, role_documents, touches_data_lake
from policies.rules.iam.s3_read_requires_object_tag import DATA_READ_ACTIONS, is_service_role

__all__ = ["RULES"]

_OWN_PROJECT: Final = "${aws:PrincipalTag/project}"
_OWN_PREFIX: Final = f"projects/{_OWN_PROJECT}/"
_POLICY_PROPS: Final = (
    "aws:iam/rolePolicy:RolePolicy.policy",
    "aws:iam/role:Role.inlinePolicies[].policy",
)

Judge = Callable[[Statement], str | None]


def _people_statements(stack: StackView) -> Iterator[tuple[str, Statement, str | None]]:
    """(where, statement, urn) of every Allow in the documents of roles people assume."""
    for role in stack.of_type(ROLE):
        if is_service_role(role):
            continue
        for document, urn in role_documents(stack, role):
            for statement in document.statements:
                if statement.effect == "Allow":
                    yield document.where, statement, urn


def _judged(stack: StackView, judge: Judge) -> Iterator[tuple[str, str | None]]:
    for where, statement, urn in _people_statements(stack):
        problem = judge(statement)
        if problem is not None:
            yield f"{where}: statement {statement.sid or '(no Sid)'} {problem}", urn


def _project_by_own_tag(statement: Statement) -> str | None:
    if not touches_data_lake(statement) or not grants_any(statement, DATA_READ_ACTIONS):
        return None
    found = [t for t in tests_of(statement, "s3:ExistingObjectTag/project") if weakness(t) is None]
    if not found:
        return None  # iam-s3-read-requires-object-tag reports the missing condition
    if any(not t.by_pattern and set(t.values) == {_OWN_PROJECT} for t in found):
        return None
    values = sorted({v for t in found for v in t.values})
    return (
        "compares s3:ExistingObjectTag/project with "
        f"{', '.join(repr(v) for v in values)} instead of the session's {_OWN_PROJECT}"
    )


def _list_within_own_prefix(statement: Statement) -> str | None:
    if not touches_data_lake(statement) or not grants(statement, "s3:ListBucket"):
        return None
    gap = restriction_gap(statement, "s3:prefix")
    if gap is not None:
        return f"lists data-lake buckets without an s3:prefix condition that restricts ({gap})"
    values = {v for t in tests_of(statement, "s3:prefix") if weakness(t) is None for v in t.values}
    outside = sorted(v for v in values if not v.startswith(_OWN_PREFIX))
    if outside:
        return f"lists prefixes outside {_OWN_PREFIX}: {', '.join(outside)}"
    return None


def _decrypt_named_keys(statement: Statement) -> str | None:
    if not grants(statement, "kms:Decrypt"):
        return None
    if statement.not_resources:
        return "decrypts with every key but those NotResource lists"
    wide = [r for r in statement.resources if r == "*" or r.rsplit(":", 1)[-1] in ("key/*", "*")]
    if wide:
        return f"decrypts with any key ({wide[0]})"
    gap = restriction_gap(statement, "kms:ViaService")
    if gap is not None:
        return f"decrypts outside S3: kms:ViaService does not restrict ({gap})"
    return None


def _rule(name: str, description: str, remediation: str, judge: Judge) -> StackRule:
    return StackRule(
        name=name,
        description=description,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=remediation,
        concern="tag-based-iam",
        guards=_POLICY_PROPS,
        check=lambda stack: _judged(stack, judge),
    )


RULES: Final = (
    _rule(
        "iam-s3-read-project-is-principal-tag",
        "Roles people assume hold s3:ExistingObjectTag/project to the session's own "
        "${aws:PrincipalTag/project}, never to a literal or a pattern.",
        'Write the condition as StringEquals {"s3:ExistingObjectTag/project": '
        '"${aws:PrincipalTag/project}"}; keep the group\'s projects in the '
        "aws:PrincipalTag/project test and the trust policy's aws:RequestTag/project.",
        _project_by_own_tag,
    ),
    _rule(
        "iam-s3-list-within-own-prefix",
        "Roles people assume list data-lake buckets only under "
        "projects/${aws:PrincipalTag/project}/.",
        'Add StringLike {"s3:prefix": "projects/${aws:PrincipalTag/project}/*"} to the '
        "s3:ListBucket statement.",
        _list_within_own_prefix,
    ),
    _rule(
        "iam-kms-decrypt-named-keys-via-s3",
        "Roles people assume decrypt only with named KMS keys and only through S3 "
        "(kms:ViaService).",
        "Name the key ARNs in Resource (from the keys' arn outputs) and add StringEquals "
        '{"kms:ViaService": "s3.<region>.amazonaws.com"}.',
        _decrypt_named_keys,
    ),
)
