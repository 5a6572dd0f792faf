"""The request matrix, generated from the settings and the stack, each cell with its intent.

Intent never comes from the documents under test: research access comes from the settings
(`researchGroups`: which projects and classifications a group reads) and the data taxonomy
(which classification each bucket's category holds); platform access comes from the calls each
function's code makes (`functions/<name>/access.py`) and from the wiring the stack renders
(a log delivery, an alarm action, an event target, a replication rule names who must reach
what).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from contracts.layout import project_prefix
from contracts.names import bucket_name, resource_prefix
from contracts.taxonomy.categories import CATEGORIES, DataCategory
from contracts.taxonomy.keys import CLASSIFICATIONS, TagKey
from functions.common.access import Call
from settings.model import ResearchGroupSettings, StackSettings
from tools.access.requests import (
    Caller,
    Check,
    kms_checks_for,
    role_session,
    s3_get,
    s3_put,
    service,
)
from tools.access.stack import Resource, Role, StackDocuments

__all__ = ["Cell", "function_cells", "research_cells", "service_cells", "short_arn", "tls"]

_EXAMPLE_IDS: Final = {
    "execution": "exec-0123456789abcdef0",
    "ec2:volume": "volume/vol-0123456789abcdef0",
    "ec2:instance": "instance/i-0123456789abcdef0",
    "ec2:snapshot": "snapshot/snap-0123456789abcdef0",
}


@dataclass(frozen=True)
class Cell:
    """One operation by one principal on one class of resource, and whether it should work."""

    section: str
    caller: Caller
    operation: str
    target: str
    checks: tuple[Check, ...]
    intended: bool
    why: str


def _research_cells(
    stack: StackDocuments, settings: StackSettings, group: ResearchGroupSettings
) -> Iterator[Cell]:
    prefix = resource_prefix(settings.org, settings.environment)
    role = stack.role_named(f"{prefix}-research-{group.name}")
    regions = (settings.primary_region, settings.dr_region)
    yield from _research_trust_cells(stack, settings, group, role)
    for session_project in group.projects:
        caller = role_session(
            stack,
            role,
            f"{group.name} [{session_project}]",
            tags={"project": session_project},
            mfa=True,
        )
        others = [p for p in settings.projects if p != session_project]
        for category in CATEGORIES:
            for region in regions:
                bucket = bucket_name(prefix, category.bucket_slug, region)
                yield from _research_bucket_cells(
                    stack,
                    settings,
                    group,
                    caller,
                    session_project,
                    others,
                    category,
                    bucket,
                    primary=region == settings.primary_region,
                )


_GROUP_TAG: Final = f"aws:PrincipalTag/{TagKey.RESEARCH_GROUP.value}"
"""The identity provider's tag naming a person's research group (see research_trust_policy)."""

_RESEARCHER_POLICY: Final = "researcher-may-assume-research-roles"
"""The researcher's own permission to call STS, granted outside the stack (an SSO permission
set or IAM user policy): a same-account role trust needs the caller's identity allow too."""


def _research_trust_cells(
    stack: StackDocuments, settings: StackSettings, group: ResearchGroupSettings, role: Role
) -> Iterator[Cell]:
    stack.policies.setdefault(
        _RESEARCHER_POLICY,
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AssumeResearchRoles",
                    "Effect": "Allow",
                    "Action": ["sts:AssumeRole", "sts:TagSession"],
                    "Resource": "*",
                }
            ],
        },
    )
    user = f"arn:aws:iam::{stack.account}:user/researcher"
    untagged = {"aws:PrincipalArn": user, "aws:PrincipalAccount": stack.account}
    base = {**untagged, _GROUP_TAG: group.name}
    label = f"researcher -> {group.name}"
    # The person is bound to the group by the tag their identity provider sets.
    others = [g.name for g in settings.research_groups if g.name != group.name]
    strangers = [("no research-group tag", untagged)] + [
        (f"research-group={other}", {**untagged, _GROUP_TAG: other}) for other in others[:1]
    ]
    for what, context in strangers:
        yield Cell(
            "research",
            Caller(
                f"researcher ({what}) -> {group.name}",
                user,
                (_RESEARCHER_POLICY,),
                {**context, "aws:MultiFactorAuthPresent": "true"},
            ),
            "assume role (MFA)",
            role.name,
            (Check("sts:AssumeRole", role.arn, {}),),
            False,
            "only members of the group, as their identity provider tags them",
        )
    for mfa in (True, False):
        caller = Caller(
            label,
            user,
            (_RESEARCHER_POLICY,),
            {**base, "aws:MultiFactorAuthPresent": str(mfa).lower()},
        )
        yield Cell(
            "research",
            caller,
            f"assume role ({'MFA' if mfa else 'no MFA'})",
            role.name,
            (Check("sts:AssumeRole", role.arn, {}),),
            mfa,
            "research roles require MFA",
        )
        if not mfa:
            continue
        others = [p for p in settings.projects if p not in group.projects]
        for project, allowed in [(p, True) for p in group.projects] + [
            (p, False) for p in others[:1]
        ]:
            tags: dict[str, str | list[str]] = {
                "aws:RequestTag/project": project,
                "aws:TagKeys": ["project"],
            }
            yield Cell(
                "research",
                caller,
                f"tag session project={project}",
                role.name,
                (Check("sts:TagSession", role.arn, tags),),
                allowed,
                "a session carries one of the group's projects"
                if allowed
                else "a session never carries another group's project",
            )


