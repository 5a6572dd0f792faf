"""What every builder shares: the settings, the providers, the log key and the alert topics."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws
import pulumi_aws_native

from components.blocks.providers import aws_provider
from components.observability.alerting import AlertTopics
from components.observability.observability import LogEncryptionKey
from settings import StackSettings

__all__ = ["StackContext", "create_context"]


@dataclass(frozen=True)
class StackContext:
    """The stack-wide pieces each subsystem builder receives instead of re-deriving them."""

    settings: StackSettings
    aws: pulumi_aws.Provider
    aws_native: pulumi_aws_native.Provider
    account_id: pulumi.Output[str]
    logs_key: LogEncryptionKey
    topics: AlertTopics

    @property
    def prefix(self) -> str:
        """Every physical name starts with it (`gen-<environment>`)."""
        return self.settings.name_prefix

    @property
    def opts(self) -> pulumi.ResourceOptions:
        """Options of a component created through the stack's AWS provider."""
        return pulumi.ResourceOptions(provider=self.aws)


def create_context(settings: StackSettings) -> StackContext:
    """The providers (primary region, default tags), the log key and the alert topics."""
    aws = aws_provider(
        f"{settings.name_prefix}-aws",
        settings.primary_region,
        settings.resource_tags,
        settings.allowed_regions,
    )
    opts = pulumi.ResourceOptions(provider=aws)
    account_id = pulumi_aws.get_caller_identity_output(
        opts=pulumi.InvokeOptions(provider=aws)
    ).account_id
    logs_key = LogEncryptionKey(f"{settings.name_prefix}-logs", settings.name_prefix, opts=opts)
    topics = AlertTopics(
        f"{settings.name_prefix}-notifications",
        {
            "name_prefix": settings.name_prefix,
            "alert_emails": list(settings.alert_emails),
            # The DR vault's alarms live in the DR region and notify a topic there.
            "regional_alerts_regions": [settings.dr_region],
        },
        opts=opts,
    )
    # HealthOmics comes from aws-native; it gets the same region and default tags.
    aws_native = pulumi_aws_native.Provider(
        f"{settings.name_prefix}-aws-native",
        region=settings.primary_region,
        default_tags=pulumi_aws_native.ProviderDefaultTagsArgs(tags=settings.resource_tags),
    )
    return StackContext(settings, aws, aws_native, account_id, logs_key, topics)
