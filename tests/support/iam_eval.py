"""A small IAM policy evaluator for same-account requests, written from AWS's documented rules.

It decides one request against identity and resource policies the way the IAM User Guide's
"Policy evaluation logic" describes for a principal and a resource of one account: an explicit
Deny in any policy wins; otherwise an Allow in either policy allows; otherwise implicit deny.

Condition semantics follow "IAM JSON policy elements: Condition operators":
- a key missing from the request context makes a positive operator false, and a negated one
  (`StringNotEquals`, `ArnNotLike`, ...) true;
- `...IfExists` makes any operator true when the key is missing;
- `Null` tests presence (`"true"`: the key is absent);
- values listed for one key are OR-ed; keys and operators in one block are AND-ed;
- `ForAnyValue:`/`ForAllValues:` compare a multivalued key (e.g. `s3:RequestObjectTagKeys`);
  `ForAllValues` is true when the key is missing, `ForAnyValue` false.
Policy variables `${aws:PrincipalTag/<key>}` are substituted from the request's principal tags.

Only what the platform's documents use is implemented; anything else raises, so a test never
passes on an operator the evaluator does not understand.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = ["Decision", "Request", "evaluate"]

Decision = Literal["Allowed", "ExplicitlyDenied", "ImplicitlyDenied"]

_VARIABLE = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class Request:
    """One API request: who, what, on which resource, with which request context."""

    principal_arn: str
    action: str
    resource: str
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    """Condition keys present in the request (single values or lists for multivalued keys)."""
    principal_tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of the principal (role tags overridden by session tags)."""
    service_principal: str | None = None
    """Set when an AWS service principal makes the request."""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str) -> bool:
    # IAM wildcards: `*` any run of characters, `?` one character; nothing else is special.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _substitute(text: str, request: Request) -> str | None:
    """Replace policy variables; None when a variable has no value (the value never matches)."""
    missing = False

    def variable(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name.startswith("aws:PrincipalTag/"):
            value = request.principal_tags.get(name.removeprefix("aws:PrincipalTag/"))
            if value is not None:
                return value
        missing = True
        return ""

    result = _VARIABLE.sub(variable, text)
    return None if missing else result


def _compare(base: str, policy_value: str, actual: str) -> bool:
    match base:
        case "StringEquals" | "ArnEquals" | "Bool":
            return policy_value == actual
        case "StringLike" | "ArnLike":
            return _like(policy_value, actual)
        case "NumericLessThan":
            return float(actual) < float(policy_value)
        case _:
            raise NotImplementedError(f"condition operator {base}")


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _condition(operator: str, key: str, values: list[Any], request: Request) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    present = key in request.context
    if base == "Null":
        wants_absent = str(values[0]).lower() == "true"
        return (not present) if wants_absent else present
    if not present:
        if if_exists:
            return True
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return base in _NEGATED
    resolved = [v for v in (_substitute(str(v), request) for v in values) if v is not None]
    positive = _NEGATED.get(base, base)
    negated = base in _NEGATED
    actual = _as_list(request.context[key])

    def matches(item: str) -> bool:
        return any(_compare(positive, v, str(item)) for v in resolved)

    if qualifier == "ForAnyValue":
        return any((not matches(a)) if negated else matches(a) for a in actual)
    if qualifier == "ForAllValues":
        return all((not matches(a)) if negated else matches(a) for a in actual)
    if len(actual) != 1:
        raise ValueError(f"{key} is multivalued; use ForAnyValue/ForAllValues")
    hit = matches(actual[0])
    return not hit if negated else hit


def _conditions_hold(block: Mapping[str, Mapping[str, Any]], request: Request) -> bool:
    return all(
        _condition(operator, key, _as_list(values), request)
        for operator, tests in block.items()
        for key, values in tests.items()
    )


def _principal_matches(principal: Any, request: Request) -> bool:
    if principal is None:
        return True  # identity policies have no Principal element
    if principal == "*":
        return True
    if request.service_principal is not None:
        return request.service_principal in _as_list(principal.get("Service", []))
    aws = _as_list(principal.get("AWS", []))
    account = request.principal_arn.split(":")[4]
    return any(
        p == "*" or p == request.principal_arn or p == f"arn:aws:iam::{account}:root" for p in aws
    )


def _applies(statement: Mapping[str, Any], request: Request, *, resource_policy: bool) -> bool:
    if resource_policy and not _principal_matches(statement.get("Principal"), request):
        return False
    if "NotAction" in statement:
        raise NotImplementedError("NotAction")
    if not any(fnmatch.fnmatchcase(request.action, a) for a in _as_list(statement["Action"])):
        return False
    resources = [_substitute(r, request) for r in _as_list(statement.get("Resource", "*"))]
    if not any(r is not None and _like(r, request.resource) for r in resources):
        return False
    return _conditions_hold(statement.get("Condition", {}), request)


def evaluate(
    request: Request,
    *,
    identity_policies: Sequence[Mapping[str, Any]] = (),
    resource_policies: Sequence[Mapping[str, Any]] = (),
) -> Decision:
    """The decision for `request` (principal and resource in one account)."""
    # Principal tags are in every request context as `aws:PrincipalTag/<key>`.
    context = {
        **{f"aws:PrincipalTag/{k}": v for k, v in request.principal_tags.items()},
        **request.context,
    }
    request = replace(request, context=context)
    allowed = False
    for documents, is_resource in ((identity_policies, False), (resource_policies, True)):
        for document in documents:
            for statement in _as_list(document["Statement"]):
                if not _applies(statement, request, resource_policy=is_resource):
                    continue
                if statement["Effect"] == "Deny":
                    return "ExplicitlyDenied"
                allowed = True
    return "Allowed" if allowed else "ImplicitlyDenied"
