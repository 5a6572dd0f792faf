"""A feature AWS performs through a role the stack names: the role argument is set.

Some settings only work when the resource names an IAM role for the service to assume, and AWS
accepts the resource without it; the failure shows on first use, not at create time:

- an ECR repository creation template that encrypts with KMS or sets resource tags (Amazon ECR
  User Guide, "Creating a repository creation template": "If you intend to use KMS keys,
  resource tags, or a combination of both in one or more templates, you need to" create a
  custom role and attach it to the template): without `customRoleArn` the pull-through cache
  cannot create its repositories;
- a VPC flow log delivered to CloudWatch Logs (Amazon VPC User Guide, "IAM role for publishing
  flow logs to CloudWatch Logs"): without `iamRoleArn` nothing is delivered;
- an EventBridge target AWS invokes through a role rather than a resource policy: Step
  Functions, Kinesis, Firehose, ECS, Batch, SSM, CodeBuild, CodePipeline, event buses and API
  destinations (EventBridge User Guide, "Using IAM roles for targets": "for ... Kinesis
  streams, Step Functions state machines, ... EventBridge relies on IAM roles").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_list, as_mapping, as_text

__all__ = ["RULE"]

TEMPLATE: Final = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"
FLOW_LOG: Final = "aws:ec2/flowLog:FlowLog"
EVENT_TARGET: Final = "aws:cloudwatch/eventTarget:EventTarget"

_ROLE_TARGET_SERVICES: Final = frozenset(
    {"states", "kinesis", "firehose", "ecs", "batch", "ssm", "codebuild", "codepipeline", "events"}
)
"""Services in a target ARN that EventBridge reaches through the target's `roleArn`."""


def _template_needs(props: Mapping[str, Any]) -> str:
    kms = any(
        as_text(as_mapping(c).get("encryptionType")) == "KMS"
        for c in as_list(props.get("encryptionConfigurations"))
    )
    tags = bool(as_list(props.get("resourceTags")))
    if kms and tags:
        return "encrypts with KMS and sets resource tags"
    if kms:
        return "encrypts with KMS"
    return "sets resource tags" if tags else ""


def _flow_log_needs(props: Mapping[str, Any]) -> str:
    # CloudWatch Logs is the default destination type when none is given.
    destination = as_text(props.get("logDestinationType")) or "cloud-watch-logs"
    return "delivers to CloudWatch Logs" if destination == "cloud-watch-logs" else ""


def _target_needs(props: Mapping[str, Any]) -> str:
    parts = as_text(props.get("arn")).split(":")
    service = parts[2] if len(parts) > 2 else ""
    return f"invokes {service} through a role" if service in _ROLE_TARGET_SERVICES else ""


_NEEDS: Final[Mapping[str, tuple[Callable[[Mapping[str, Any]], str], str]]] = {
    TEMPLATE: (_template_needs, "customRoleArn"),
    FLOW_LOG: (_flow_log_needs, "iamRoleArn"),
    EVENT_TARGET: (_target_needs, "roleArn"),
}


def _check(resource: ResourceView) -> Iterator[str]:
    needs, role_prop = _NEEDS[resource.type]
    why = needs(resource.props)
    if why and not as_text(resource.props.get(role_prop)):
        kind = resource.type.rsplit(":", 1)[-1]
        yield f"{kind} {resource.name} {why} but names no {role_prop} for AWS to assume"


RULE = ResourceRule(
    name="service-role-required",
    description=(
        "A resource whose feature AWS performs by assuming a role (KMS or tags in an ECR "
        "creation template, flow logs to CloudWatch, role-invoked event targets) names that role."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Create a role the service trusts (pinned with aws:SourceAccount) with the permissions "
        "AWS documents for the feature, and pass its ARN (custom_role_arn, iam_role_arn, "
        "role_arn)."
    ),
    concern="wiring",
    resource_types=tuple(_NEEDS),
    check=_check,
)
