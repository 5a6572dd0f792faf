"""The reaper's decisions on an in-memory EC2: the safety matrix, one behaviour per test."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from functions.ebs_reaper.aws_types import Ec2Error, VolumeAttachedError, VolumeNotFoundError
from functions.ebs_reaper.config import ReaperConfig
from functions.ebs_reaper.core import (
    EXPIRES_TAG,
    KUBERNETES_TAG_KEYS,
    ORIGIN_VOLUME_TAG,
    REASON_TAG,
    SnapshotWait,
    WrongAccountError,
    grace_elapsed,
    reap,
)
from functions.ebs_reaper.event import Mode, ReapRequest
from functions.ebs_reaper.report import ReaperReport, SkipReason
from tests.functions.ebs_reaper.fakes import (
    KEEP,
    MARK,
    SEEN,
    TODAY,
    FakeEc2,
    FakeIdentity,
    make_config,
    volume,
)

DUE = TODAY - timedelta(days=45)
"""A mark well past the default 30-day grace."""
RUN_TIME = time(2, 0)
"""Runs happen at 02:00 UTC in these tests."""
REAP = ReapRequest(mode=Mode.REAP)
OBSERVE = ReapRequest(mode=Mode.OBSERVE)


def stamp(day: date) -> str:
    """The tag value a run at RUN_TIME on `day` writes."""
    return f"{day.isoformat()}T02:00:00Z"


def run(
    ec2: FakeEc2,
    config: ReaperConfig | None = None,
    *,
    today: date = TODAY,
    request: ReapRequest | None = None,
    identity: FakeIdentity | None = None,
) -> ReaperReport:
    return reap(
        request or REAP,
        config=config or make_config(),
        ec2=ec2,
        identity=identity or FakeIdentity(),
        now=datetime.combine(today, RUN_TIME, tzinfo=UTC),
        sleep=lambda _: None,
        wait=SnapshotWait(attempts=3, interval_seconds=0),
    )


def skip_reasons(report: ReaperReport) -> dict[str, SkipReason]:
    return {s.volume_id: s.reason for s in report.skipped}


# ---- grace clock ----


def test_first_sight_marks_with_todays_date_and_deletes_nothing() -> None:
    """An unmarked idle volume gets `unattached-since=<now>` (and a sighting) and is left in
    place."""
    ec2 = FakeEc2([volume("vol-new")])
    report = run(ec2)
    assert ec2.volumes["vol-new"].tags[MARK] == "2026-03-01T02:00:00Z"
    assert ec2.volumes["vol-new"].tags[SEEN] == "2026-03-01T02:00:00Z"
    assert [m.volume_id for m in report.marked] == ["vol-new"]
    assert ec2.destructive_calls() == []


def test_volume_within_grace_is_kept() -> None:
    """A volume marked 10 days ago (grace 30) is skipped as within grace."""
    ec2 = FakeEc2([volume("vol-young", marked=TODAY - timedelta(days=10))])
    report = run(ec2)
    assert skip_reasons(report) == {"vol-young": SkipReason.WITHIN_GRACE}
    assert "vol-young" in ec2.volumes


def test_volume_one_day_before_the_boundary_is_kept() -> None:
    """Marked 29 days ago with a 30-day grace: not yet due."""
    ec2 = FakeEc2([volume("vol-29", marked=TODAY - timedelta(days=29))])
    run(ec2)
    assert "vol-29" in ec2.volumes


def test_volume_exactly_at_the_boundary_is_deleted() -> None:
    """Marked exactly GRACE_DAYS ago: due today, snapshotted and deleted."""
    ec2 = FakeEc2([volume("vol-30", marked=TODAY - timedelta(days=30))])
    report = run(ec2)
    assert "vol-30" not in ec2.volumes
    assert [r.volume_id for r in report.deleted] == ["vol-30"]


def test_daily_observation_and_monthly_deletion_never_cut_february_short() -> None:
    """Observed daily from 1 February and reaped on the 1st: the 1 March deletion run (28 days)
    keeps the volume, the 1 April one (59 days) deletes it. The schedule only lengthens grace."""
    ec2 = FakeEc2([volume("vol-feb")])
    day = date(2026, 2, 1)
    while day <= date(2026, 4, 1):
        run(ec2, today=day, request=OBSERVE)
        if day.day == 1:
            run(ec2, today=day, request=REAP)
        if day == date(2026, 3, 1):
            assert "vol-feb" in ec2.volumes
        day += timedelta(days=1)
    assert "vol-feb" not in ec2.volumes


@pytest.mark.parametrize(
    ("marked", "today", "due"),
    [
        (date(2026, 1, 31), date(2026, 3, 1), False),  # 29 days across February
        (date(2026, 1, 30), date(2026, 3, 1), True),  # 30 days
        (date(2026, 3, 2), date(2026, 3, 1), False),  # a mark in the future never counts
    ],
)
def test_grace_is_whole_calendar_days_since_the_mark(marked: date, today: date, due: bool) -> None:
    """`grace_elapsed` compares dates: due from mark + grace on, never before."""
    assert grace_elapsed(marked, today, 30) is due


def test_unreadable_mark_restarts_the_clock() -> None:
    """A mark that is not an ISO date is replaced with now, and the volume is kept."""
    ec2 = FakeEc2([volume("vol-x", tags={MARK: "last spring"})])
    report = run(ec2)
    assert ec2.volumes["vol-x"].tags[MARK] == stamp(TODAY)
    assert "unreadable" in report.marked[0].note
    assert ec2.destructive_calls() == []


def test_attached_volume_loses_its_stale_mark() -> None:
    """A marked volume found in use again has its mark removed, so a later detach starts a
    fresh grace window instead of inheriting the old date."""
    ec2 = FakeEc2([volume("vol-back", marked=DUE, state="in-use", attachments=1)])
    report = run(ec2)
    assert MARK not in ec2.volumes["vol-back"].tags
    assert SEEN not in ec2.volumes["vol-back"].tags
    assert report.unmarked == ["vol-back"]


# ---- continuity and inherited marks ----


def test_observe_run_never_snapshots_or_deletes_a_due_volume() -> None:
    """`observe` refreshes the sighting of a due volume and lists it as due next; nothing else."""
    ec2 = FakeEc2([volume("vol-old", marked=DUE)])
    report = run(ec2, request=OBSERVE)
    assert ec2.destructive_calls() == []
    assert [r.volume_id for r in report.due_next] == ["vol-old"]
    assert ec2.volumes["vol-old"].tags[SEEN] == stamp(TODAY)
    assert report.subject() == (
        "EBS reaper observe: 0 marked, 0 unmarked, 1 due at the next deletion run"
    )


def test_a_gap_in_observation_restarts_the_clock() -> None:
    """Last seen unattached 5 days ago (gap allowed: 2): nobody can say it stayed unattached,
    so its 45-day-old mark is replaced with now and nothing is deleted."""
    ec2 = FakeEc2([volume("vol-gap", marked=DUE, seen=TODAY - timedelta(days=5))])
    report = run(ec2)
    assert ec2.destructive_calls() == []
    assert ec2.volumes["vol-gap"].tags[MARK] == stamp(TODAY)
    assert "not observed for 5 days" in report.marked[0].note


def test_legacy_mark_without_a_sighting_restarts_the_clock() -> None:
    """A date-only mark from a reaper that kept no sightings proves no continuity."""
    ec2 = FakeEc2([volume("vol-old", tags={MARK: DUE.isoformat()})])
    run(ec2)
    assert ec2.destructive_calls() == []
    assert ec2.volumes["vol-old"].tags[MARK] == stamp(TODAY)


def test_stale_mark_from_before_an_attachment_is_never_used() -> None:
    """Marked, then attached (the daily pass removes the mark), then detached weeks later:
    the volume starts a fresh grace window and survives the next deletion run."""
    ec2 = FakeEc2([volume("vol-x")])
    run(ec2, today=date(2026, 1, 1), request=OBSERVE)
    ec2.volumes["vol-x"] = replace(ec2.volumes["vol-x"], state="in-use", attachment_count=1)
    run(ec2, today=date(2026, 1, 2), request=OBSERVE)
    ec2.volumes["vol-x"] = replace(ec2.volumes["vol-x"], state="available", attachment_count=0)
    for offset in range(3, 32):
        run(ec2, today=date(2026, 1, offset), request=OBSERVE)
    run(ec2, today=date(2026, 2, 1), request=OBSERVE)
    report = run(ec2, today=date(2026, 2, 1))
    assert "vol-x" in ec2.volumes
    assert skip_reasons(report) == {"vol-x": SkipReason.WITHIN_GRACE}


@pytest.mark.parametrize("key", [MARK, SEEN])
def test_tag_older_than_the_volume_is_not_its_clock(key: str) -> None:
    """A volume created yesterday with a copied 45-day-old mark (or sighting) is re-marked
    now and kept: a tag older than CreateTime belongs to another volume."""
    created = datetime.combine(TODAY - timedelta(days=1), time(12, 0), tzinfo=UTC)
    tags = {MARK: stamp(TODAY - timedelta(days=1)), SEEN: stamp(TODAY - timedelta(days=1))}
    tags[key] = DUE.isoformat() if key == MARK else stamp(DUE)
    ec2 = FakeEc2([volume("vol-copy", tags=tags, created=created)])
    report = run(ec2)
    assert ec2.destructive_calls() == []
    assert ec2.volumes["vol-copy"].tags[MARK] == stamp(TODAY)
    assert "older than the volume" in report.marked[0].note


def test_mark_written_after_creation_on_the_same_day_is_kept() -> None:
    """A mark stamped after CreateTime on the creation day is the volume's own clock."""
    created = datetime.combine(DUE, time(1, 0), tzinfo=UTC)
    ec2 = FakeEc2([volume("vol-own", tags={MARK: stamp(DUE), SEEN: stamp(TODAY)}, created=created)])
    run(ec2)
    assert "vol-own" not in ec2.volumes


