"""Observability under the platform mocks: Container Insights, log alerts, alarms, dashboard."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.observability.observability import (
    CONTAINER_INSIGHTS_LOG_TYPES,
    LogEncryptionKey,
    Observability,
    ObservabilityArgs,
)
from tests.support.harness import Registered, json_input, record

ACCOUNT = "111122223333"
TOPIC = f"arn:aws:sns:ap-south-1:{ACCOUNT}:gen-test-alerts"
DR_TOPIC = f"arn:aws:sns:ap-south-2:{ACCOUNT}:gen-test-alerts"
KEY = f"arn:aws:kms:ap-south-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TASK = f"arn:aws:datasync:ap-south-1:{ACCOUNT}:task/task-0123456789abcdef0"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

FULL: ObservabilityArgs = {
    "name_prefix": "gen-test",
    "environment": "test",
    "cluster_name": "gen-test-eks",
    "alerts_topic_arn": TOPIC,
    "log_kms_key_arn": KEY,
    "log_retention_days": 90,
    "file_system_id": "fs-0123456789abcdef0",
    "buckets": {"raw": "gen-test-raw-sequence", "processed": "gen-test-processed-genome"},
    "request_metrics_filter_id": "WholeBucket",
    "replication_rules": {
        "raw": {
            "source_bucket": "gen-test-raw-sequence",
            "destination_bucket": "gen-test-raw-sequence-replica",
            "rule_id": "raw-to-dr",
        }
    },
    "datasync_task_arns": {"efs-to-raw": TASK},
    "function_names": {"tagger": "gen-test-object-tagger", "audit": "gen-test-tag-audit"},
    "backup_vault_names": {"primary": "gen-test-ebs"},
    "backup_copy_vault_names": {"dr": "gen-test-ebs-dr"},
    "backup_vault_regions": {"dr": "ap-south-2"},
    "backup_resource_type": "EBS",
    "regional_alerts_topic_arns": {"ap-south-2": DR_TOPIC},
    "untagged_objects_metric": {
        "namespace": "GenomicsPlatform/TagAudit",
        "dimensions": {"service": "tag-audit"},
    },
    "thresholds": {"node_cpu_percent": 70.0},
}

PASSED_NAMES = {
    "gen-test-eks",
    "fs-0123456789abcdef0",
    "gen-test-raw-sequence",
    "gen-test-processed-genome",
    "gen-test-raw-sequence-replica",
    "raw-to-dr",
    "WholeBucket",
    "task-0123456789abcdef0",
    "gen-test-object-tagger",
    "gen-test-tag-audit",
    "gen-test-log-alerts",
    "tag-audit",
    "gen-test-ebs-dr",
    "EBS",
}


@pytest.fixture(scope="module")
def full() -> Registered:
    """Everything watched: EFS, buckets, replication, DataSync, functions, vaults, the audit."""

    def build() -> None:
        Observability("obs", FULL)

    return record(build)


@pytest.fixture(scope="module")
def minimal() -> Registered:
    """Only the cluster, in bursting mode without a file system, and nothing else."""

    def build() -> None:
        Observability(
            "obs",
            {
                "name_prefix": "gen-test",
                "environment": "test",
                "cluster_name": "gen-test-eks",
                "alerts_topic_arn": TOPIC,
                "log_kms_key_arn": KEY,
                "log_retention_days": 30,
            },
        )

    return record(build)


def _alarms(registered: Registered) -> dict[str, dict[str, Any]]:
    return {a.inputs["name"]: a.inputs for a in registered.of_type(ALARM)}


def _dashboard(registered: Registered) -> dict[str, Any]:
    body: dict[str, Any] = json_input(
        registered.one("aws:cloudwatch/dashboard:Dashboard"), "dashboardBody"
    )
    return body


# ---- Container Insights ----


def test_container_insights_log_groups_are_created(full: Registered) -> None:
    """The four Container Insights log groups exist under the cluster's path."""
    names = {g.inputs["name"] for g in full.of_type(LOG_GROUP)}
    expected = {
        f"/aws/containerinsights/gen-test-eks/{kind}" for kind in CONTAINER_INSIGHTS_LOG_TYPES
    }
    assert expected <= names


