"""The platform's SNS topics, encrypted with their own key, and who hears from them.

Three topics separate what wakes someone up (alerts) from what people read at leisure
(transfer notifications, ops reports). All three are encrypted with one customer-managed key
whose policy lets exactly the AWS services that publish to them use it: CloudWatch alarms,
EventBridge rules and AWS Backup notifications, plus principals of this account calling through
SNS (the platform's Lambdas). Topic policies refuse unencrypted transport and admit those
services only on behalf of this account.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import (
    Condition,
    PolicyDocument,
    Principal,
    Statement,
    deny_insecure_transport,
)

__all__ = ["PUBLISHING_SERVICES", "AlertTopics", "AlertTopicsArgs", "TopicRole"]

TopicRole = Literal["alerts", "transfers", "reports"]
"""The three topics: alarms and failures, transfer started/finished, scheduled ops reports."""

_ROLES: Final[tuple[TopicRole, ...]] = ("alerts", "transfers", "reports")
_DISPLAY_NAMES: Final[Mapping[TopicRole, str]] = {
    "alerts": "Genomics platform alerts",
    "transfers": "Genomics transfers",
    "reports": "Genomics ops reports",
}

PUBLISHING_SERVICES: Final = (
    "cloudwatch.amazonaws.com",
    "events.amazonaws.com",
    "backup.amazonaws.com",
)
"""AWS services that publish to the topics: alarms, EventBridge rules, backup notifications."""

_SOURCE_ACCOUNT_IN_KMS: Final = ("cloudwatch.amazonaws.com",)
"""Services whose KMS requests for SNS delivery carry `aws:SourceAccount`. EventBridge's do not
(a key-policy condition on it would drop every notification silently), and AWS Backup does not
document it; their key grants are narrowed to these topics by SNS's encryption context, and the
topic policies check `aws:SourceAccount` for all three."""

_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


class AlertTopicsArgs(TypedDict):
    """Names and subscribers of the platform's notification topics."""

    name_prefix: str
    """Prefix of physical names, e.g. `gen-prod`; topics become `<prefix>-alerts` and so on."""
    alert_emails: Sequence[str]
    """Addresses subscribed to the alerts topic (and to the others unless given below)."""
    transfer_emails: NotRequired[Sequence[str]]
    """Addresses subscribed to transfer notifications; `alert_emails` unless given."""
    report_emails: NotRequired[Sequence[str]]
    """Addresses subscribed to ops reports; `alert_emails` unless given."""
    key_deletion_window_days: NotRequired[int]
    """Days a scheduled key deletion can still be cancelled, 7-30; 30 unless given."""
    regional_alerts_regions: NotRequired[Sequence[str]]
    """Other regions that get an alerts topic (own key, same subscribers), for alarms that
    must live there: a CloudWatch alarm only sees its own region's metrics."""