# ---- what is never deleted ----


def test_attached_volume_is_never_deleted() -> None:
    """A listed volume that has an attachment (whatever the listing said) is skipped."""
    ec2 = FakeEc2([volume("vol-att", marked=DUE, attachments=1)])
    report = run(ec2)
    assert skip_reasons(report) == {"vol-att": SkipReason.NOT_AVAILABLE}
    assert ec2.destructive_calls() == []


def test_opted_out_volume_is_neither_marked_nor_deleted() -> None:
    """The opt-out tag protects a volume even long past its grace."""
    ec2 = FakeEc2(
        [volume("vol-keep", marked=DUE, tags={KEEP: "yes"}), volume("vol-keep2", tags={KEEP: ""})]
    )
    report = run(ec2)
    assert set(skip_reasons(report).values()) == {SkipReason.OPTED_OUT}
    assert MARK not in ec2.volumes["vol-keep2"].tags
    assert ec2.destructive_calls() == []


@pytest.mark.parametrize("value", ["false", "False", "no", ""])
def test_opt_out_tag_protects_whatever_its_value(value: str) -> None:
    """`reaper:keep=false` keeps the volume too: the IAM policy denies on the key's presence,
    and the code means the same thing."""
    ec2 = FakeEc2([volume("vol-f", marked=DUE, tags={KEEP: value})])
    report = run(ec2)
    assert "vol-f" in ec2.volumes
    assert skip_reasons(report) == {"vol-f": SkipReason.OPTED_OUT}


