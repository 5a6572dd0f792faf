"""Lint the IAM documents the program renders, with parliament, keeping only real problems.

Mocks accept any JSON, and mypy cannot see inside a policy string, so an unknown action, a
condition key the action does not support (`s3:ExistingObjectTag` on `s3:ListBucket`), or a
malformed ARN would otherwise surface only at deploy time, or never, as a silently dead
statement. `lint_recorded` finds every policy-bearing input among recorded registrations and
`lint_policy` checks one document.

What is deliberately not reported (each is a known false positive, not a disabled check):

- `MALFORMED` "neither Resource nor NotResource" in trust policies: AWS forbids `Resource` in
  a role's trust policy, and parliament checks trust policies like identity policies.
- `RESOURCE_STAR` in KMS key policies: there `Resource: "*"` means "this key" and is the only
  value KMS accepts. In every other document it stays a finding.
- `MISMATCHED_TYPE` for numeric condition keys given decimal values: parliament's number
  pattern is `^\\d+$`, so `NumericLessThan s3:TlsVersion "1.2"` (AWS's own TLS example) would
  be flagged. Non-numeric values for numeric keys are still reported.
- `UNKNOWN_CONDITION_FOR_ACTION` when the action reaches the condition only through a
  wildcard (`s3:*`) in a Deny statement: a deny must name every action to leave no gap, and
  for the few actions the key does not apply to (e.g. `s3:TlsVersion` on the account-level
  `s3:PutAccessPointPublicAccessBlock`) the statement simply does not fire. A condition key on
  an action a statement names explicitly, or in any Allow, is still reported.
- `UNKNOWN_ACTION` for actions in `ACTIONS_NEWER_THAN_PARLIAMENT`: parliament's action table
  is a snapshot; an action AWS added later goes on that list with the date it was checked in
  the Service Authorization Reference, and every other unknown action is still reported.
- A finding on an action in `DOCUMENTED_EXCEPTIONS`: parliament's table is a snapshot, and for
  these AWS documents exactly the resource or condition key parliament rejects. Each entry
  names one action, one issue and (for condition findings) one condition key, with the reason
  and the AWS page that documents it; the same issue on any other action is still reported.
"""

from __future__ import annotations

import functools
import importlib.resources
import importlib.util
import json
import re
import sys
import types
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol, TypeAlias

__all__ = [
    "ACTIONS_NEWER_THAN_PARLIAMENT",
    "DOCUMENTED_EXCEPTIONS",
    "DOCUMENT_INPUTS",
    "DocumentedException",
    "Finding",
    "PolicyKind",
    "lint_policy",
    "lint_recorded",
]

PolicyKind: TypeAlias = Literal["identity", "resource", "trust", "key"]

ACTIONS_NEWER_THAN_PARLIAMENT: Final[frozenset[str]] = frozenset()
"""Real actions missing from parliament's table (none needed yet); see the module docstring."""


@dataclass(frozen=True, slots=True)
class DocumentedException:
    """One finding AWS documents as correct, for one action (see the module docstring)."""

    action: str
    """The action, as parliament names it, e.g. `states:InvokeHTTPEndpoint`."""
    issue: str
    """Parliament's issue code: `RESOURCE_MISMATCH` or `UNKNOWN_CONDITION_FOR_ACTION`."""
    reason: str
    """Why the finding is wrong, with the AWS page that says so."""
    condition_key: str = ""
    """For `UNKNOWN_CONDITION_FOR_ACTION`, the one condition key excepted."""


