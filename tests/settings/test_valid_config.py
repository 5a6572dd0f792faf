"""Valid configs: the committed stacks load, and defaults are the safe ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.taxonomy import RESOURCE_REQUIRED_KEYS, validate_tag_set, validate_taxonomy_values
from settings import StackSettings, load_settings
from settings.loader import CONFIG_NAMESPACE, config_keys
from tools.preview.stack_config import load_stack_config

ROOT = Path(__file__).resolve().parents[2]

PROD: dict[str, str] = {"environment": "prod", "alertEmails": '["oncall@example.org"]'}
"""The least a prod stack sets: its environment and someone to alert."""


def _stack(stack: str) -> StackSettings:
    """The stack's settings read the way the CLI hands them to the program."""
    config = load_stack_config(ROOT, stack)
    prefix = f"{CONFIG_NAMESPACE}:"
    return load_settings(
        {key.removeprefix(prefix): value for key, value in config.items() if key.startswith(prefix)}
    )


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_committed_stack_loads(stack: str) -> None:
    """Each committed stack file holds valid settings for its environment."""
    assert _stack(stack).environment == stack


def test_prod_describes_the_full_platform() -> None:
    """Prod spans three AZs with a NAT each, two node groups and every lab mesh switch on."""
    prod = _stack("prod")
    assert (prod.availability_zone_count, prod.nat_gateway_per_az) == (3, True)
    groups = {group.name: group for group in prod.node_groups}
    assert groups["general"].instance_types == ("m6i.xlarge",)
    assert (groups["general"].min_size, groups["general"].max_size) == (2, 6)
    alignment = groups["alignment"]
    assert alignment.instance_types == ("r6i.4xlarge",)
    assert (alignment.min_size, alignment.max_size, alignment.capacity_type) == (0, 10, "SPOT")
    assert alignment.labels == {"workload": "alignment"}
    assert alignment.taints == ("workload=alignment:NoSchedule",)
    switches = (prod.lab_api_enabled, prod.datazone_enabled, prod.batch_enabled)
    assert switches == (True, True, True)
    assert prod.healthomics_enabled is False
    assert prod.eln_endpoint == "https://eln.example.org/api"
    assert prod.backup_vault_lock is True
    assert prod.object_lock_mode == "COMPLIANCE"


def test_prod_skips_the_storage_gateway() -> None:
    """No on-premises appliance exists, so prod has no activation key and builds no gateway."""
    assert _stack("prod").storage_gateway_enabled is False


def test_prod_research_groups_read_only_declared_projects() -> None:
    """Every research group in prod names projects the stack declares."""
    prod = _stack("prod")
    assert prod.research_groups
    assert all(set(group.projects) <= set(prod.projects) for group in prod.research_groups)


def test_dev_is_small_and_cheap() -> None:
    """Dev has two AZs sharing one NAT, one small node group, one project and no lab mesh."""
    dev = _stack("dev")
    assert (dev.availability_zone_count, dev.nat_gateway_per_az) == (2, False)
    (group,) = dev.node_groups
    assert (group.instance_types, group.min_size, group.max_size) == (("t3.large",), 1, 2)
    assert len(dev.projects) == 1
    switches = (dev.lab_api_enabled, dev.datazone_enabled, dev.batch_enabled)
    assert switches == (False, False, False)
    assert dev.healthomics_enabled is False
    assert dev.ops_dry_run is True


def test_destructive_ops_only_report_unless_a_stack_says_otherwise() -> None:
    """Without opsDryRun the reaper, scheduler and clean-up act on nothing, in any environment."""
    assert load_settings(PROD).ops_dry_run is True


def test_prod_stack_turns_dry_run_off() -> None:
    """The prod stack lets the ops functions act; the dev stack keeps them reporting."""
    assert _stack("prod").ops_dry_run is False
    assert _stack("dev").ops_dry_run is True


def test_minimal_config_gets_secure_defaults() -> None:
    """Only `environment` is required; the rest defaults to the private, Indian-region setup."""
    settings = load_settings(PROD)
    assert settings.primary_region == "ap-south-1"
    assert settings.dr_region == "ap-south-2"
    assert settings.eks_public_access_cidrs == ()
    assert settings.efs_reclaim_policy == "Retain"
    assert settings.storage_gateway_enabled is False