@pytest.mark.parametrize(
    "tag", [*sorted(KUBERNETES_TAG_KEYS), "kubernetes.io/cluster/genomics-prod"]
)
def test_kubernetes_volume_is_skipped(tag: str) -> None:
    """A volume with any Kubernetes ownership tag is skipped, never marked or deleted."""
    ec2 = FakeEc2([volume("vol-pvc", marked=DUE, tags={tag: "owned"})])
    report = run(ec2)
    assert skip_reasons(report) == {"vol-pvc": SkipReason.KUBERNETES}
    assert ec2.destructive_calls() == []


def test_kubernetes_volume_is_reaped_when_included() -> None:
    """INCLUDE_KUBERNETES_VOLUMES=true treats PV volumes like any other."""
    ec2 = FakeEc2([volume("vol-pvc", marked=DUE, tags={"ebs.csi.aws.com/cluster": "true"})])
    run(ec2, make_config(INCLUDE_KUBERNETES_VOLUMES="true"))
    assert "vol-pvc" not in ec2.volumes


@pytest.mark.parametrize(
    ("account", "region"), [("999999999999", "ap-south-1"), ("123456789012", "ap-south-2")]
)
def test_wrong_account_or_region_is_refused_before_any_call(account: str, region: str) -> None:
    """Another account or region raises WrongAccountError and touches nothing at all."""
    ec2 = FakeEc2([volume("vol-new"), volume("vol-old", marked=DUE)], region=region)
    with pytest.raises(WrongAccountError, match="refusing"):
        run(ec2, identity=FakeIdentity(account))
    assert ec2.calls == []
    assert MARK not in ec2.volumes["vol-new"].tags


# ---- dry run ----


