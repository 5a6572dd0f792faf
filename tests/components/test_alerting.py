"""AlertTopics under the platform mocks: encryption, key and topic policies, subscriptions."""

from __future__ import annotations

from typing import Any

import pytest

from components.observability.alerting import PUBLISHING_SERVICES, AlertTopics, AlertTopicsArgs
from tests.support.harness import Registered, json_input, record

ACCOUNT = "111122223333"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


@pytest.fixture(scope="module")
def registered() -> Registered:
    """Topics with two on-call addresses and a separate reports reader."""

    def build() -> None:
        AlertTopics(
            "notify",
            {
                "name_prefix": "gen-test",
                "alert_emails": ["oncall@example.org", "lead@example.org"],
                "report_emails": ["reports@example.org"],
            },
        )

    return record(build)


def _key_statements(registered: Registered) -> dict[str, dict[str, Any]]:
    policy = json_input(registered.one("aws:kms/key:Key"), "policy")
    return {statement["Sid"]: statement for statement in policy["Statement"]}


def _topic_policies(registered: Registered) -> list[list[dict[str, Any]]]:
    return [
        json_input(policy, "policy")["Statement"]
        for policy in registered.of_type("aws:sns/topicPolicy:TopicPolicy")
    ]


def test_three_topics_named_by_prefix(registered: Registered) -> None:
    """Alerts, transfers and reports topics exist with prefixed names."""
    names = sorted(topic.inputs["name"] for topic in registered.of_type(TOPIC))
    assert names == ["gen-test-alerts", "gen-test-reports", "gen-test-transfers"]


def test_every_topic_is_encrypted_with_the_component_key(registered: Registered) -> None:
    """Each topic names the customer-managed key created next to it."""
    key_arn_prefix = f"arn:aws:kms:ap-south-1:{ACCOUNT}:key/"
    for topic in registered.of_type(TOPIC):
        assert topic.inputs["kmsMasterKeyId"].startswith(key_arn_prefix)


def test_key_rotates(registered: Registered) -> None:
    """The topics' key has automatic rotation on."""
    assert registered.one("aws:kms/key:Key").inputs["enableKeyRotation"] is True


def test_key_lets_publishing_services_use_it(registered: Registered) -> None:
    """CloudWatch, EventBridge and Backup can generate data keys and decrypt."""
    statements = _key_statements(registered).values()
    granted: set[str] = set()
    for statement in statements:
        services = statement["Principal"].get("Service", []) if statement["Principal"] else []
        if "kms:GenerateDataKey*" in statement["Action"]:
            granted.update(services)
    assert granted == set(PUBLISHING_SERVICES)


def test_cloudwatch_key_grant_is_bound_to_this_account(registered: Registered) -> None:
    """CloudWatch may use the key only on behalf of alarms in this account."""
    statement = _key_statements(registered)["ServicesPublishOnBehalfOfThisAccount"]
    assert statement["Principal"] == {"Service": ["cloudwatch.amazonaws.com"]}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}


def test_service_key_grants_are_limited_to_these_topics(registered: Registered) -> None:
    """Every service grant is bound to the prefix's topics by SNS's encryption context."""
    own_topics = f"arn:aws:sns:ap-south-1:{ACCOUNT}:gen-test-*"
    for sid in ("ServicesPublishOnBehalfOfThisAccount", "ServicesPublishToTheseTopics"):
        condition = _key_statements(registered)[sid]["Condition"]["StringLike"]
        assert condition == {"kms:EncryptionContext:aws:sns:topicArn": own_topics}


def test_account_principals_use_the_key_only_through_sns(registered: Registered) -> None:
    """The account's Lambdas may encrypt for SNS, and only through SNS."""
    statement = _key_statements(registered)["AccountPrincipalsPublishThroughSns"]
    assert statement["Action"] == ["kms:GenerateDataKey*", "kms:Decrypt"]
    assert statement["Condition"]["StringEquals"] == {
        "kms:CallerAccount": ACCOUNT,
        "kms:ViaService": "sns.ap-south-1.amazonaws.com",
    }