def _object_tags(
    settings: StackSettings, project: str, category: DataCategory, classification: str
) -> dict[str, str]:
    return {
        "project": project,
        "data-type": category.name,
        "data-classification": classification,
        "environment": settings.environment,
    }


def _research_bucket_cells(
    stack: StackDocuments,
    settings: StackSettings,
    group: ResearchGroupSettings,
    caller: Caller,
    own: str,
    others: list[str],
    category: DataCategory,
    bucket: str,
    *,
    primary: bool,
) -> Iterator[Cell]:
    section = "research"
    where = bucket
    own_key = f"projects/{own}/access-check/sample"
    other = others[0] if others else None
    for project in settings.projects:
        for classification in CLASSIFICATIONS:
            readable = project == own and classification in group.classifications
            yield Cell(
                section,
                caller,
                "read",
                f"{where} {project}/{classification}",
                tuple(
                    s3_get(
                        stack,
                        bucket,
                        f"projects/{project}/access-check/sample",
                        _object_tags(settings, project, category, classification),
                    )
                ),
                readable,
                "settings: group reads this project and classification"
                if readable
                else "settings: project or classification not granted to the group",
            )
    readable_class = (
        category.classification
        if category.classification in group.classifications
        else group.classifications[0]
    )
    own_tags = _object_tags(settings, own, category, readable_class)
    yield Cell(
        section,
        caller,
        "read untagged",
        where,
        tuple(s3_get(stack, bucket, own_key, {})),
        False,
        "untagged objects are never readable",
    )
    yield Cell(
        section,
        caller,
        "read over HTTP",
        where,
        tuple(s3_get(stack, bucket, own_key, own_tags, tls="")),
        False,
        "TLS only",
    )
    yield Cell(
        section,
        caller,
        "read over TLS 1.1",
        where,
        tuple(s3_get(stack, bucket, own_key, own_tags, tls="1.1")),
        False,
        "TLS 1.2 or later",
    )
    listing = {**tls(), "s3:prefix": f"projects/{own}/"}
    yield Cell(
        section,
        caller,
        "list own prefix",
        where,
        (Check("s3:ListBucket", f"arn:aws:s3:::{bucket}", listing),),
        True,
        "a group lists its own project prefix",
    )
    if other:
        yield Cell(
            section,
            caller,
            "list other prefix",
            where,
            (
                Check(
                    "s3:ListBucket",
                    f"arn:aws:s3:::{bucket}",
                    {**tls(), "s3:prefix": f"projects/{other}/"},
                ),
            ),
            False,
            "other projects stay invisible",
        )
    writable = primary and category.classification in group.classifications
    why = (
        "uploads of any size into the own project prefix, tagged by the platform"
        if writable
        else "replica buckets and classifications the group cannot read are not writable"
    )
    for multipart in (False, True):
        kind = "multipart" if multipart else "single"
        yield Cell(
            section,
            caller,
            f"upload ({kind})",
            where,
            tuple(s3_put(stack, bucket, own_key, multipart=multipart)),
            writable,
            why,
        )
        if other:
            yield Cell(
                section,
                caller,
                f"upload ({kind}) other prefix",
                where,
                tuple(
                    s3_put(
                        stack, bucket, f"projects/{other}/access-check/sample", multipart=multipart
                    )
                ),
                False,
                "never into another project's prefix",
            )
    existing = {f"s3:ExistingObjectTag/{k}": v for k, v in own_tags.items()}
    rewrite = {
        **tls(),
        **existing,
        **{f"s3:RequestObjectTag/{k}": v for k, v in own_tags.items()},
        "s3:RequestObjectTag/data-classification": "public",
        "s3:RequestObjectTagKeys": list(own_tags),
    }
    object_arn = f"arn:aws:s3:::{bucket}/{own_key}"
    yield Cell(
        section,
        caller,
        "rewrite tags",
        where,
        (Check("s3:PutObjectTagging", object_arn, rewrite),),
        False,
        "only the tagger writes tags",
    )
    yield Cell(
        section,
        caller,
        "delete tags",
        where,
        (Check("s3:DeleteObjectTagging", object_arn, {**tls(), **existing}),),
        False,
        "only the tagger writes tags",
    )
    lock = " (Object Lock)" if category.worm else ""
    yield Cell(
        section,
        caller,
        f"delete object{lock}",
        where,
        (Check("s3:DeleteObject", object_arn, {**tls(), **existing}),),
        False,
        "research roles never delete lake data",
    )
    yield Cell(
        section,
        caller,
        f"delete version{lock}",
        where,
        (Check("s3:DeleteObjectVersion", object_arn, {**tls(), **existing}),),
        False,
        "research roles never delete lake data",
    )


