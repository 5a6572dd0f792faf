"""Deny-intent cells: what each role must not be able to do, generated, never hand-listed.

The allow cells say what each principal needs; they come from the settings, the layout, each
function's declared calls and the wiring the stack renders. The scope of a role is exactly
what its allow cells reach: for an S3 object, the bucket and the key prefix the cell wrote or
read under; for anything else, the action on that ARN. Every data store the stack creates
(bucket, key prefix, file system and access point, table, queue, topic, KMS key, volume and
snapshot), probed with every action family (read, write, tag, delete, reconfigure, decrypt,
grant), and every role of the stack probed for `iam:PassRole`, must be Denied to a role
outside its scope. A new role, bucket or queue is covered the moment the stack renders it.

Service trusts get cross-account probes: the trusted service acting for another account
(`aws:SourceAccount` and `aws:SourceArn` of a stranger) must not be able to assume the role
(IAM User Guide, "The confused deputy problem": "We recommend using the aws:SourceArn,
aws:SourceAccount ... global condition context keys in resource-based policies"). A few
services assume roles without sending those keys; `SOURCELESS_SERVICES` names each with the
reason it is not a cross-account deputy, and docs/access.md repeats it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from settings.model import StackSettings
from tools.access.matrix import Cell, tls
from tools.access.requests import Caller, Check, role_session
from tools.access.stack import Role, StackDocuments

__all__ = ["FOREIGN_ACCOUNT", "MANAGED_POLICY_GRANTS", "SOURCELESS_SERVICES", "deny_intent_cells"]

FOREIGN_ACCOUNT: Final = "444455556666"
"""The stranger of every cross-account probe."""

SOURCELESS_SERVICES: Final[Mapping[str, str]] = {
    "ec2.amazonaws.com": (
        "an instance profile's role is assumed by EC2 for an instance launched in this account "
        "by a caller allowed iam:PassRole here; EC2 sends no aws:SourceAccount for it"
    ),
    "eks.amazonaws.com": (
        "the cluster role is assumed by the EKS control plane for a cluster created in this "
        "account by a caller allowed iam:PassRole here; EKS documents no source keys for it"
    ),
    "apigateway.amazonaws.com": (
        "API Gateway assumes an integration or logging role only for an API or account setting "
        "of this account, set by a caller allowed iam:PassRole here; it sends no source keys"
    ),
}
"""Service principals whose trust cannot carry source conditions, and why each is no
cross-account deputy: a role cannot be passed to a service acting for another account ("IAM
roles cannot be passed across accounts", IAM User Guide, "Grant a user permissions to pass a
role to an AWS service")."""

MANAGED_POLICY_GRANTS: Final[Mapping[str, Mapping[str, str]]] = {
    "AmazonEKSClusterPolicy": {
        "ec2:DeleteVolume": (
            "AWS managed AmazonEKSClusterPolicy, which EKS requires on the cluster role (Amazon "
            "EKS User Guide, 'Amazon EKS cluster IAM role'): the control plane detaches and "
            "deletes the volumes of the in-tree storage it manages; no platform volume is left "
            "to it (the EBS CSI driver and AWS Backup own theirs)"
        ),
    },
}
"""AWS managed policies the platform must attach, and each grant beyond the role's scope that
comes with them, with its reason: these cells are decided allowed, visibly, not silently."""

_PROBE: Final = "deny-probe/sample"

_OBJECT_ACTIONS: Final = (
    ("read", "s3:GetObject"),
    ("write", "s3:PutObject"),
    ("write", "s3:ReplicateObject"),
    ("tag", "s3:PutObjectTagging"),
    ("delete", "s3:DeleteObject"),
    ("delete", "s3:DeleteObjectVersion"),
)
_BUCKET_ACTIONS: Final = (
    ("delete", "s3:DeleteBucket"),
    ("reconfigure", "s3:PutBucketPolicy"),
    ("reconfigure", "s3:PutLifecycleConfiguration"),
)
_FAMILIES: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "aws:dynamodb/table:Table": (
        ("read", "dynamodb:GetItem"),
        ("write", "dynamodb:PutItem"),
        ("delete", "dynamodb:DeleteItem"),
        ("delete", "dynamodb:DeleteTable"),
    ),
    "aws:sqs/queue:Queue": (
        ("read", "sqs:ReceiveMessage"),
        ("write", "sqs:SendMessage"),
        ("delete", "sqs:PurgeQueue"),
        ("reconfigure", "sqs:SetQueueAttributes"),
    ),
    "aws:sns/topic:Topic": (
        ("write", "sns:Publish"),
        ("read", "sns:Subscribe"),
        ("delete", "sns:DeleteTopic"),
        ("reconfigure", "sns:SetTopicAttributes"),
    ),
    "aws:kms/key:Key": (
        ("decrypt", "kms:Decrypt"),
        ("grant", "kms:CreateGrant"),
        ("delete", "kms:ScheduleKeyDeletion"),
        ("reconfigure", "kms:PutKeyPolicy"),
    ),
    "aws:efs/fileSystem:FileSystem": (("delete", "elasticfilesystem:DeleteFileSystem"),),
    "aws:efs/accessPoint:AccessPoint": (("delete", "elasticfilesystem:DeleteAccessPoint"),),
}
"""Resource type -> the action families probed on each resource of that type."""

