"""Which AWS service a Pulumi type token belongs to, as botocore's endpoint prefix.

A type token's module usually is the endpoint prefix (`aws:s3/bucket:Bucket` → `s3`,
`aws-native:omics:SequenceStore` → `omics`). Only the exceptions are tabled here, and
`tests/policies/test_service_availability_rules.py` checks every value is a prefix botocore
knows. CloudWatch in pulumi-aws spans three services, told apart by the resource's name.
"""

from __future__ import annotations

from typing import Final

from contracts.facts.aws_endpoints import is_known_service

__all__ = ["AWS_MODULE_PREFIXES", "NATIVE_MODULE_PREFIXES", "endpoint_prefix"]

AWS_MODULE_PREFIXES: Final = {
    "sfn": "states",
    "efs": "elasticfilesystem",
    "vpc": "ec2",
    "ec2transitgateway": "ec2",
    "ec2clientvpn": "ec2",
    "ecr": "api.ecr",
    "lb": "elasticloadbalancing",
    "alb": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "appautoscaling": "application-autoscaling",
    "apigatewayv2": "apigateway",
    "cognito": "cognito-idp",
    "s3control": "s3-control",
    "acmpca": "acm-pca",
    "cfg": "config",
    "opensearch": "es",
    "elasticsearch": "es",
    "ses": "email",
    "sesv2": "email",
    "emr": "elasticmapreduce",
    "msk": "kafka",
    "directoryservice": "ds",
    "mwaa": "airflow",
    "sagemaker": "api.sagemaker",
    "networkfirewall": "network-firewall",
    "macie": "macie2",
    "wafregional": "waf-regional",
    "resourcegroups": "resource-groups",
}
"""pulumi-aws modules whose endpoint prefix is spelt differently."""

NATIVE_MODULE_PREFIXES: Final = {
    "stepfunctions": "states",
    "efs": "elasticfilesystem",
    "ecr": "api.ecr",
    "cloudwatch": "monitoring",
    "elasticloadbalancingv2": "elasticloadbalancing",
    "applicationautoscaling": "application-autoscaling",
    "certificatemanager": "acm",
    "cognito": "cognito-idp",
    "kinesisfirehose": "firehose",
    "opensearchservice": "es",
    "apigatewayv2": "apigateway",
    "emr": "elasticmapreduce",
    "msk": "kafka",
    "sagemaker": "api.sagemaker",
    "ses": "email",
    "configuration": "config",
    "directoryservice": "ds",
    "mwaa": "airflow",
    "networkfirewall": "network-firewall",
    "macie": "macie2",
    "resourcegroups": "resource-groups",
}
"""aws-native modules (CloudFormation namespaces) whose endpoint prefix differs."""


def _cloudwatch(resource: str) -> str:
    """pulumi-aws files EventBridge (`eventRule`), Logs (`logGroup`) and metrics together."""
    if resource.startswith("event"):
        return "events"
    if resource.startswith(("log", "queryDefinition")):
        return "logs"
    return "monitoring"


def endpoint_prefix(type_token: str) -> str | None:
    """The endpoint prefix of `type_token`'s service; None when it cannot be told."""
    package, _, rest = type_token.partition(":")
    module_path = rest.split(":", 1)[0]
    module, _, resource = module_path.partition("/")
    if package == "aws":
        prefix = _cloudwatch(resource) if module == "cloudwatch" else module
        prefix = AWS_MODULE_PREFIXES.get(module, prefix)
    elif package == "aws-native":
        prefix = NATIVE_MODULE_PREFIXES.get(module, module)
    else:
        return None
    return prefix if is_known_service(prefix) else None
