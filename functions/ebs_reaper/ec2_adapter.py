"""The one place the reaper talks to EC2: volume listing, tags, snapshots and deletion.

Listings are paginated (DescribeVolumes returns at most `page_size` volumes per request), and
every botocore failure becomes a domain error from `functions.ebs_reaper.aws_types`, so the
core never sees a `ClientError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from botocore.exceptions import BotoCoreError, ClientError

from functions.ebs_reaper.aws_types import (
    Ec2Error,
    SnapshotNotFoundError,
    Volume,
    VolumeAttachedError,
    VolumeNotFoundError,
)

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import FilterTypeDef, TagTypeDef, VolumeTypeDef

__all__ = ["PAGE_SIZE", "Ec2Adapter"]

PAGE_SIZE: Final = 500
"""DescribeVolumes' maximum page size: the fewest requests per volume."""
_VOLUME_NOT_FOUND: Final = frozenset({"InvalidVolume.NotFound"})
_VOLUME_ATTACHED: Final = frozenset({"VolumeInUse", "IncorrectState"})
_SNAPSHOT_NOT_FOUND: Final = frozenset({"InvalidSnapshot.NotFound"})


def _domain_error(error: ClientError | BotoCoreError, action: str) -> Ec2Error:
    if isinstance(error, BotoCoreError):
        return Ec2Error(f"{action} failed: {error}", code=type(error).__name__)
    code = str(error.response.get("Error", {}).get("Code", ""))
    message = f"{action} failed: {code or 'error'}: {error}"
    if code in _VOLUME_NOT_FOUND:
        return VolumeNotFoundError(message, code=code)
    if code in _VOLUME_ATTACHED:
        return VolumeAttachedError(message, code=code)
    if code in _SNAPSHOT_NOT_FOUND:
        return SnapshotNotFoundError(message, code=code)
    return Ec2Error(message, code=code)


def _volume(item: VolumeTypeDef) -> Volume:
    return Volume(
        volume_id=item["VolumeId"],
        state=item.get("State", "unknown"),
        size_gib=item.get("Size", 0),
        tags={tag["Key"]: tag["Value"] for tag in item.get("Tags", [])},
        attachment_count=len(item.get("Attachments", [])),
        availability_zone=item.get("AvailabilityZone", ""),
        volume_type=item.get("VolumeType", ""),
        create_time=item.get("CreateTime"),
    )


class Ec2Adapter:
    """The EC2 operations of `functions.ebs_reaper.core.Ec2Volumes` over one EC2 client."""

    def __init__(self, client: EC2Client, *, page_size: int = PAGE_SIZE) -> None:
        self._client = client
        self._page_size = page_size

    @property
    def region(self) -> str:
        """The region the client sends requests to."""
        return self._client.meta.region_name

    def _iter_volumes(self, filters: Sequence[FilterTypeDef], action: str) -> Iterator[Volume]:
        paginator = self._client.get_paginator("describe_volumes")
        pages = paginator.paginate(
            Filters=list(filters), PaginationConfig={"PageSize": self._page_size}
        )
        try:
            for page in pages:
                for item in page.get("Volumes", []):
                    yield _volume(item)
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, action) from error

    def iter_available(self) -> Iterator[Volume]:
        """Every `available` (unattached) volume, one page at a time."""
        return self._iter_volumes(
            [{"Name": "status", "Values": ["available"]}], "DescribeVolumes status=available"
        )

    def iter_marked_not_available(self, mark_tag_key: str) -> Iterator[Volume]:
        """Volumes in use that still carry the mark tag from an earlier idle period."""
        return self._iter_volumes(
            [
                {"Name": "status", "Values": ["in-use"]},
                {"Name": "tag-key", "Values": [mark_tag_key]},
            ],
            f"DescribeVolumes status=in-use tag-key={mark_tag_key}",
        )

    def describe(self, volume_id: str) -> Volume:
        """The volume as EC2 sees it now (one DescribeVolumes request by id)."""
        try:
            response = self._client.describe_volumes(VolumeIds=[volume_id])
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"DescribeVolumes {volume_id}") from error
        volumes = response.get("Volumes", [])
        if not volumes:
            raise VolumeNotFoundError(f"DescribeVolumes {volume_id}: not found")
        return _volume(volumes[0])

    def add_tags(self, volume_id: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite `tags` on the volume (CreateTags), leaving its other tags alone."""
        tag_list: list[TagTypeDef] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        try:
            self._client.create_tags(Resources=[volume_id], Tags=tag_list)
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"CreateTags {volume_id}") from error

    def remove_tags(self, volume_id: str, keys: Sequence[str]) -> None:
        """Remove tag keys from the volume, whatever their values (one DeleteTags request)."""
        try:
            self._client.delete_tags(Resources=[volume_id], Tags=[{"Key": key} for key in keys])
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"DeleteTags {volume_id} {', '.join(keys)}") from error

    def create_snapshot(self, volume_id: str, description: str, tags: Mapping[str, str]) -> str:
        """Start a snapshot tagged on creation (one request, so it is never untagged)."""
        tag_list: list[TagTypeDef] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        try:
            response = self._client.create_snapshot(
                VolumeId=volume_id,
                Description=description,
                TagSpecifications=[{"ResourceType": "snapshot", "Tags": tag_list}],
            )
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"CreateSnapshot {volume_id}") from error
        return response["SnapshotId"]

    def snapshot_state(self, snapshot_id: str) -> str:
        """The snapshot's state: `pending`, `completed`, `error`, … (DescribeSnapshots)."""
        try:
            response = self._client.describe_snapshots(SnapshotIds=[snapshot_id])
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"DescribeSnapshots {snapshot_id}") from error
        snapshots = response.get("Snapshots", [])
        if not snapshots:
            raise SnapshotNotFoundError(f"DescribeSnapshots {snapshot_id}: not found")
        return snapshots[0].get("State", "unknown")

    def delete_volume(self, volume_id: str) -> None:
        """Delete the volume; VolumeAttachedError when EC2 says it is attached or changing."""
        try:
            self._client.delete_volume(VolumeId=volume_id)
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"DeleteVolume {volume_id}") from error

    def iter_failed_snapshots(self, origin_tag_key: str) -> Iterator[tuple[str, str]]:
        """(snapshot id, origin volume id) of this account's reaper snapshots in state error."""
        paginator = self._client.get_paginator("describe_snapshots")
        pages = paginator.paginate(
            OwnerIds=["self"],
            Filters=[
                {"Name": "status", "Values": ["error"]},
                {"Name": "tag-key", "Values": [origin_tag_key]},
            ],
            PaginationConfig={"PageSize": 1000},
        )
        try:
            for page in pages:
                for item in page.get("Snapshots", []):
                    tags = {tag["Key"]: tag["Value"] for tag in item.get("Tags", [])}
                    yield item["SnapshotId"], tags.get(origin_tag_key, item.get("VolumeId", ""))
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, "DescribeSnapshots status=error") from error