_EC2_ACTIONS: Final = (
    ("delete", "ec2:DeleteVolume", "volume/vol-0123456789abcdef0"),
    ("delete", "ec2:DeleteSnapshot", "snapshot/snap-0123456789abcdef0"),
)


@dataclass
class _Scope:
    """What one role's allow cells reach."""

    callers: dict[str, Caller] = field(default_factory=dict)
    """The role's sessions, by label (a research role has one per session project)."""
    objects: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    """(action, bucket) -> key prefixes."""
    resources: set[tuple[str, str]] = field(default_factory=set)
    """(action, ARN) of every non-object request (KMS only when called directly)."""
    mounts: set[str] = field(default_factory=set)
    """Access point ARNs it mounts through ("" for the file-system root)."""

    def reaches(self, action: str, arn: str) -> bool:
        if arn.startswith("arn:aws:s3:::") and "/" in arn:
            bucket, key = arn.removeprefix("arn:aws:s3:::").split("/", 1)
            return any(key.startswith(p) for p in self.objects.get((action, bucket), ()))
        return (action, arn) in self.resources


def _prefix_of(key: str) -> str:
    """The prefix an allow cell's sample key stands for (the layout prefix it was built in)."""
    for sample in ("access-check/sample", "k"):
        if key.endswith(sample):
            return key.removesuffix(sample)
    return key.rsplit("/", 1)[0] + "/" if "/" in key else ""


def _scopes(stack: StackDocuments, cells: Iterable[Cell]) -> dict[str, _Scope]:
    """Role ARN -> scope, from every intended-allow cell of a role session."""
    by_session = {
        f"arn:aws:sts::{stack.account}:assumed-role/{r.name}/access-check": arn
        for arn, r in stack.roles.items()
    }
    scopes: dict[str, _Scope] = defaultdict(_Scope)
    for cell in cells:
        role = by_session.get(cell.caller.principal)
        if role is None or not cell.intended:
            continue
        scope = scopes[role]
        scope.callers.setdefault(cell.caller.label, cell.caller)
        for check in cell.checks:
            arn = check.resource
            if check.action.startswith("elasticfilesystem:Client"):
                scope.mounts.add(str(check.context.get("elasticfilesystem:AccessPointArn", "")))
            if arn.startswith("arn:aws:s3:::") and "/" in arn:
                bucket, key = arn.removeprefix("arn:aws:s3:::").split("/", 1)
                scope.objects[(check.action, bucket)].add(_prefix_of(key))
            elif not (check.action.startswith("kms:") and "kms:ViaService" in check.context):
                scope.resources.add((check.action, arn))
    return scopes


def _callers(stack: StackDocuments, role: Role, scope: _Scope | None) -> list[Caller]:
    if scope and scope.callers:
        # A research role's sessions differ only by project tag: one is enough for the probes
        # of stores and families; the per-project denials are the research cells' own.
        return [next(iter(scope.callers.values()))]
    return [role_session(stack, role, role.name)]


def _object_keys(
    settings: StackSettings, scope: _Scope, bucket: str, own_project: str
) -> list[str]:
    """Keys to probe in `bucket`: the role's own prefixes (other families there), a key in
    another project's prefix and one outside every layout prefix."""
    own = {p for (_, b), prefixes in scope.objects.items() if b == bucket for p in prefixes}
    others = [p for p in settings.projects if p != own_project] or list(settings.projects)
    keys = [f"{p}{_PROBE}" for p in sorted(own)]
    keys += [f"projects/{others[0]}/{_PROBE}", _PROBE]
    return list(dict.fromkeys(keys))


def _store_cells(
    stack: StackDocuments, settings: StackSettings, caller: Caller, scope: _Scope
) -> Iterator[Cell]:
    own_project = str(caller.context.get("aws:PrincipalTag/project", settings.projects[0]))
    tags = {"s3:ExistingObjectTag/project": own_project}
    for bucket in sorted(str(b.outputs["bucket"]) for b in stack.of_type("aws:s3/bucket:Bucket")):
        for key in _object_keys(settings, scope, bucket, own_project):
            arn = f"arn:aws:s3:::{bucket}/{key}"
            for family, action in _OBJECT_ACTIONS:
                if not scope.reaches(action, arn):
                    yield _deny(caller, family, action, f"{bucket}/{key}", arn, {**tls(), **tags})
        for family, action in _BUCKET_ACTIONS:
            arn = f"arn:aws:s3:::{bucket}"
            if not scope.reaches(action, arn):
                yield _deny(caller, family, action, bucket, arn, tls())
    for type_token, families in _FAMILIES.items():
        for resource in stack.of_type(type_token):
            arn = str(resource.outputs["arn"])
            for family, action in families:
                if not scope.reaches(action, arn):
                    yield _deny(caller, family, action, _short(stack, arn), arn, _secure())
    regions = {settings.primary_region, settings.dr_region}
    for region in sorted(regions):
        for family, action, suffix in _EC2_ACTIONS:
            account = "" if suffix.startswith("snapshot") else stack.account
            arn = f"arn:aws:ec2:{region}:{account}:{suffix}"
            if not scope.reaches(action, arn):
                yield _deny(caller, family, action, _short(stack, arn), arn, {})