def test_settings_are_frozen() -> None:
    """Settings cannot change after the one parse, so every component sees the same values."""
    settings = load_settings(PROD)
    with pytest.raises(ValueError, match="frozen"):
        settings.environment = "dev"


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_resource_tags_carry_every_required_key(environment: str) -> None:
    """Provider default tags include every key the resource taxonomy requires."""
    tags = load_settings({**PROD, "environment": environment}).resource_tags
    assert {key.value for key in RESOURCE_REQUIRED_KEYS} <= set(tags)


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_resource_tags_satisfy_the_taxonomy(environment: str) -> None:
    """Provider default tags use vocabulary values and would be accepted by AWS."""
    tags = load_settings({**PROD, "environment": environment}).resource_tags
    assert validate_taxonomy_values(tags, RESOURCE_REQUIRED_KEYS) == []
    assert validate_tag_set(tags) == []


def test_resource_tags_carry_owner_and_cost_center_from_config() -> None:
    """Owner and cost centre come from the stack, so billing reports follow the config."""
    tags = load_settings(
        {**PROD, "owner": "rare-disease-team", "costCenter": "cc-4711"}
    ).resource_tags
    assert (tags["owner"], tags["cost-center"]) == ("rare-disease-team", "cc-4711")


def test_every_field_has_a_config_key_description_and_example() -> None:
    """Docs and Pulumi.yaml are generated from the model, so every field must document itself."""
    for key, name in config_keys().items():
        info = StackSettings.model_fields[name]
        assert info.description, key
        assert info.examples, key


# Settings key of each observability threshold (AlarmThresholds key → StackSettings field).
ALARM_SETTINGS = {
    "efs_percent_io_limit": "alarm_efs_percent_io_limit",
    "efs_throughput_utilization_percent": "alarm_efs_throughput_utilization",
    "efs_elastic_metered_mibps": "alarm_efs_elastic_metered_mibps",
    "efs_client_connections": "alarm_efs_client_connections",
    "efs_burst_credit_balance_bytes": "alarm_efs_burst_credit_balance_bytes",
    "replication_latency_seconds": "alarm_replication_latency_seconds",
    "s3_4xx_errors": "alarm_s3_client_errors",
    "s3_5xx_errors": "alarm_s3_server_errors",
    "lambda_errors": "alarm_lambda_errors",
    "lambda_throttles": "alarm_lambda_throttles",
    "node_cpu_percent": "alarm_node_cpu_percent",
    "node_memory_percent": "alarm_node_memory_percent",
    "pod_restarts": "alarm_pod_restarts",
    "untagged_objects": "alarm_untagged_objects",
}


def test_every_alarm_threshold_has_a_setting_with_the_component_default() -> None:
    """Each AlarmThresholds key is configurable, and leaving it out keeps today's alarm."""
    from components.observability.observability import DEFAULT_THRESHOLDS

    assert set(ALARM_SETTINGS) == set(DEFAULT_THRESHOLDS)
    defaults = load_settings(PROD)
    for key, field in ALARM_SETTINGS.items():
        assert getattr(defaults, field) == DEFAULT_THRESHOLDS[key], field  # type: ignore[literal-required]


def test_log_alert_defaults_match_the_component() -> None:
    """Default terms and de-duplication window are the ones Observability uses without them."""
    from components.observability.observability import DEFAULT_LOG_ALERT_TERMS

    defaults = load_settings(PROD)
    assert defaults.log_alert_terms == DEFAULT_LOG_ALERT_TERMS
    assert defaults.log_alert_dedupe_window_seconds == 900


def test_alarm_thresholds_and_log_alerts_are_configurable() -> None:
    """Valid overrides load as given."""
    settings = load_settings(
        {
            **PROD,
            "alarmNodeCpuPercent": "70",
            "alarmPodRestarts": "0",
            "alarmReplicationLatencySeconds": "1800",
            "logAlertTerms": '["OOMKilled","Evicted pod"]',
            "logAlertDedupeWindowSeconds": "3600",
        }
    )
    assert (settings.alarm_node_cpu_percent, settings.alarm_pod_restarts) == (70, 0)
    assert settings.alarm_replication_latency_seconds == 1800
    assert settings.log_alert_terms == ("OOMKilled", "Evicted pod")
    assert settings.log_alert_dedupe_window_seconds == 3600
