"""An in-memory EC2 with volumes and snapshots for the reaper's core tests.

It behaves like EC2 for what the core uses (tags merge, deletes remove, snapshots get ids) and
records every call, so tests assert on outcomes and on what was (never) called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Final

from functions.ebs_reaper.aws_types import (
    Ec2Error,
    SnapshotNotFoundError,
    Volume,
    VolumeNotFoundError,
)
from functions.ebs_reaper.config import ReaperConfig, load_config

REGION: Final = "ap-south-1"
ACCOUNT: Final = "123456789012"
TODAY: Final = date(2026, 3, 1)
MARK: Final = "unattached-since"
SEEN: Final = "unattached-seen"
CREATED: Final = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
"""When the fake's volumes were created, unless a test says otherwise: long before any mark."""
KEEP: Final = "reaper:keep"
DESTRUCTIVE: Final = frozenset({"create_snapshot", "delete_volume"})

BASE_ENV: Final = {
    "DRY_RUN": "false",
    "TOPIC_ARN": f"arn:aws:sns:{REGION}:{ACCOUNT}:ops",
    "EXPECTED_ACCOUNT_ID": ACCOUNT,
    "EXPECTED_REGION": REGION,
}


def make_config(**overrides: str) -> ReaperConfig:
    """A config parsed the real way from the base environment plus `overrides`."""
    return load_config({**BASE_ENV, **overrides})


def volume(
    volume_id: str,
    *,
    marked: date | None = None,
    state: str = "available",
    attachments: int = 0,
    size: int = 8,
    tags: Mapping[str, str] | None = None,
    seen: date | None = None,
    created: datetime = CREATED,
) -> Volume:
    """A volume; `marked` adds the mark and a sighting (`seen`, by default the day before
    TODAY: the daily observation saw it yesterday)."""
    all_tags = dict(tags or {})
    if marked is not None:
        all_tags[MARK] = marked.isoformat()
        all_tags[SEEN] = (seen or TODAY - timedelta(days=1)).isoformat()
    return Volume(volume_id, state, size, all_tags, attachments, create_time=created)


@dataclass
class SnapshotRecord:
    volume_id: str
    description: str
    tags: dict[str, str]


class FakeEc2:
    """Volumes by id; `calls` lists (operation, id) in order."""

    def __init__(self, volumes: list[Volume], *, region: str = REGION) -> None:
        self.region = region
        self.volumes = {v.volume_id: v for v in volumes}
        self.calls: list[tuple[str, str]] = []
        self.snapshots: dict[str, SnapshotRecord] = {}
        self.snapshot_states: list[str] = ["pending"]
        """States answered by successive snapshot_state calls; the last one repeats. `missing`
        answers SnapshotNotFoundError."""
        self.delete_failures: dict[str, Ec2Error] = {}
        self.listing_fails_after: int | None = None
        self.after_listing: Callable[[FakeEc2], None] | None = None
        self.failed_snapshots: list[tuple[str, str]] = []

    def iter_available(self) -> Iterator[Volume]:
        for index, vid in enumerate(sorted(self.volumes)):
            if self.listing_fails_after is not None and index >= self.listing_fails_after:
                raise Ec2Error("DescribeVolumes failed: throttled", code="RequestLimitExceeded")
            if self.volumes[vid].state == "available":
                yield self.volumes[vid]
        if self.after_listing is not None:
            self.after_listing(self)

    def iter_marked_not_available(self, mark_tag_key: str) -> Iterator[Volume]:
        for vid in sorted(self.volumes):
            v = self.volumes[vid]
            if v.state != "available" and mark_tag_key in v.tags:
                yield v

    def describe(self, volume_id: str) -> Volume:
        self.calls.append(("describe", volume_id))
        if volume_id not in self.volumes:
            raise VolumeNotFoundError(f"{volume_id} not found", code="InvalidVolume.NotFound")
        return self.volumes[volume_id]

    def add_tags(self, volume_id: str, tags: Mapping[str, str]) -> None:
        self.calls.append(("add_tags", volume_id))
        v = self.volumes[volume_id]
        self.volumes[volume_id] = replace(v, tags={**v.tags, **tags})

    def remove_tags(self, volume_id: str, keys: Sequence[str]) -> None:
        self.calls.append(("remove_tags", volume_id))
        v = self.volumes[volume_id]
        self.volumes[volume_id] = replace(
            v, tags={k: x for k, x in v.tags.items() if k not in keys}
        )

    def create_snapshot(self, volume_id: str, description: str, tags: Mapping[str, str]) -> str:
        self.calls.append(("create_snapshot", volume_id))
        snapshot_id = f"snap-{len(self.snapshots) + 1:017x}"
        self.snapshots[snapshot_id] = SnapshotRecord(volume_id, description, dict(tags))
        return snapshot_id

    def snapshot_state(self, snapshot_id: str) -> str:
        self.calls.append(("snapshot_state", snapshot_id))
        state = (
            self.snapshot_states.pop(0)
            if len(self.snapshot_states) > 1
            else self.snapshot_states[0]
        )
        if state == "missing":
            raise SnapshotNotFoundError(f"{snapshot_id} not found", code="InvalidSnapshot.NotFound")
        return state

    def delete_volume(self, volume_id: str) -> None:
        self.calls.append(("delete_volume", volume_id))
        if volume_id in self.delete_failures:
            raise self.delete_failures[volume_id]
        del self.volumes[volume_id]

    def iter_failed_snapshots(self, origin_tag_key: str) -> Iterator[tuple[str, str]]:
        yield from self.failed_snapshots

    def destructive_calls(self) -> list[tuple[str, str]]:
        return [call for call in self.calls if call[0] in DESTRUCTIVE]


class FakeIdentity:
    def __init__(self, account: str = ACCOUNT) -> None:
        self.account = account

    def account_id(self) -> str:
        return self.account