def tls() -> dict[str, str | list[str]]:
    return {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}


def _bucket_names(stack: StackDocuments, value: str) -> list[str]:
    buckets = {str(r.outputs["bucket"]) for r in stack.of_type("aws:s3/bucket:Bucket")}
    try:
        decoded: Any = json.loads(value)
    except json.JSONDecodeError:
        decoded = value
    candidates: list[str] = []
    if isinstance(decoded, dict):
        candidates = [*map(str, decoded), *map(str, decoded.values())]
    elif isinstance(decoded, list):
        candidates = [str(v) for v in decoded]
    else:
        candidates = [str(decoded)]
    return sorted({c for c in candidates if c in buckets})


def _category_of(bucket: str) -> DataCategory | None:
    for category in CATEGORIES:
        if f"-{category.bucket_slug}-" in bucket:
            return category
    return None


def _expand(text: str, values: Mapping[str, str]) -> str:
    return re.sub(r"\$\{([^}]+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def _call_targets(
    stack: StackDocuments, function: Resource, call: Call, settings: StackSettings
) -> list[tuple[str, dict[str, str]]]:
    """The ARNs `call` acts on for `function`, each with placeholder values for its context."""
    env: dict[str, str] = dict(function.inputs.get("environment", {}).get("variables", {}))
    region = str(function.outputs["region"])
    base = {**env, "region": region}
    kind, _, spec = call.resource.partition(":")
    if call.resource == "*":
        return [("*", base)]
    if kind == "env":
        return [(env[spec], base)]
    if kind == "each":
        name, _, suffix = spec.partition("/")
        tail = f"/execution/{_EXAMPLE_IDS['execution']}" if suffix == "execution" else ""
        return [(arn + tail, base) for arn in json.loads(env[name])]
    if kind == "stack":
        name, _, suffix = spec.partition("/")
        token = {
            "datasync-task": "aws:datasync/task:Task",
            "datasync-s3-location": "aws:datasync/s3Location:S3Location",
        }[name]
        tail = f"/execution/{_EXAMPLE_IDS['execution']}" if suffix == "execution" else ""
        return [(str(r.outputs["arn"]) + tail, base) for r in stack.of_type(token)]
    if kind in {"buckets", "objects"}:
        name, _, prefix_var = spec.partition("/")
        targets = []
        # A call on objects under project prefixes acts on every project's: the layout gives
        # each project its prefix, and nothing in a function's contract names one project.
        projects = settings.projects[:1] if kind == "buckets" or prefix_var else settings.projects
        for bucket in _bucket_names(stack, env.get(name, "")):
            category = _category_of(bucket)
            for project in projects:
                values = {
                    **base,
                    "project": project,
                    "category": category.name if category else "",
                    "classification": category.classification if category else "",
                }
                if kind == "buckets":
                    targets.append((f"arn:aws:s3:::{bucket}", values))
                else:
                    prefix = (
                        env[prefix_var].strip("/") + "/" if prefix_var else project_prefix(project)
                    )
                    targets.append((f"arn:aws:s3:::{bucket}/{prefix}access-check/sample", values))
        return targets
    if kind == "ec2":
        account = "" if spec == "snapshot" else stack.account
        return [(f"arn:aws:ec2:{region}:{account}:{_EXAMPLE_IDS[call.resource]}", base)]
    raise ValueError(f"{function.name}: unknown resource class {call.resource!r} in {call}")


