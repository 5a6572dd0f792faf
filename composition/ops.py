"""Ops automation: EBS backup, the idle-volume reaper, test-hours scheduler, scratch clean-up."""

from __future__ import annotations

from components.ops.automation import OpsAutomation
from composition.compute import Compute
from composition.context import StackContext
from contracts.layout import SCRATCH_VOLUMES_DIR

__all__ = ["build_ops"]


def build_ops(ctx: StackContext, compute: Compute) -> OpsAutomation:
    """Backups and the three destructive functions, scheduled in the stack's time zone."""
    s = ctx.settings
    network, shared_fs = compute.network, compute.shared_fs
    return OpsAutomation(
        f"{ctx.prefix}-ops",
        {
            "name_prefix": ctx.prefix,
            "environment": s.environment,
            "dr_region": s.dr_region,
            "time_zone": s.time_zone,
            "business_hours_end": s.business_hours_end,
            "backup_retention_days": s.backup_retention_days,
            "backup_vault_lock": s.backup_vault_lock,
            "notification_topic_arn": ctx.topics.alerts_topic_arn,
            "dry_run": s.ops_dry_run,
            "reports_topic_arn": ctx.topics.reports_topic_arn,
            "log_key_arn": ctx.logs_key.key_arn,
            "log_retention_days": s.log_retention_days,
            "ebs_reaper": {
                "grace_days": s.ebs_reaper_grace_days,
                "max_deletions_per_run": s.ebs_reaper_max_deletions,
            },
            "test_instance_scheduler": {
                "testing_hours_end": s.testing_hours_end,
                "testing_hours_start": s.testing_hours_start,
            },
            "scratch_cleanup": {
                "file_system_arn": shared_fs.file_system_arn,
                "access_point_arn": shared_fs.scratch_access_point_arn,
                "subnet_ids": [subnet["subnet_id"] for subnet in network.private_subnets],
                "security_group_id": shared_fs.client_security_group_id,
                "api_security_group_ids": [network.api_client_security_group_id],
                "mount_targets": shared_fs.mount_targets,
                # Every scratch volume lives under /scratch/volumes (the efs-scratch base path).
                "scratch_roots": [SCRATCH_VOLUMES_DIR],
                "retention_days": s.scratch_retention_days,
                "day": s.scratch_cleanup_day,
                "time": s.scratch_cleanup_time,
            },
        },
        opts=ctx.opts,
    )