def test_every_log_group_has_retention_and_key(full: Registered) -> None:
    """Every log group of the component, the function's included, expires and is encrypted."""
    groups = full.of_type(LOG_GROUP)
    assert len(groups) == 5
    for group in groups:
        assert group.inputs["retentionInDays"] == 90
        assert group.inputs["kmsKeyId"] == KEY


def test_agent_identity_is_the_expected_service_account(full: Registered) -> None:
    """Pod Identity binds the agent's role to amazon-cloudwatch/cloudwatch-agent."""
    association = full.one("aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs
    assert association["namespace"] == "amazon-cloudwatch"
    assert association["serviceAccount"] == "cloudwatch-agent"
    assert association["roleArn"].endswith(":role/gen-test-cloudwatch-agent")


def test_agent_role_trusts_pod_identity_of_this_cluster(full: Registered) -> None:
    """Only EKS Pod Identity of this account's cluster may assume the agent role."""
    role = full.one("aws:iam/role:Role", "obs-agent-role")
    (statement,) = json_input(role, "assumeRolePolicy")["Statement"]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert statement["Condition"]["ArnEquals"] == {
        "aws:SourceArn": f"arn:aws:eks:ap-south-1:{ACCOUNT}:cluster/gen-test-eks"
    }


def test_agent_role_has_the_cloudwatch_agent_policy(full: Registered) -> None:
    """The agent gets AWS's CloudWatchAgentServerPolicy."""
    attachment = full.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs
    assert attachment["policyArn"] == "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"


def test_addon_waits_for_log_groups(full: Registered) -> None:
    """The add-on is installed after the log groups, so it never creates unencrypted ones."""
    addon = full.one("aws:eks/addon:Addon")
    assert addon.inputs["addonName"] == "amazon-cloudwatch-observability"
    groups = {g.urn for g in full.of_type(LOG_GROUP) if "containerinsights" in g.inputs["name"]}
    assert groups <= set(addon.dependencies)


# ---- log alerts ----


def test_subscription_filter_sends_terms_to_the_function(full: Registered) -> None:
    """One filter on the application log group matches any default term and calls the function."""
    subscription = full.one("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter").inputs
    assert subscription["logGroup"] == "/aws/containerinsights/gen-test-eks/application"
    assert subscription["filterPattern"] == '"ERROR"'
    assert subscription["destinationArn"].endswith(":function:gen-test-log-alerts")


def test_logs_may_invoke_only_from_the_application_log_group(full: Registered) -> None:
    """The Permission names CloudWatch Logs, the application log group and the account."""
    permission = full.one("aws:lambda/permission:Permission").inputs
    assert permission["principal"] == "logs.amazonaws.com"
    assert permission["sourceArn"] == (
        f"arn:aws:logs:ap-south-1:{ACCOUNT}:log-group:"
        "/aws/containerinsights/gen-test-eks/application:*"
    )
    assert permission["sourceAccount"] == ACCOUNT


def test_log_alerts_may_publish_to_the_alerts_topic(full: Registered) -> None:
    """The forwarder's role may publish to the alerts topic and its environment names it."""
    policy = json_input(full.one("aws:iam/rolePolicy:RolePolicy"), "policy")
    publish = next(s for s in policy["Statement"] if s.get("Sid") == "PublishAlerts")
    assert publish["Resource"] == [TOPIC]
    variables = full.one("aws:lambda/function:Function").inputs["environment"]["variables"]
    assert variables["TOPIC_ARN"] == TOPIC


# ---- alarms ----


def test_every_alarm_notifies_the_alerts_topic(full: Registered) -> None:
    """Every alarm's alarm and OK actions are the alerts topic."""
    alarms = _alarms(full)
    assert len(alarms) > 20
    for alarm in alarms.values():
        topic = DR_TOPIC if alarm.get("region") == "ap-south-2" else TOPIC
        assert alarm["alarmActions"] == [topic]
        assert alarm["okActions"] == [topic]


def test_every_alarm_chooses_missing_data_treatment(full: Registered) -> None:
    """No alarm leaves missing data to the default; only absence alarms (a copy that never
    arrived) treat it as breaching."""
    for name, alarm in _alarms(full).items():
        expected = {"breaching"} if name.endswith("-missing") else {"notBreaching", "missing"}
        assert alarm["treatMissingData"] in expected, name


def test_every_function_has_an_error_alarm(full: Registered) -> None:
    """Each function passed in, and the forwarder itself, has an Errors alarm."""
    watched = {
        a["dimensions"]["FunctionName"]
        for a in _alarms(full).values()
        if a.get("namespace") == "AWS/Lambda" and a["metricName"] == "Errors"
    }
    assert watched == {"gen-test-object-tagger", "gen-test-tag-audit", "gen-test-log-alerts"}


@pytest.mark.parametrize("mode", ["bursting", "provisioned"])
def test_efs_throughput_with_a_ceiling_uses_metered_over_permitted(mode: str) -> None:
    """Bursting and provisioned modes divide metered MiB/s by PermittedThroughput."""

    def build() -> None:
        Observability("obs", {**FULL, "efs_throughput_mode": mode})  # type: ignore[typeddict-item]

    alarms = _alarms(record(build))
    assert "gen-test-efs-elastic-throughput" not in alarms
    queries = alarms["gen-test-efs-throughput-utilization"]["metricQueries"]
    metrics = {q["metric"]["metricName"] for q in queries if "metric" in q}
    assert metrics == {"MeteredIOBytes", "PermittedThroughput"}
    (expression,) = [q["expression"] for q in queries if q.get("returnData")]
    assert "PERIOD(metered)" in expression
    assert "permitted" in expression


def test_efs_elastic_mode_watches_metered_throughput_not_the_ceiling(full: Registered) -> None:
    """In elastic mode PermittedThroughput is the maximum, so the alarm compares metered MiB/s
    with the planned figure instead of a ratio that stays near zero."""
    alarms = _alarms(full)
    assert "gen-test-efs-throughput-utilization" not in alarms
    alarm = alarms["gen-test-efs-elastic-throughput"]
    queries = alarm["metricQueries"]
    metrics = {q["metric"]["metricName"] for q in queries if "metric" in q}
    assert metrics == {"MeteredIOBytes"}
    (expression,) = [q["expression"] for q in queries if q.get("returnData")]
    assert expression == "(metered/1048576)/PERIOD(metered)"
    assert alarm["threshold"] == 500


def test_pod_restarts_alarm_watches_the_increase_of_the_counter(full: Registered) -> None:
    """The cumulative restart count is differenced, so old restarts do not keep it in ALARM."""
    queries = _alarms(full)["gen-test-pod-restarts"]["metricQueries"]
    (returned,) = [q for q in queries if q.get("returnData")]
    (source,) = [q for q in queries if not q.get("returnData")]
    assert returned["expression"] == f"DIFF({source['id']})"
    assert "pod_number_of_container_restarts" in source["expression"]
    assert "GROUP BY" not in source["expression"]


def test_container_states_are_alarmed_on_from_container_insights(full: Registered) -> None:
    """OOMKilled and CrashLoopBackOff come from Container Insights metrics of the cluster."""
    alarms = _alarms(full)
    for name, metric in (
        ("gen-test-pods-crash-looping", "pod_container_status_waiting_reason_crash_loop_back_off"),
        ("gen-test-pods-oom-killed", "pod_container_status_terminated_reason_oom_killed"),
    ):
        alarm = alarms[name]
        assert alarm["namespace"] == "ContainerInsights"
        assert alarm["metricName"] == metric
        assert alarm["dimensions"] == {"ClusterName": "gen-test-eks"}
        assert alarm["comparisonOperator"] == "GreaterThanThreshold"
        assert alarm["threshold"] == 0


def test_dr_vault_alarms_and_widget_use_the_vaults_region(full: Registered) -> None:
    """The DR vault's alarms sit in ap-south-2 and notify the ap-south-2 topic; its dashboard
    widget queries ap-south-2. The primary vault stays in the provider's region."""
    alarms = _alarms(full)
    dr = alarms["gen-test-backup-dr-copies-missing"]
    assert dr["region"] == "ap-south-2"
    assert dr["alarmActions"] == [DR_TOPIC]
    for kind in ("backup", "copy"):
        assert "region" not in alarms[f"gen-test-backup-primary-{kind}-failed"]
    widgets = {
        w["properties"]["title"]: w["properties"]
        for w in _dashboard(full)["widgets"]
        if w["type"] == "metric"
    }
    assert widgets["Vault dr: copied recovery points"]["region"] == "ap-south-2"
    assert widgets["Vault primary: failed jobs"]["region"] == "ap-south-1"


def test_copy_only_vault_is_watched_for_recovery_points_not_jobs(full: Registered) -> None:
    """The DR vault receives copies only: no backup or copy job alarm, but one that breaches
    when no copied recovery point arrives in a day."""
    alarms = _alarms(full)
    assert "gen-test-backup-dr-backup-failed" not in alarms
    assert "gen-test-backup-dr-copy-failed" not in alarms
    dr = alarms["gen-test-backup-dr-copies-missing"]
    assert (dr["namespace"], dr["metricName"]) == ("AWS/Backup", "NumberOfRecoveryPointsCompleted")
    assert dr["dimensions"] == {"BackupVaultName": "gen-test-ebs-dr", "ResourceType": "EBS"}
    assert (dr["comparisonOperator"], dr["threshold"]) == ("LessThanThreshold", 1)
    assert dr["treatMissingData"] == "breaching"
    assert dr["period"] == 86400


def test_a_vault_is_either_a_backup_target_or_copy_only() -> None:
    """One label in both vault inputs is a construction error naming the input."""
    args: ObservabilityArgs = {**FULL, "backup_vault_names": {"dr": "gen-test-ebs-dr"}}

    def build() -> None:
        Observability("obs", args)

    with pytest.raises(
        ValueError, match=r"backup_copy_vault_names labels \['dr'\] also name vaults"
    ):
        record(build)


def test_vault_region_without_an_alerts_topic_there_is_rejected() -> None:
    """A vault in another region needs that region's alerts topic; the error says how."""
    args: ObservabilityArgs = {**FULL, "regional_alerts_topic_arns": {}}

    def build() -> None:
        Observability("obs", args)

    with pytest.raises(ValueError, match=r"no alerts topic there.*regional_alerts_regions"):
        record(build)


def test_inventory_adds_every_function_and_queue_constructed_before() -> None:
    """Functions and queues the stack constructed elsewhere get Errors, Throttles and depth
    alarms without being listed in function_names."""
    import pulumi_aws as aws

    from components.observability.inventory import StackInventory

    def build() -> None:
        inventory = StackInventory()
        inventory.install()
        aws.sqs.Queue("elsewhere-dlq", name="gen-test-ebs-reaper-dlq")
        aws.lambda_.Function(
            "elsewhere",
            name="gen-test-ebs-reaper",
            role="arn:aws:iam::111122223333:role/r",
            reserved_concurrent_executions=3,
        )
        Observability("obs", {**FULL, "function_names": {}, "inventory": inventory})
        assert inventory.reserved_concurrency == 3 + 2  # the reaper and the log forwarder

    alarms = _alarms(record(build))
    assert alarms["gen-test-lambda-ebs-reaper-errors"]["dimensions"] == {
        "FunctionName": "gen-test-ebs-reaper"
    }
    assert alarms["gen-test-lambda-ebs-reaper-throttles"]["metricName"] == "Throttles"
    assert "gen-test-lambda-log-alerts-errors" in alarms
    depth = alarms["gen-test-sqs-ebs-reaper-dlq-depth"]
    assert depth["namespace"] == "AWS/SQS"
    assert depth["metricName"] == "ApproximateNumberOfMessagesVisible"
    assert depth["dimensions"] == {"QueueName": "gen-test-ebs-reaper-dlq"}
    assert "gen-test-sqs-log-alerts-dlq-depth" in alarms


def test_replication_alarms_use_rule_dimensions(full: Registered) -> None:
    """Replication latency is watched per source, destination and rule."""
    alarm = _alarms(full)["gen-test-replication-raw-latency"]
    assert alarm["dimensions"] == {
        "SourceBucket": "gen-test-raw-sequence",
        "DestinationBucket": "gen-test-raw-sequence-replica",
        "RuleId": "raw-to-dr",
    }


def test_s3_error_alarms_use_the_request_metrics_filter(full: Registered) -> None:
    """Bucket error alarms name the FilterId given in Args."""
    alarm = _alarms(full)["gen-test-s3-raw-5xxerrors"]
    assert alarm["dimensions"] == {"BucketName": "gen-test-raw-sequence", "FilterId": "WholeBucket"}


def test_datasync_failures_become_a_metric(full: Registered) -> None:
    """A rule matches ERROR executions of the tasks; its MatchedEvents drives an alarm."""
    rule = full.one("aws:cloudwatch/eventRule:EventRule").inputs
    pattern = json.loads(rule["eventPattern"])
    assert pattern["detail"] == {"State": ["ERROR"]}
    assert pattern["resources"] == [{"prefix": f"{TASK}/execution/"}]
    alarm = _alarms(full)["gen-test-datasync-failed"]
    assert (alarm["namespace"], alarm["metricName"]) == ("AWS/Events", "MatchedEvents")


def test_untagged_objects_alarm_watches_the_audit_metric(full: Registered) -> None:
    """The audit's daily UntaggedObjects, in its Powertools namespace and service dimension."""
    alarm = _alarms(full)["gen-test-untagged-objects"]
    assert alarm["namespace"] == "GenomicsPlatform/TagAudit"
    assert alarm["metricName"] == "UntaggedObjects"
    assert alarm["dimensions"] == {"service": "tag-audit"}
    assert (alarm["statistic"], alarm["period"], alarm["threshold"]) == ("Maximum", 86400, 0.0)
    assert alarm["alarmActions"] == [TOPIC]


def test_no_untagged_objects_alarm_without_the_metric(minimal: Registered) -> None:
    """Without untagged_objects_metric there is nothing to watch."""
    assert "gen-test-untagged-objects" not in _alarms(minimal)


def test_log_terms_and_dedupe_window_come_from_args() -> None:
    """Configured terms make the filter pattern; the window reaches the forwarder."""

    def build() -> None:
        Observability(
            "obs",
            {**FULL, "log_alert_terms": ("OOMKilled",), "log_alerts_dedupe_window_seconds": 300},
        )

    registered = record(build)
    subscription = registered.one("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")
    assert subscription.inputs["filterPattern"] == '"OOMKilled"'
    function = registered.one("aws:lambda/function:Function", "obs-log-alerts-function")
    assert function.inputs["environment"]["variables"]["DEDUPE_WINDOW_SECONDS"] == "300"


def test_threshold_override_applies(full: Registered) -> None:
    """A threshold given in Args replaces the default."""
    assert _alarms(full)["gen-test-node-cpu"]["threshold"] == 70.0


def test_backup_alarms_per_vault_and_kind(full: Registered) -> None:
    """The vault jobs run in has a backup-job and a copy-job failure alarm; the copy
    destination has its arrival alarm instead."""
    names = set(_alarms(full))
    assert {
        "gen-test-backup-primary-backup-failed",
        "gen-test-backup-primary-copy-failed",
        "gen-test-backup-dr-copies-missing",
    } <= names


def test_burst_credit_alarm_only_in_bursting_mode(full: Registered) -> None:
    """Elastic throughput has no burst credits to watch."""
    assert "gen-test-efs-burst-credits" not in _alarms(full)


def test_minimal_args_watch_only_the_cluster_and_forwarder(minimal: Registered) -> None:
    """Without optional inputs there are no EFS, S3, DataSync or backup alarms."""
    assert set(_alarms(minimal)) == {
        "gen-test-node-cpu",
        "gen-test-node-memory",
        "gen-test-pod-restarts",
        "gen-test-pods-crash-looping",
        "gen-test-pods-oom-killed",
        "gen-test-lambda-log-alerts-errors",
        "gen-test-lambda-log-alerts-throttles",
    }


# ---- dashboard ----


def _dimension_values(body: dict[str, Any]) -> set[str]:
    values: set[str] = set()
    for widget in body["widgets"]:
        for metric in widget["properties"].get("metrics", []):
            if isinstance(metric[0], str):
                names_and_values = [m for m in metric[2:] if isinstance(m, str)]
                values.update(names_and_values[1::2])
    return values


def test_dashboard_body_is_valid_widget_json(full: Registered) -> None:
    """The body parses, every widget has a position inside the 24-unit grid and a type."""
    for widget in _dashboard(full)["widgets"]:
        assert widget["type"] in {"metric", "text"}
        assert widget["x"] >= 0
        assert widget["x"] + widget["width"] <= 24


def test_dashboard_references_only_resources_passed_in(full: Registered) -> None:
    """Every dimension value on the dashboard is something the component was given."""
    assert _dimension_values(_dashboard(full)) == PASSED_NAMES


def test_dashboard_covers_every_section(full: Registered) -> None:
    """EKS, EFS, S3, DataSync, Lambda and backup sections are present."""
    markdown = [
        w["properties"]["markdown"] for w in _dashboard(full)["widgets"] if w["type"] == "text"
    ]
    for section in ("EKS", "EFS", "S3", "DataSync", "Lambda", "Backups"):
        assert any(section in text for text in markdown), section


def test_minimal_dashboard_has_no_empty_sections(minimal: Registered) -> None:
    """Sections without inputs are left out rather than shown empty."""
    markdown = " ".join(
        w["properties"]["markdown"] for w in _dashboard(minimal)["widgets"] if w["type"] == "text"
    )
    assert "EFS" not in markdown
    assert "DataSync" not in markdown


# ---- validation ----


def test_bad_label_is_refused() -> None:
    """Labels become alarm names; one with spaces fails at preview naming the field."""
    args: ObservabilityArgs = {**FULL, "buckets": {"Raw Bucket": "b"}}

    def build() -> None:
        Observability("bad", args)

    with pytest.raises(ValueError, match=r"buckets labels"):
        record(build)


def test_unknown_threshold_is_refused() -> None:
    """A misspelt threshold key fails instead of being ignored."""
    args: ObservabilityArgs = {**FULL, "thresholds": {"node_cpu": 50.0}}  # type: ignore[typeddict-unknown-key]

    def build() -> None:
        Observability("bad", args)

    with pytest.raises(ValueError, match="unknown keys"):
        record(build)


def test_log_key_lets_only_this_accounts_log_groups_use_it() -> None:
    """CloudWatch Logs may use the key only for log groups of this account and region."""

    def build() -> None:
        LogEncryptionKey("logs", "gen-test")

    key = record(build).one("aws:kms/key:Key")
    statements = {s["Sid"]: s for s in json_input(key, "policy")["Statement"]}
    logs = statements["CloudWatchLogsOfThisAccount"]
    assert logs["Principal"] == {"Service": "logs.ap-south-1.amazonaws.com"}
    assert logs["Condition"] == {
        "StringLike": {
            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:ap-south-1:{ACCOUNT}:log-group:*"
        }
    }
    assert "kms:Describe*" not in logs["Action"]
    describe = statements["CloudWatchLogsDescribesKey"]
    assert describe["Principal"] == logs["Principal"]
    assert describe["Action"] == "kms:DescribeKey"
    assert "Condition" not in describe
    assert key.inputs["enableKeyRotation"] is True