def test_dry_run_marks_but_never_snapshots_or_deletes() -> None:
    """DRY_RUN=true writes the mark (the grace clock) and reports due volumes as would-delete."""
    ec2 = FakeEc2([volume("vol-new"), volume("vol-old", marked=DUE)])
    report = run(ec2, make_config(DRY_RUN="true"))
    assert ec2.destructive_calls() == []
    assert set(ec2.volumes) == {"vol-new", "vol-old"}
    assert ec2.volumes["vol-new"].tags[MARK] == stamp(TODAY)
    assert [r.volume_id for r in report.would_delete] == ["vol-old"]
    assert report.subject().startswith("EBS reaper (dry run): 1 would be deleted")


def test_event_can_force_a_dry_run() -> None:
    """`{"dryRun": true}` makes a deleting configuration report only."""
    ec2 = FakeEc2([volume("vol-old", marked=DUE)])
    run(ec2, request=ReapRequest(mode=Mode.REAP, force_dry_run=True))
    assert ec2.destructive_calls() == []


# ---- deletion ----


def test_deletion_cap_takes_the_oldest_marks_first() -> None:
    """With 4 due volumes and a cap of 2, the two oldest marks go and the rest wait."""
    ec2 = FakeEc2([volume(f"vol-{n}", marked=DUE - timedelta(days=n)) for n in range(4)])
    report = run(ec2, make_config(MAX_DELETIONS_PER_RUN="2"))
    assert sorted(r.volume_id for r in report.deleted) == ["vol-2", "vol-3"]
    assert dict(skip_reasons(report).items()) == {
        "vol-0": SkipReason.DELETION_CAP,
        "vol-1": SkipReason.DELETION_CAP,
    }


def test_deletion_cap_of_zero_deletes_nothing() -> None:
    """MAX_DELETIONS_PER_RUN=0 is a valid 'report only' cap."""
    ec2 = FakeEc2([volume("vol-old", marked=DUE)])
    run(ec2, make_config(MAX_DELETIONS_PER_RUN="0"))
    assert ec2.destructive_calls() == []


def test_snapshot_is_taken_before_the_delete_with_its_tags() -> None:
    """The snapshot carries origin volume, expiry, reason and the volume's cost tags (not
    managed-by), and is created before the volume is deleted."""
    tags = {"project": "tb-genomics", "cost-center": "cc-1", "managed-by": "pulumi", "Name": "x"}
    ec2 = FakeEc2([volume("vol-old", marked=DUE, tags=tags)])
    report = run(ec2, make_config(SNAPSHOT_RETENTION_DAYS="90"))
    assert [c[0] for c in ec2.destructive_calls()] == ["create_snapshot", "delete_volume"]
    [snapshot] = ec2.snapshots.values()
    assert snapshot.tags[ORIGIN_VOLUME_TAG] == "vol-old"
    assert snapshot.tags[EXPIRES_TAG] == "2026-05-30"
    assert "unattached since" in snapshot.tags[REASON_TAG]
    assert (snapshot.tags["project"], snapshot.tags["cost-center"]) == ("tb-genomics", "cc-1")
    assert "managed-by" not in snapshot.tags
    assert report.snapshotted[0].volume_id == "vol-old"


def test_no_snapshot_when_disabled() -> None:
    """SNAPSHOT_BEFORE_DELETE=false deletes without a snapshot."""
    ec2 = FakeEc2([volume("vol-old", marked=DUE)])
    run(ec2, make_config(SNAPSHOT_BEFORE_DELETE="false"))
    assert ec2.snapshots == {}
    assert "vol-old" not in ec2.volumes


def test_volume_is_kept_when_its_snapshot_fails() -> None:
    """A snapshot in state `error` stops the deletion and is reported as an error."""
    ec2 = FakeEc2([volume("vol-old", marked=DUE)])
    ec2.snapshot_states = ["error"]
    report = run(ec2)
    assert "vol-old" in ec2.volumes
    assert report.errors
    assert "state error" in report.errors[0]


def test_snapshot_not_yet_visible_is_waited_for() -> None:
    """DescribeSnapshots not finding a fresh snapshot twice, then `pending`, is safe."""
    ec2 = FakeEc2([volume("vol-old", marked=DUE)])
    ec2.snapshot_states = ["missing", "missing", "pending"]
    run(ec2)
    assert "vol-old" not in ec2.volumes


def test_snapshot_never_visible_keeps_the_volume() -> None:
    """A snapshot that never shows up within the wait keeps the volume."""
    ec2 = FakeEc2([volume("vol-old", marked=DUE)])
    ec2.snapshot_states = ["missing"]
    report = run(ec2)
    assert "vol-old" in ec2.volumes
    assert skip_reasons(report) == {"vol-old": SkipReason.SNAPSHOT_NOT_SAFE}


