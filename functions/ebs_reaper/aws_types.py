"""What the reaper knows about EBS volumes and AWS failures, without importing boto3.

The core receives and raises these types, so it stays pure and testable with in-memory fakes;
only the adapters (`ec2_adapter`, `sts_adapter`) turn responses and `ClientError`s into them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Final

__all__ = [
    "SNAPSHOT_SAFE_STATES",
    "Ec2Error",
    "IdentityError",
    "SnapshotNotFoundError",
    "Volume",
    "VolumeAttachedError",
    "VolumeNotFoundError",
]

SNAPSHOT_SAFE_STATES: Final = frozenset({"pending", "completed"})
"""Snapshot states after which the volume may go (see `functions.ebs_reaper.core`)."""


@dataclass(frozen=True, slots=True)
class Volume:
    """One EBS volume as DescribeVolumes reports it: enough to decide and to re-check."""

    volume_id: str
    state: str
    size_gib: int
    tags: Mapping[str, str]
    attachment_count: int = 0
    availability_zone: str = ""
    volume_type: str = ""
    create_time: datetime | None = None
    """DescribeVolumes' `CreateTime`, "the time stamp when volume creation was initiated"
    (timezone-aware); a mark older than it was copied from elsewhere and is not its clock."""

    def __post_init__(self) -> None:
        # A read-only copy, so a volume seen at listing time cannot change under the core.
        object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))

    def fingerprint(self) -> tuple[object, ...]:
        """What must be equal between listing and deletion for the volume to count as unchanged.

        State, size, attachments and the whole tag set: a person adding the opt-out tag, a
        resize, or an attachment in between all make the re-check refuse the deletion.
        """
        return (
            self.state,
            self.size_gib,
            self.attachment_count,
            tuple(sorted(self.tags.items())),
        )


class Ec2Error(RuntimeError):
    """An EC2 request failed; `code` is EC2's error code when EC2 answered."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class VolumeNotFoundError(Ec2Error):
    """The volume no longer exists (someone else deleted it in between)."""


class VolumeAttachedError(Ec2Error):
    """EC2 refused the deletion because the volume is attached or changing state.

    `VolumeInUse` and `IncorrectState` both mean the volume is no longer the idle volume the
    reaper looked at: it was attached (or is being attached) between the re-check and the
    delete. That is the race the re-check cannot close, so it is a skip, not an error.
    """


class SnapshotNotFoundError(Ec2Error):
    """The snapshot is not visible (yet): EC2's read-after-create is eventually consistent."""


class IdentityError(RuntimeError):
    """STS could not say which account the function runs in; the reaper then does nothing."""
