"""Observability: alarms and the dashboard over every subsystem, alerts to SNS."""

from __future__ import annotations

from components.blocks.function import metrics_namespace, metrics_service
from components.data_lake.buckets import REQUEST_METRICS_FILTER_ID
from components.data_lake.lake import REPLICATION_RULE_ID, DataLake
from components.observability.inventory import StackInventory
from components.observability.observability import Observability
from components.ops.automation import OpsAutomation
from components.transfer.transfer import TAG_AUDIT_PACKAGE, Transfer
from composition.compute import Compute
from composition.context import StackContext
from composition.data import lake_bucket
from contracts.taxonomy import CATEGORIES

__all__ = ["build_observability"]


def build_observability(
    ctx: StackContext,
    compute: Compute,
    lake: DataLake,
    ops: OpsAutomation,
    transfer: Transfer,
    inventory: StackInventory,
) -> Observability:
    """Alarms with the stack's thresholds and one dashboard; every function and queue in
    `inventory` is watched without being listed here."""
    s = ctx.settings
    return Observability(
        f"{ctx.prefix}-observability",
        {
            "name_prefix": ctx.prefix,
            "environment": s.environment,
            # Resolves after the node groups, so the Container Insights add-on waits for nodes.
            "cluster_name": compute.cluster.scheduling_cluster_name,
            "alerts_topic_arn": ctx.topics.alerts_topic_arn,
            "log_kms_key_arn": ctx.logs_key.key_arn,
            "log_retention_days": s.log_retention_days,
            "file_system_id": compute.shared_fs.file_system_id,
            "efs_throughput_mode": s.efs_throughput_mode,
            "buckets": {
                c.bucket_slug: lake_bucket(lake, c.name, s.primary_region) for c in CATEGORIES
            },
            "request_metrics_filter_id": REQUEST_METRICS_FILTER_ID,
            "backup_vault_names": {"primary": ops.primary_vault_name},
            "backup_copy_vault_names": {"dr": ops.dr_vault_name},
            "backup_vault_regions": {"dr": s.dr_region},
            "regional_alerts_topic_arns": ctx.topics.regional_alerts_topic_arns,
            "inventory": inventory,
            "datasync_task_arns": transfer.task_arn_by_label,
            "replication_rules": {
                c.bucket_slug: {
                    "source_bucket": lake_bucket(lake, c.name, s.primary_region),
                    "destination_bucket": lake_bucket(lake, c.name, s.dr_region),
                    "rule_id": REPLICATION_RULE_ID,
                }
                for c in CATEGORIES
            },
            # Powertools adds the `service` dimension (POWERTOOLS_SERVICE_NAME); PlatformFunction
            # sets both from the same two functions.
            "untagged_objects_metric": {
                "namespace": metrics_namespace(TAG_AUDIT_PACKAGE),
                "dimensions": {"service": metrics_service(TAG_AUDIT_PACKAGE)},
            },
            "thresholds": {
                "efs_percent_io_limit": s.alarm_efs_percent_io_limit,
                "efs_throughput_utilization_percent": s.alarm_efs_throughput_utilization,
                "efs_elastic_metered_mibps": s.alarm_efs_elastic_metered_mibps,
                "efs_client_connections": s.alarm_efs_client_connections,
                "efs_burst_credit_balance_bytes": s.alarm_efs_burst_credit_balance_bytes,
                "replication_latency_seconds": s.alarm_replication_latency_seconds,
                "s3_4xx_errors": s.alarm_s3_client_errors,
                "s3_5xx_errors": s.alarm_s3_server_errors,
                "lambda_errors": s.alarm_lambda_errors,
                "lambda_throttles": s.alarm_lambda_throttles,
                "node_cpu_percent": s.alarm_node_cpu_percent,
                "node_memory_percent": s.alarm_node_memory_percent,
                "pod_restarts": s.alarm_pod_restarts,
                "untagged_objects": s.alarm_untagged_objects,
            },
            "log_alert_terms": s.log_alert_terms,
            "log_alerts_dedupe_window_seconds": s.log_alert_dedupe_window_seconds,
        },
        opts=ctx.opts,
    )