# ---- races and failures ----


@pytest.mark.parametrize("code", ["VolumeInUse", "IncorrectState"])
def test_attach_race_is_a_skip_and_the_run_goes_on(code: str) -> None:
    """EC2 refusing the delete because the volume was attached meanwhile is reported as
    'attached meanwhile'; the next volume is still deleted and the report is complete."""
    ec2 = FakeEc2([volume("vol-a", marked=DUE), volume("vol-b", marked=DUE)])
    ec2.delete_failures["vol-a"] = VolumeAttachedError("attached", code=code)
    report = run(ec2)
    assert skip_reasons(report) == {"vol-a": SkipReason.ATTACHED_MEANWHILE}
    assert [r.volume_id for r in report.deleted] == ["vol-b"]
    assert report.errors == []


def test_opt_out_added_after_listing_stops_the_deletion() -> None:
    """The re-check by id sees a tag added since the listing and keeps the volume."""
    ec2 = FakeEc2([volume("vol-old", marked=DUE)])

    def opt_out(fake: FakeEc2) -> None:
        fake.add_tags("vol-old", {KEEP: "true"})

    ec2.after_listing = opt_out
    report = run(ec2)
    assert skip_reasons(report) == {"vol-old": SkipReason.CHANGED_MEANWHILE}
    assert ec2.destructive_calls() == []


def test_volume_attached_after_listing_is_skipped_on_recheck() -> None:
    """The re-check sees the volume in use and neither snapshots nor deletes it."""
    ec2 = FakeEc2([volume("vol-old", marked=DUE)])

    def attach(fake: FakeEc2) -> None:
        fake.volumes["vol-old"] = replace(
            fake.volumes["vol-old"], state="in-use", attachment_count=1
        )

    ec2.after_listing = attach
    report = run(ec2)
    assert skip_reasons(report) == {"vol-old": SkipReason.ATTACHED_MEANWHILE}
    assert ec2.destructive_calls() == []


def test_volume_deleted_by_someone_else_is_skipped() -> None:
    """A volume gone by the re-check is 'gone meanwhile', not an error."""
    ec2 = FakeEc2([volume("vol-old", marked=DUE)])

    def delete_elsewhere(fake: FakeEc2) -> None:
        del fake.volumes["vol-old"]

    ec2.after_listing = delete_elsewhere
    report = run(ec2)
    assert skip_reasons(report) == {"vol-old": SkipReason.GONE_MEANWHILE}
    assert report.errors == []


def test_delete_error_is_reported_and_does_not_stop_the_run() -> None:
    """An unexpected EC2 error on one volume is an error line; the next volume is deleted."""
    ec2 = FakeEc2([volume("vol-a", marked=DUE), volume("vol-b", marked=DUE)])
    ec2.delete_failures["vol-a"] = Ec2Error("boom", code="InternalError")
    report = run(ec2)
    assert len(report.errors) == 1
    assert "vol-a" in report.errors[0]
    assert [r.volume_id for r in report.deleted] == ["vol-b"]


def test_listing_failure_keeps_the_report_of_what_was_seen() -> None:
    """Listing failing part-way is reported; volumes seen before were still handled."""
    ec2 = FakeEc2([volume("vol-a"), volume("vol-b"), volume("vol-c")])
    ec2.listing_fails_after = 2
    report = run(ec2)
    assert report.listing_complete is False
    assert [m.volume_id for m in report.marked] == ["vol-a", "vol-b"]
    assert "FAILED part-way" in report.message()


def test_failed_reaper_snapshots_are_reported() -> None:
    """A reaper snapshot that ended in `error` is reported every run."""
    ec2 = FakeEc2([])
    ec2.failed_snapshots = [("snap-1", "vol-gone")]
    report = run(ec2)
    assert "snap-1" in report.errors[0]
    assert "vol-gone" in report.errors[0]


def test_volume_not_found_while_snapshotting_is_a_skip() -> None:
    """CreateSnapshot answering not-found means someone deleted it: skipped, not an error."""

    class Vanishing(FakeEc2):
        def create_snapshot(self, volume_id: str, description: str, tags: object) -> str:
            raise VolumeNotFoundError("gone", code="InvalidVolume.NotFound")

    ec2 = Vanishing([volume("vol-old", marked=DUE)])
    report = run(ec2)
    assert skip_reasons(report) == {"vol-old": SkipReason.GONE_MEANWHILE}
