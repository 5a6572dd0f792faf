"""Every subsystem, built in the order their references need."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.data_lake.lake import DataLake
from components.lab.data_mesh import LabDataMesh
from components.observability.inventory import StackInventory
from components.observability.observability import Observability
from components.ops.automation import OpsAutomation
from components.transfer.transfer import Transfer
from composition.compute import Compute, build_compute
from composition.context import StackContext, create_context
from composition.data import build_data_lake
from composition.lab import build_lab
from composition.names import EarlyRoleArns
from composition.observability import build_observability
from composition.ops import build_ops
from composition.transfer import build_transfer
from settings import StackSettings

__all__ = ["Platform", "build"]


@dataclass(frozen=True)
class Platform:
    """The whole stack's components, for the outputs table and for tests."""

    ctx: StackContext
    compute: Compute
    data_lake: DataLake
    ops: OpsAutomation
    lab: LabDataMesh
    transfer: Transfer
    observability: Observability
    inventory: StackInventory
    """Every Lambda function and SQS queue the stack created (alarms, quota check)."""


def _created_role(arn: str | None) -> str:
    if not arn:
        raise pulumi.RunError("the scratch clean-up role was not created; it must mount EFS")
    return arn


def build(settings: StackSettings) -> Platform:
    """Create the platform for `settings`."""
    for advisory in settings.advisories():
        pulumi.log.warn(advisory)
    # Installed before the first resource: Observability alarms on every function and queue.
    inventory = StackInventory()
    inventory.install()
    ctx = create_context(settings)
    early = EarlyRoleArns(ctx.account_id, ctx.prefix)
    compute = build_compute(ctx)
    data_lake = build_data_lake(ctx, early)
    ops = build_ops(ctx, compute)
    lab = build_lab(ctx, compute, data_lake)
    transfer = build_transfer(ctx, compute, data_lake, lab)
    # The file-system policy names the roles that mount EFS, so it is written once they exist,
    # with their real ARNs (SharedFileSystem.authorize_clients says why).
    compute.shared_fs.authorize_clients(
        scratch_role_arns=[ops.scratch_cleanup_role_arn.apply(_created_role)],
        root_access_role_arns=[transfer.datasync_efs_role_arn],
    )
    observability = build_observability(ctx, compute, data_lake, ops, transfer, inventory)
    return Platform(ctx, compute, data_lake, ops, lab, transfer, observability, inventory)
