"""The lab metadata store: one DynamoDB table holding experiments, datasets and lab events.

Single-table design keyed for the API's reads: a dataset's metadata is one `GetItem`
(`pk=DATASET#<id>`, `sk=METADATA`), its events are one `Query` on the same partition
(`sk` begins with `EVENT#`), and a project's datasets are one `Query` on the `by-project`
index (`project`, `createdAt`). The item schema is documented in docs/lab-data-mesh.md.
"""

from __future__ import annotations

from typing import Final, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

__all__ = [
    "METADATA_SORT_KEY",
    "PARTITION_KEY",
    "PROJECT_INDEX",
    "SORT_KEY",
    "LabMetadataStore",
    "LabMetadataStoreArgs",
    "dataset_key",
    "experiment_key",
]

PARTITION_KEY: Final = "pk"
SORT_KEY: Final = "sk"
METADATA_SORT_KEY: Final = "METADATA"
"""Sort key of the one item that describes an experiment or a dataset."""
PROJECT_INDEX: Final = "by-project"
"""Global secondary index: every entity of a project, newest first by `createdAt`."""


def dataset_key(dataset_id: str) -> str:
    """Partition key of a dataset."""
    return f"DATASET#{dataset_id}"


def experiment_key(experiment_id: str) -> str:
    """Partition key of an experiment."""
    return f"EXPERIMENT#{experiment_id}"


class LabMetadataStoreArgs(TypedDict):
    """Inputs of the metadata store."""

    kms_key_arn: pulumi.Input[str]
    """Customer-managed key that encrypts the table (SSE-KMS), the platform key."""
    table_name: NotRequired[str]
    """Physical table name; defaults to one Pulumi derives from the component name."""
    deletion_protection: NotRequired[bool]
    """Refuse `DeleteTable` (on by default; turn off only in throw-away stacks)."""
    point_in_time_recovery_days: NotRequired[int]
    """Days of continuous backups to restore from (1-35; default 35)."""


def _validate(args: LabMetadataStoreArgs) -> None:
    days = args.get("point_in_time_recovery_days", 35)
    if not 1 <= days <= 35:
        raise ValueError(
            f"LabMetadataStoreArgs.point_in_time_recovery_days is {days}; "
            "DynamoDB keeps 1-35 days, use 35 unless cost says otherwise"
        )


class LabMetadataStore(pulumi.ComponentResource):
    """DynamoDB table for lab metadata: on-demand, PITR, customer-managed KMS key."""

    table_name: pulumi.Output[str]
    """Name of the table (the API's GetItem and the workflow's writes use it)."""
    table_arn: pulumi.Output[str]
    """ARN of the table, for least-privilege grants."""

    def __init__(
        self,
        name: str,
        args: LabMetadataStoreArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("genomics:lab:MetadataStore", name, None, opts)
        _validate(args)
        table = aws.dynamodb.Table(
            f"{name}-table",
            name=args.get("table_name"),
            billing_mode="PAY_PER_REQUEST",
            hash_key=PARTITION_KEY,
            range_key=SORT_KEY,
            attributes=[
                aws.dynamodb.TableAttributeArgs(name=PARTITION_KEY, type="S"),
                aws.dynamodb.TableAttributeArgs(name=SORT_KEY, type="S"),
                aws.dynamodb.TableAttributeArgs(name="project", type="S"),
                aws.dynamodb.TableAttributeArgs(name="createdAt", type="S"),
            ],
            global_secondary_indexes=[
                aws.dynamodb.TableGlobalSecondaryIndexArgs(
                    name=PROJECT_INDEX,
                    key_schemas=[
                        aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(
                            attribute_name="project", key_type="HASH"
                        ),
                        aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(
                            attribute_name="createdAt", key_type="RANGE"
                        ),
                    ],
                    projection_type="ALL",
                )
            ],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(
                enabled=True,
                recovery_period_in_days=args.get("point_in_time_recovery_days", 35),
            ),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
                enabled=True, kms_key_arn=args["kms_key_arn"]
            ),
            deletion_protection_enabled=args.get("deletion_protection", True),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.table_name = table.name
        self.table_arn = table.arn
        self.register_outputs({"table_name": self.table_name, "table_arn": self.table_arn})