def _email_label(email: str) -> str:
    """A stable, short logical-name suffix that keeps addresses out of resource URNs."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:10]


def _validate(args: AlertTopicsArgs) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9-]{1,40}", args["name_prefix"]):
        raise ValueError(
            f"AlertTopicsArgs.name_prefix {args['name_prefix']!r} must be lowercase letters, "
            "digits and hyphens, e.g. gen-prod"
        )
    lists = (
        ("alert_emails", args["alert_emails"]),
        ("transfer_emails", args.get("transfer_emails", ())),
        ("report_emails", args.get("report_emails", ())),
    )
    for field, emails in lists:
        bad = [email for email in emails if not _EMAIL.fullmatch(email)]
        if bad:
            raise ValueError(f"AlertTopicsArgs.{field} has {bad}, which are not e-mail addresses")
        if len({email.lower() for email in emails}) != len(emails):
            raise ValueError(f"AlertTopicsArgs.{field} lists an address twice")
    regions = list(args.get("regional_alerts_regions", ()))
    if len(set(regions)) != len(regions):
        raise ValueError(f"AlertTopicsArgs.regional_alerts_regions {regions} lists a region twice")
    window = args.get("key_deletion_window_days", 30)
    if not 7 <= window <= 30:
        raise ValueError(f"AlertTopicsArgs.key_deletion_window_days is {window}; use 7-30")


class AlertTopics(pulumi.ComponentResource):
    """The alerts, transfer and report topics, their key, policies and e-mail subscriptions."""

    alerts_topic_arn: pulumi.Output[str]
    """Topic for alarms and failures: every CloudWatch alarm's action."""
    transfers_topic_arn: pulumi.Output[str]
    """Topic for DataSync transfer started/finished/failed notifications."""
    reports_topic_arn: pulumi.Output[str]
    """Topic for scheduled summaries: tag audit, EBS reaper, scratch clean-up."""
    key_arn: pulumi.Output[str]
    """The customer-managed key that encrypts the three topics."""
    regional_alerts_topic_arns: dict[str, pulumi.Output[str]]
    """Alerts topics of `regional_alerts_regions`: region to ARN."""

    def __init__(
        self,
        name: str,
        args: AlertTopicsArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("genomics:alerting:AlertTopics", name, None, opts)
        _validate(args)
        self._name = name
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        self._account_id: pulumi.Output[str] = aws.get_caller_identity_output(
            opts=invoke_opts
        ).account_id
        self._region: pulumi.Output[str] = aws.get_region_output(opts=invoke_opts).region

        self.key = self._create_key(args)
        self.topics: dict[TopicRole, aws.sns.Topic] = {
            role: self._create_topic(args["name_prefix"], role) for role in _ROLES
        }
        subscribers: Mapping[TopicRole, Sequence[str]] = {
            "alerts": args["alert_emails"],
            "transfers": args.get("transfer_emails", args["alert_emails"]),
            "reports": args.get("report_emails", args["alert_emails"]),
        }
        for role, emails in subscribers.items():
            for email in emails:
                aws.sns.TopicSubscription(
                    f"{name}-{role}-email-{_email_label(email)}",
                    topic=self.topics[role].arn,
                    protocol="email",
                    endpoint=email,
                    opts=pulumi.ResourceOptions(parent=self),
                )

        self.regional_alerts_topic_arns = {
            region: self._create_regional_alerts(args, region)
            for region in args.get("regional_alerts_regions", ())
        }

        self.alerts_topic_arn = self.topics["alerts"].arn
        self.transfers_topic_arn = self.topics["transfers"].arn
        self.reports_topic_arn = self.topics["reports"].arn
        self.key_arn = self.key.arn
        self.register_outputs(
            {
                "alerts_topic_arn": self.alerts_topic_arn,
                "transfers_topic_arn": self.transfers_topic_arn,
                "reports_topic_arn": self.reports_topic_arn,
                "key_arn": self.key_arn,
                "regional_alerts_topic_arns": self.regional_alerts_topic_arns,
            }
        )

    @property
    def topic_arns(self) -> Mapping[TopicRole, pulumi.Output[str]]:
        """Every topic's ARN by role, for consumers that grant `sns:Publish` on all of them."""
        return {role: topic.arn for role, topic in self.topics.items()}

    # ---- children ----

    def _create_regional_alerts(self, args: AlertTopicsArgs, region: str) -> pulumi.Output[str]:
        """An alerts topic in `region` with its own key there (KMS keys are regional) and the
        alert subscribers. SNS topic names are per region, so it keeps `<prefix>-alerts`."""
        prefix = args["name_prefix"]
        key = self._create_key(args, region)
        topic = self._create_topic(prefix, "alerts", region, key)
        for email in args["alert_emails"]:
            aws.sns.TopicSubscription(
                f"{self._name}-alerts-{region}-email-{_email_label(email)}",
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                region=region,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return topic.arn

    def _key_policy(self, prefix: str, region: pulumi.Input[str]) -> pulumi.Output[str]:
        account = self._account_id
        sns_via = pulumi.Output.concat("sns.", region, ".amazonaws.com")
        # SNS encrypts with the topic's ARN as encryption context. Naming the topics by pattern
        # (they are created after the key) keeps service grants to these topics only.
        own_topics = pulumi.Output.concat("arn:aws:sns:", region, ":", account, ":", prefix, "-*")
        own_topics_context = {"kms:EncryptionContext:aws:sns:topicArn": own_topics}
        other_services = [s for s in PUBLISHING_SERVICES if s not in _SOURCE_ACCOUNT_IN_KMS]
        statements: list[dict[str, Any]] = [
            {
                # The key's default statement: delegates access control to IAM in this account.
                # Without it nobody could ever change the key policy again.
                "Sid": "EnableIamPoliciesOfThisAccount",
                "Effect": "Allow",
                "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account, ":root")},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AccountPrincipalsPublishThroughSns",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:CallerAccount": account, "kms:ViaService": sns_via}
                },
            },
            {
                "Sid": "ServicesPublishOnBehalfOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": list(_SOURCE_ACCOUNT_IN_KMS)},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "StringLike": own_topics_context,
                },
            },
            {
                "Sid": "ServicesPublishToTheseTopics",
                "Effect": "Allow",
                "Principal": {"Service": other_services},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"StringLike": own_topics_context},
            },
        ]
        return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})

    def _create_key(self, args: AlertTopicsArgs, region: str | None = None) -> aws.kms.Key:
        """The topics' key in the provider's region, or in `region` (suffixing names)."""
        suffix = "" if region is None else f"-{region}"
        key = aws.kms.Key(
            f"{self._name}-key{suffix}",
            description=f"Encrypts the {args['name_prefix']} notification topics",
            enable_key_rotation=True,
            deletion_window_in_days=args.get("key_deletion_window_days", 30),
            policy=self._key_policy(args["name_prefix"], region or self._region),
            region=region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.kms.Alias(
            f"{self._name}-key-alias{suffix}",
            name=f"alias/{args['name_prefix']}-notifications",
            target_key_id=key.key_id,
            region=region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key

    def _create_topic(
        self,
        prefix: str,
        role: TopicRole,
        region: str | None = None,
        key: aws.kms.Key | None = None,
    ) -> aws.sns.Topic:
        suffix = "" if region is None else f"-{region}"
        topic = aws.sns.Topic(
            f"{self._name}-{role}{suffix}",
            name=f"{prefix}-{role}",
            display_name=_DISPLAY_NAMES[role],
            kms_master_key_id=(key or self.key).arn,
            region=region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.sns.TopicPolicy(
            f"{self._name}-{role}{suffix}-policy",
            arn=topic.arn,
            policy=PolicyDocument(
                deny_insecure_transport("DenyInsecureTransport", ("sns:Publish",), (topic.arn,)),
                Statement(
                    sid="ServicesPublishOnBehalfOfThisAccount",
                    effect="Allow",
                    principal=Principal("Service", PUBLISHING_SERVICES),
                    actions=("sns:Publish",),
                    resources=(topic.arn,),
                    conditions=(Condition("StringEquals", "aws:SourceAccount", self._account_id),),
                ),
            ).render(),
            region=region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return topic