def test_every_topic_denies_publishing_without_tls(registered: Registered) -> None:
    """Each topic policy denies sns:Publish when aws:SecureTransport is false."""
    policies = _topic_policies(registered)
    assert len(policies) == 3
    for statements in policies:
        deny = [s for s in statements if s["Effect"] == "Deny"]
        assert deny == [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": deny[0]["Resource"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]


def test_services_publish_only_for_this_account(registered: Registered) -> None:
    """The topic policy admits the publishing services with an aws:SourceAccount check."""
    for statements in _topic_policies(registered):
        (allow,) = [s for s in statements if s["Effect"] == "Allow"]
        assert sorted(allow["Principal"]["Service"]) == sorted(PUBLISHING_SERVICES)
        assert allow["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_one_email_subscription_per_address_and_topic(registered: Registered) -> None:
    """Alert addresses get alerts and transfers; the report reader replaces them for reports."""
    subscriptions = registered.of_type(SUBSCRIPTION)
    pairs = sorted(
        (s.inputs["topic"].rsplit(":", 1)[1], s.inputs["endpoint"]) for s in subscriptions
    )
    assert pairs == [
        ("gen-test-alerts", "lead@example.org"),
        ("gen-test-alerts", "oncall@example.org"),
        ("gen-test-reports", "reports@example.org"),
        ("gen-test-transfers", "lead@example.org"),
        ("gen-test-transfers", "oncall@example.org"),
    ]
    assert {s.inputs["protocol"] for s in subscriptions} == {"email"}


def test_addresses_stay_out_of_resource_names(registered: Registered) -> None:
    """Subscription logical names use a digest, so addresses never appear in URNs."""
    assert not [s for s in registered.of_type(SUBSCRIPTION) if "@" in s.urn]


def test_malformed_address_is_refused() -> None:
    """A typo in an address fails at preview and names the field."""
    args: AlertTopicsArgs = {"name_prefix": "gen-test", "alert_emails": ["not-an-address"]}

    def build() -> None:
        AlertTopics("bad", args)

    with pytest.raises(ValueError, match="alert_emails"):
        record(build)


@pytest.fixture(scope="module")
def regional() -> Registered:
    """The same topics plus an alerts topic in the DR region."""

    def build() -> None:
        AlertTopics(
            "notify",
            {
                "name_prefix": "gen-test",
                "alert_emails": ["oncall@example.org"],
                "regional_alerts_regions": ["ap-south-2"],
            },
        )

    return record(build)


def test_regional_alerts_topic_lives_in_its_region_with_a_key_there(regional: Registered) -> None:
    """Alarms in the DR region notify a DR-region topic, encrypted by a DR-region key (KMS keys
    and SNS topics are regional), with the same on-call subscribers."""
    (dr_topic,) = [t for t in regional.of_type(TOPIC) if t.inputs.get("region") == "ap-south-2"]
    assert dr_topic.inputs["name"] == "gen-test-alerts"
    (dr_key,) = [k for k in regional.of_type("aws:kms/key:Key") if k.inputs.get("region")]
    assert dr_key.inputs["region"] == "ap-south-2"
    assert dr_topic.property_dependencies["kmsMasterKeyId"] == (dr_key.urn,)
    policy = json_input(dr_key, "policy")
    contexts = [
        s["Condition"]["StringLike"]["kms:EncryptionContext:aws:sns:topicArn"]
        for s in policy["Statement"]
        if "StringLike" in s.get("Condition", {})
    ]
    assert contexts
    assert all(c.startswith("arn:aws:sns:ap-south-2:") for c in contexts)
    (dr_policy,) = [
        p
        for p in regional.of_type("aws:sns/topicPolicy:TopicPolicy")
        if p.inputs.get("region") == "ap-south-2"
    ]
    assert dr_policy.property_dependencies["arn"] == (dr_topic.urn,)
    subscriptions = [
        s for s in regional.of_type(SUBSCRIPTION) if s.inputs.get("region") == "ap-south-2"
    ]
    assert [s.inputs["endpoint"] for s in subscriptions] == ["oncall@example.org"]


def test_primary_resources_keep_their_names_with_a_regional_topic(regional: Registered) -> None:
    """Adding a region adds resources; the existing ones keep their logical names (URNs)."""
    names = {r.name for r in regional.resources}
    assert {"notify-key", "notify-alerts", "notify-alerts-policy", "notify-key-alias"} <= names
    assert {"notify-key-ap-south-2", "notify-alerts-ap-south-2"} <= names