DOCUMENTED_EXCEPTIONS: Final[tuple[DocumentedException, ...]] = (
    # https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html (IAM
    # permissions to run an HTTP Task) and the Service Authorization Reference for Step
    # Functions (https://docs.aws.amazon.com/service-authorization/latest/reference/
    # list_awsstepfunctions.html): InvokeHTTPEndpoint is granted on the stateMachine and
    # scoped with states:HTTPMethod and states:HTTPEndpoint. Parliament lists the action with
    # no resource type and no condition keys.
    DocumentedException(
        "states:InvokeHTTPEndpoint",
        "RESOURCE_MISMATCH",
        "AWS grants InvokeHTTPEndpoint on the calling state machine's ARN (HTTP Task docs)",
    ),
    DocumentedException(
        "states:InvokeHTTPEndpoint",
        "UNKNOWN_CONDITION_FOR_ACTION",
        "AWS scopes InvokeHTTPEndpoint with states:HTTPMethod (HTTP Task docs)",
        condition_key="states:HTTPMethod",
    ),
    DocumentedException(
        "states:InvokeHTTPEndpoint",
        "UNKNOWN_CONDITION_FOR_ACTION",
        "AWS scopes InvokeHTTPEndpoint with states:HTTPEndpoint (HTTP Task docs)",
        condition_key="states:HTTPEndpoint",
    ),
    # https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html:
    # the role running a Distributed Map is granted DescribeExecution (and StopExecution) on
    # `arn:aws:states:<region>:<account>:execution:<stateMachineName>/*`, the child
    # executions `<stateMachineName>/<mapLabel>:...`. Parliament's execution format has
    # `execution:<name>:<id>`, so the documented `/`-separated pattern matches none of its
    # formats.
    DocumentedException(
        "states:DescribeExecution",
        "RESOURCE_MISMATCH",
        "Distributed Map child executions are execution:<stateMachineName>/* (AWS Map docs)",
    ),
    # https://docs.aws.amazon.com/omics/latest/dev/permissions-user.html ("Define custom IAM
    # permissions for runs"): StartRun is granted on the workflow, the run group and
    # `run/*` ARNs the request names. Parliament lists the action with no resource type.
    # https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry-permissions-create-pullthroughcache.html:
    # the registry policy grants BatchImportUpstreamImage on the cache's
    # `repository/<prefix>/*` ARNs. Parliament lists the action with no resource type.
    DocumentedException(
        "ecr:BatchImportUpstreamImage",
        "RESOURCE_MISMATCH",
        "AWS grants BatchImportUpstreamImage on repository/<cache prefix>/* (ECR PTC docs)",
    ),
    DocumentedException(
        "omics:StartRun",
        "RESOURCE_MISMATCH",
        "AWS grants StartRun on workflow, runGroup and run/* ARNs (HealthOmics IAM docs)",
    ),
)
"""Findings parliament's outdated table raises on documented policies; see the docstring."""

DOCUMENT_INPUTS: Final[Mapping[str, tuple[tuple[str, PolicyKind], ...]]] = {
    "aws:iam/role:Role": (("assumeRolePolicy", "trust"),),
    "aws:iam/rolePolicy:RolePolicy": (("policy", "identity"),),
    "aws:iam/policy:Policy": (("policy", "identity"),),
    "aws:iam/userPolicy:UserPolicy": (("policy", "identity"),),
    "aws:iam/groupPolicy:GroupPolicy": (("policy", "identity"),),
    "aws:s3/bucketPolicy:BucketPolicy": (("policy", "resource"),),
    "aws:kms/key:Key": (("policy", "key"),),
    "aws:sns/topic:Topic": (("policy", "resource"),),
    "aws:sns/topicPolicy:TopicPolicy": (("policy", "resource"),),
    "aws:sqs/queuePolicy:QueuePolicy": (("policy", "resource"),),
    "aws:efs/fileSystemPolicy:FileSystemPolicy": (("policy", "resource"),),
    "aws:secretsmanager/secretPolicy:SecretPolicy": (("policy", "resource"),),
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": (("policy", "resource"),),
    "aws:backup/vaultPolicy:VaultPolicy": (("policy", "resource"),),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": (("policy", "resource"),),
    "aws:ecr/registryPolicy:RegistryPolicy": (("policy", "resource"),),
}
"""Resource types whose inputs hold IAM documents, the input names, and the document kind."""

_DECIMAL: Final = re.compile(r"^\d+(\.\d+)?$")
_NUMERIC_MISMATCH: Final = re.compile(r"requires a value of type (Numeric|Number) but given (.*)$")


@dataclass(frozen=True, slots=True)
class Finding:
    """One real problem in one document."""

    source: str
    """Where the document came from, e.g. `aws:s3/bucketPolicy:BucketPolicy lake-x.policy`."""
    issue: str
    """Parliament's issue code, e.g. `UNKNOWN_CONDITION_FOR_ACTION`."""
    detail: str
    severity: str

    def __str__(self) -> str:
        return f"{self.source}: {self.issue} ({self.severity}) {self.detail}"