def _call_checks(
    stack: StackDocuments, arn: str, call: Call, context: dict[str, str | list[str]]
) -> list[Check]:
    if call.action.startswith("s3:") and arn.startswith("arn:aws:s3:::") and "/" in arn:
        bucket, key = arn.removeprefix("arn:aws:s3:::").split("/", 1)
        if call.action == "s3:PutObject":
            multipart = context.pop("multipart", "") == "true"
            return s3_put(stack, bucket, key, multipart=multipart, headers=context)
        if call.action == "s3:GetObject":
            return s3_get(stack, bucket, key, {})
        return [Check(call.action, arn, {**tls(), **context})]
    if call.action.startswith("s3:"):
        return [Check(call.action, arn, {**tls(), **context})]
    checks = [Check(call.action, arn, {"aws:SecureTransport": "true", **context})]
    if call.action in {"sns:Publish", "sqs:SendMessage"}:
        checks += kms_checks_for(stack, arn)
    return checks


def _function_cells(stack: StackDocuments, settings: StackSettings) -> Iterator[Cell]:
    for function in stack.of_type("aws:lambda/function:Function"):
        package = str(function.inputs["handler"]).split(".")[1]
        role = stack.roles[str(function.inputs["role"])]
        name = str(function.outputs["name"])
        caller = role_session(stack, role, name)
        calls: tuple[Call, ...] = importlib.import_module(f"functions.{package}.access").CALLS
        env: dict[str, str] = dict(function.inputs.get("environment", {}).get("variables", {}))
        for call in calls:
            if call.when and env.get(call.when, "false").lower() != "true":
                continue
            for arn, values in _call_targets(stack, function, call, settings):
                context: dict[str, str | list[str]] = {}
                for key, value in call.context.items():
                    expanded = _expand(value, values)
                    context[_expand(key, values)] = (
                        expanded.split(",") if key.endswith("TagKeys") else expanded
                    )
                operation = f"{call.action} ({call.purpose})" if call.purpose else call.action
                yield Cell(
                    "function",
                    caller,
                    operation,
                    short_arn(stack, arn),
                    tuple(_call_checks(stack, arn, call, context)),
                    True,
                    f"functions/{package}/access.py",
                )
        region = function.outputs["region"]
        log_group = f"arn:aws:logs:{region}:{stack.account}:log-group:/aws/lambda/{name}"
        yield Cell(
            "function",
            caller,
            "write own logs",
            short_arn(stack, log_group),
            (Check("logs:PutLogEvents", f"{log_group}:log-stream:access-check", {}),),
            True,
            "every function logs",
        )
        mount = function.inputs.get("fileSystemConfig")
        if mount:
            yield _lambda_mount_cell(stack, caller, str(mount["arn"]))
        for config in stack.of_type(
            "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
        ):
            if config.inputs.get("functionName") != name:
                continue
            destination = (
                config.inputs.get("destinationConfig", {}).get("onFailure", {}).get("destination")
            )
            if destination:
                yield Cell(
                    "function",
                    caller,
                    "send failed event",
                    short_arn(stack, destination),
                    (
                        Check("sqs:SendMessage", destination, {"aws:SecureTransport": "true"}),
                        *kms_checks_for(stack, destination),
                    ),
                    True,
                    "Lambda sends failed async events with the function's role",
                )


def _lambda_mount_cell(stack: StackDocuments, caller: Caller, access_point_arn: str) -> Cell:
    """Lambda mounts the function's EFS access point with its execution role (ClientMount,
    and ClientWrite for a writable mount), subject to the file system policy too."""
    access_point = next(
        r
        for r in stack.of_type("aws:efs/accessPoint:AccessPoint")
        if r.outputs.get("arn") == access_point_arn
    )
    region = access_point_arn.split(":")[3]
    file_system = (
        f"arn:aws:elasticfilesystem:{region}:{stack.account}:file-system/"
        f"{access_point.inputs['fileSystemId']}"
    )
    context: dict[str, str | list[str]] = {
        "aws:SecureTransport": "true",
        "elasticfilesystem:AccessPointArn": access_point_arn,
    }
    return Cell(
        "function",
        caller,
        "mount EFS read-write",
        short_arn(stack, file_system),
        (
            Check("elasticfilesystem:ClientMount", file_system, context),
            Check("elasticfilesystem:ClientWrite", file_system, context),
        ),
        True,
        "the function's file system config",
    )


def short_arn(stack: StackDocuments, arn: str) -> str:
    """An ARN without partition and account, for the table."""
    return arn.replace(f":{stack.account}:", "::").removeprefix("arn:aws:")