def _mount_cells(stack: StackDocuments, caller: Caller, scope: _Scope) -> Iterator[Cell]:
    """Every access point that is not the role's own, and the file-system root, refused."""
    for file_system in stack.of_type("aws:efs/fileSystem:FileSystem"):
        fs_arn = str(file_system.outputs["arn"])
        points = [
            str(p.outputs["arn"])
            for p in stack.of_type("aws:efs/accessPoint:AccessPoint")
            if p.inputs.get("fileSystemId") == file_system.outputs["id"]
        ]
        for point in ["", *points]:
            if point in scope.mounts:
                continue
            context = {
                "aws:SecureTransport": "true",
                "elasticfilesystem:AccessedViaMountTarget": "true",
            }
            if point:
                context["elasticfilesystem:AccessPointArn"] = point
            where = _short(stack, point) if point else f"{_short(stack, fs_arn)} (root)"
            for action in ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientRootAccess"):
                yield _deny(caller, "mount", action, where, fs_arn, context)


def _pass_role_cells(stack: StackDocuments, caller: Caller, scope: _Scope) -> Iterator[Cell]:
    for arn, role in sorted(stack.roles.items()):
        for service in _trusted_services(role) or ("lambda.amazonaws.com",):
            if scope.reaches("iam:PassRole", arn):
                continue
            context = {"iam:PassedToService": service}
            yield _deny(
                caller, "pass-role", "iam:PassRole", f"{role.name} to {service}", arn, context
            )


def _trusted_services(role: Role) -> tuple[str, ...]:
    services: list[str] = []
    for statement in _statements(role.trust):
        principal = statement.get("Principal", {})
        if isinstance(principal, dict):
            value = principal.get("Service", [])
            services += [value] if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(services))


def _statements(document: Mapping[str, object]) -> list[Mapping[str, object]]:
    statement = document.get("Statement", [])
    return list(statement) if isinstance(statement, list) else [statement]  # type: ignore[list-item]


def _trust_cells(stack: StackDocuments, role: Role) -> Iterator[Cell]:
    """The role's trusted services acting for a stranger must not become it."""
    for service in _trusted_services(role):
        if service in SOURCELESS_SERVICES:
            continue
        name = service.split(".")[0]
        region = str(stack.config.get("aws:region", "ap-south-1"))
        stranger = Caller(
            f"{service} for another account",
            service,
            (),
            {
                "aws:SourceAccount": FOREIGN_ACCOUNT,
                "aws:SourceArn": f"arn:aws:{name}:{region}:{FOREIGN_ACCOUNT}:deny-probe",
            },
        )
        yield Cell(
            "deny intent",
            stranger,
            "cross-account: sts:AssumeRole",
            role.name,
            (Check("sts:AssumeRole", role.arn, {}),),
            False,
            "a service acting for another account never assumes the platform's roles",
        )


def _deny(
    caller: Caller,
    family: str,
    action: str,
    target: str,
    arn: str,
    context: Mapping[str, str | list[str]],
) -> Cell:
    return Cell(
        "deny intent",
        caller,
        f"{family}: {action}",
        target,
        (Check(action, arn, dict(context)),),
        False,
        "outside the role's scope (its allow cells)",
    )


def _secure() -> dict[str, str | list[str]]:
    return {"aws:SecureTransport": "true"}


def _short(stack: StackDocuments, arn: str) -> str:
    return arn.replace(f":{stack.account}:", "::").removeprefix("arn:aws:")


def deny_intent_cells(
    stack: StackDocuments, settings: StackSettings, allowed: Sequence[Cell]
) -> Iterator[Cell]:
    """For every role of the stack, every store, family, access point and role outside its
    scope, and a stranger's probe of every service trust."""
    scopes = _scopes(stack, allowed)
    for arn, role in sorted(stack.roles.items()):
        scope = scopes.get(arn) or _Scope()
        documented = _documented_grants(role)
        for caller in _callers(stack, role, scopes.get(arn)):
            for cell in (
                *_store_cells(stack, settings, caller, scope),
                *_mount_cells(stack, caller, scope),
                *_pass_role_cells(stack, caller, scope),
            ):
                reason = documented.get(cell.checks[0].action)
                yield replace(cell, intended=True, why=reason) if reason else cell
        yield from _trust_cells(stack, role)


def _documented_grants(role: Role) -> dict[str, str]:
    names = {policy.rsplit("/", 1)[-1] for policy in role.policies}
    return {
        action: reason
        for name, grants in MANAGED_POLICY_GRANTS.items()
        if name in names
        for action, reason in grants.items()
    }