class _Recorded(Protocol):
    """What lint_recorded needs from a recorded registration (tools.preview.program)."""

    @property
    def type(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def inputs(self) -> dict[str, Any]: ...


def lint_policy(
    document: Mapping[str, Any], *, kind: PolicyKind = "identity", source: str = "document"
) -> list[Finding]:
    """Parliament's findings on `document` that are real problems for a document of `kind`."""
    analyze, enhance = _parliament()
    policy = analyze(json.dumps(document))
    findings: list[Finding] = []
    for raw in policy.findings:
        finding = Finding(
            source=source,
            issue=str(raw.issue),
            detail=str(raw.detail),
            severity=str(enhance(raw).severity),
        )
        if finding not in findings and not _is_false_positive(finding, kind, document):
            findings.append(finding)
    return findings


def lint_recorded(resources: Iterable[_Recorded]) -> list[Finding]:
    """Lint every IAM document among recorded registrations (see DOCUMENT_INPUTS)."""
    findings: list[Finding] = []
    for resource in resources:
        for key, kind in DOCUMENT_INPUTS.get(resource.type, ()):
            document = _document(resource.inputs.get(key))
            if document is None:
                continue
            source = f"{resource.type} {resource.name}.{key}"
            findings += lint_policy(document, kind=kind, source=source)
    return findings


def _document(value: Any) -> Mapping[str, Any] | None:
    """The document of an input: a JSON string or an object; None while still unknown."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        decoded: Mapping[str, Any] = json.loads(value)
        return decoded
    return None


def _is_false_positive(finding: Finding, kind: PolicyKind, document: Mapping[str, Any]) -> bool:
    if _is_documented_exception(finding):
        return True
    if finding.issue == "UNKNOWN_CONDITION_FOR_ACTION":
        return _only_through_wildcard_deny(finding.detail, document)
    if finding.issue == "MALFORMED" and kind == "trust":
        return "neither Resource nor NotResource" in finding.detail
    if finding.issue == "RESOURCE_STAR":
        return kind == "key"
    if finding.issue == "MISMATCHED_TYPE":
        match = _NUMERIC_MISMATCH.search(finding.detail)
        if match is None:
            return False
        values = re.findall(r"'([^']*)'", match.group(2))
        return bool(values) and all(_DECIMAL.fullmatch(v) for v in values)
    if finding.issue == "UNKNOWN_ACTION":
        return finding.detail.removeprefix("Unknown action ") in ACTIONS_NEWER_THAN_PARLIAMENT
    return False


_UNKNOWN_CONDITION: Final = re.compile(r"^Unknown condition (\S+) for action (\S+)$")
_MISMATCHED_ACTION: Final = re.compile(r"'action': '([^']+)'")


def _is_documented_exception(finding: Finding) -> bool:
    """Whether every action the finding names is excepted for its issue (and condition key)."""
    if finding.issue == "UNKNOWN_CONDITION_FOR_ACTION":
        match = _UNKNOWN_CONDITION.match(finding.detail)
        if match is None:
            return False
        key, action = match.group(1), match.group(2)
        return any(
            e.issue == finding.issue
            and e.action.lower() == action.lower()
            and e.condition_key.lower() == key.lower()
            for e in DOCUMENTED_EXCEPTIONS
        )
    if finding.issue == "RESOURCE_MISMATCH":
        actions = _MISMATCHED_ACTION.findall(finding.detail)
        excepted = {
            e.action.lower() for e in DOCUMENTED_EXCEPTIONS if e.issue == "RESOURCE_MISMATCH"
        }
        return bool(actions) and all(a.lower() in excepted for a in actions)
    return False


def _only_through_wildcard_deny(detail: str, document: Mapping[str, Any]) -> bool:
    match = _UNKNOWN_CONDITION.match(detail)
    if match is None:
        return False
    key, action = match.group(1), match.group(2).lower()
    using = [s for s in _statements(document) if key in json.dumps(s.get("Condition", {}))]
    if not using:
        return False
    for statement in using:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else list(actions)
        explicit = action in (a.lower() for a in actions)
        if statement.get("Effect") != "Deny" or explicit or not any("*" in a for a in actions):
            return False
    return True


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, Mapping) else list(statements)


@functools.cache
def _parliament() -> tuple[Any, Any]:
    """parliament's `analyze_policy_string` and `enhance_finding`, imported once.

    parliament 1.6 finds its data files through `pkg_resources`, which setuptools no longer
    ships; a stand-in with the one function it calls resolves them with importlib instead.
    Its import also opens files without closing them and compiles regexes with invalid escape
    sequences, whose warnings are parliament's own and are silenced for the import alone.
    """
    if importlib.util.find_spec("pkg_resources") is None and "pkg_resources" not in sys.modules:
        shim = types.ModuleType("pkg_resources")
        shim.resource_filename = _resource_filename  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from parliament import analyze_policy_string, enhance_finding
    return analyze_policy_string, enhance_finding


def _resource_filename(package: str, name: str) -> str:
    return str(importlib.resources.files(package).joinpath(name))