def _service_cells(stack: StackDocuments) -> Iterator[Cell]:
    for logging in stack.of_type("aws:s3/bucketLogging:BucketLogging"):
        source = f"arn:aws:s3:::{logging.inputs['bucket']}"
        prefix = logging.inputs.get("targetPrefix", "")
        target = f"arn:aws:s3:::{logging.inputs['targetBucket']}/{prefix}access-check"
        caller = service("logging.s3.amazonaws.com", stack, source)
        yield Cell(
            "service",
            caller,
            "deliver access logs",
            f"{logging.inputs['targetBucket']} for {logging.inputs['bucket']}",
            (Check("s3:PutObject", target, {**tls()}),),
            True,
            "server access logging is configured",
        )
    for group in stack.of_type("aws:cloudwatch/logGroup:LogGroup"):
        arn = str(group.outputs["arn"])
        if arn not in stack.encryption_keys:
            continue
        region = arn.split(":")[3]
        caller = service(f"logs.{region}.amazonaws.com", stack, arn)
        yield Cell(
            "service",
            caller,
            "encrypt log events",
            short_arn(stack, arn),
            tuple(kms_checks_for(stack, arn, by_service=True)),
            True,
            "the log group names this key",
        )
    publishers: list[tuple[str, str, str]] = []
    for alarm in stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        for action in {*alarm.inputs.get("alarmActions", []), *alarm.inputs.get("okActions", [])}:
            publishers.append(("cloudwatch.amazonaws.com", str(alarm.outputs["arn"]), str(action)))
    for event_target in stack.of_type("aws:cloudwatch/eventTarget:EventTarget"):
        rule = next(
            r
            for r in stack.of_type("aws:cloudwatch/eventRule:EventRule")
            if r.outputs.get("name") == event_target.inputs["rule"]
        )
        publishers.append(
            ("events.amazonaws.com", str(rule.outputs["arn"]), str(event_target.inputs["arn"]))
        )
    for notification in stack.of_type("aws:backup/vaultNotifications:VaultNotifications"):
        vault = (
            f"arn:aws:backup:{notification.outputs['region']}:{stack.account}:backup-vault:"
            f"{notification.inputs['backupVaultName']}"
        )
        publishers.append(("backup.amazonaws.com", vault, str(notification.inputs["snsTopicArn"])))
    for subscription in stack.of_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"):
        region = str(subscription.outputs["region"])
        source = (
            f"arn:aws:logs:{region}:{stack.account}:log-group:{subscription.inputs['logGroup']}:*"
        )
        publishers.append(
            ("logs.amazonaws.com", source, str(subscription.inputs["destinationArn"]))
        )
    # Each source is its own cell: a resource policy may admit one rule and not another.
    for principal, source, target in sorted(set(publishers)):
        kind = target.split(":")[2]
        caller = service(principal, stack, source)
        if kind == "sns":
            checks = (
                Check("sns:Publish", target, {"aws:SecureTransport": "true"}),
                *kms_checks_for(stack, target, by_service=True),
            )
            operation = "publish"
        elif kind == "lambda":
            checks = (Check("lambda:InvokeFunction", target, {}),)
            operation = "invoke"
        else:
            continue
        yield Cell(
            "service",
            caller,
            operation,
            f"{short_arn(stack, target)} from {short_arn(stack, source)}",
            checks,
            True,
            "the stack points this source (alarm, rule, vault, subscription) at it",
        )
    for bus in stack.of_type("aws:cloudwatch/eventBus:EventBus"):
        arn = str(bus.outputs["arn"])
        if arn in stack.encryption_keys:
            caller = service("events.amazonaws.com", stack, arn)
            yield Cell(
                "service",
                caller,
                "encrypt events",
                short_arn(stack, arn),
                tuple(kms_checks_for(stack, arn, by_service=True)),
                True,
                "the event bus names this key",
            )


def research_cells(stack: StackDocuments, settings: StackSettings) -> Iterator[Cell]:
    """Every research group x session project x bucket (both regions) x operation."""
    for group in settings.research_groups:
        yield from _research_cells(stack, settings, group)


def function_cells(stack: StackDocuments, settings: StackSettings) -> Iterator[Cell]:
    """Every call each function's code makes, plus its logs and failure destination."""
    yield from _function_cells(stack, settings)


def service_cells(stack: StackDocuments) -> Iterator[Cell]:
    """Every service principal the stack tells to write into its resources."""
    yield from _service_cells(stack)
