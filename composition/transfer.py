"""The transfer pipeline: DataSync from EFS to the lake, the tagger, the daily audit."""

from __future__ import annotations

from components.data_lake.lake import DataLake
from components.lab.data_mesh import LabDataMesh
from components.transfer.transfer import Transfer
from composition.compute import Compute
from composition.context import StackContext

__all__ = ["build_transfer"]


def build_transfer(
    ctx: StackContext, compute: Compute, lake: DataLake, lab: LabDataMesh
) -> Transfer:
    """Scheduled DataSync tasks and the functions that tag and audit what they copy."""
    s = ctx.settings
    shared_fs = compute.shared_fs
    return Transfer(
        f"{ctx.prefix}-transfer",
        {
            "name_prefix": ctx.prefix,
            "environment": s.environment,
            "region": s.primary_region,
            "bucket_names": lake.bucket_names,
            "transfer_reports_bucket": lake.transfer_reports_bucket,
            "data_key_arn": lake.primary_key_arn,
            "log_key_arn": ctx.logs_key.key_arn,
            "log_retention_days": s.log_retention_days,
            "file_system_arn": shared_fs.file_system_arn,
            "projects_access_point_arn": shared_fs.projects_access_point_arn,
            "subnet_id": compute.network.private_subnet_ids.apply(lambda ids: ids[0]),
            "security_group_ids": [shared_fs.client_security_group_id],
            "transfers_topic_arn": ctx.topics.transfers_topic_arn,
            "reports_topic_arn": ctx.topics.reports_topic_arn,
            "transfer_times": list(s.transfer_times),
            "time_zone": s.time_zone,
            "tag_audit_time": s.tag_audit_time,
            "bandwidth_mibps": s.transfer_bandwidth_mibps,
            "tag_unclassified": s.tag_unclassified,
            "fan_out_threshold": s.fan_out_threshold,
            # The lab comes first: the tagger subscribes to its event bus.
            "lab_event_bus_name": lab.event_bus_name,
        },
        opts=ctx.opts,
    )
