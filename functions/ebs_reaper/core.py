"""Find idle EBS volumes, mark them, and after the grace window snapshot and delete them.

The safety rules, in the order a volume meets them:

1. The run refuses to start unless STS says it is in the expected account and the EC2 client
   is in the expected region (`WrongAccountError`): a copy of the function deployed elsewhere
   never touches that account's volumes.
2. Only volumes DescribeVolumes lists as `available` (no attachment) are considered.
3. A volume carrying the opt-out tag is skipped whatever the tag's value (`false` included):
   the IAM policy denies DeleteVolume and CreateSnapshot whenever the key exists, and the code
   means the same thing. A volume a Kubernetes PersistentVolume owns (`KUBERNETES_TAG_KEYS`,
   `kubernetes.io/cluster/*`) is skipped too unless INCLUDE_KUBERNETES_VOLUMES is set:
   deleting a PV's volume behind the cluster's back breaks the claim, and the cluster's
   reclaim policy is the owner of that decision.
4. The grace clock is two tags, both UTC timestamps (`2026-03-01T02:00:00Z`): the mark
   (`<MARK_TAG_KEY>`, when the volume was first seen unattached) and the last sighting
   (`<SEEN_TAG_KEY>`, refreshed by every run that sees it still unattached). A volume is
   (re)marked now, and nothing else happens, when any of these holds:
   - it has no mark, or the mark is unreadable;
   - the mark or the sighting is older than the volume's `CreateTime`: the tags were copied
     onto a new volume (a restore with copied tags, a volume created from a snapshot with the
     source's tags), so they are some other volume's clock;
   - the last sighting is more than MAX_OBSERVATION_GAP_DAYS before today: nobody looked in
     between, so the volume may have been attached and used meanwhile. Continuity is proven
     by observation, not assumed. (A mark without a sighting, written by an older reaper,
     counts as sighted on the mark's day.)
5. Observation runs daily (`{"mode": "observe"}`), deletion monthly (`{"mode": "reap"}`), so
   a volume attached for any whole day between two deletion runs is seen attached and loses
   its mark (rule 6), and a missed observation restarts the clock instead of stretching it.
   Grace is counted in whole UTC calendar days since the mark's date (`grace_elapsed`): due on
   `mark + GRACE_DAYS` or later. The schedule can only make the wait longer, never shorter.
6. A volume that is attached again loses its mark and its sighting (`unmarked`), so a later
   detach starts a new grace window instead of inheriting the old one.
7. Only a `reap` run deletes. Due volumes are handled oldest mark first, at most
   MAX_DELETIONS_PER_RUN per run. Each is re-read by id right before acting (DescribeVolumes):
   if it is no longer `available`, or its size, attachments or any tag changed since listing
   (someone added the opt-out tag), it is skipped.
8. Unless SNAPSHOT_BEFORE_DELETE is false, a snapshot is taken (tags: `origin-volume-id`,
   `expires-on`, `reason`, and the volume's taxonomy tags so its cost stays attributed) and
   the volume is deleted only once DescribeSnapshots shows the snapshot `pending` or
   `completed`. What that relies on, from the Amazon EBS User Guide: "The snapshot is created
   immediately, but it remains in the pending state until all of data has been transferred to
   Amazon S3 ... The snapshot includes only the data that was written to the volume at the
   time the snapshot was requested" (Create Amazon EBS snapshots), and "Deleting a volume has
   no effect on the snapshots made from it" (Delete an Amazon EBS snapshot). So once the
   snapshot is visible as pending, its content is fixed and deleting the volume cannot change
   it. Waiting for `completed` is not an option: it can take hours, far beyond a Lambda
   invocation. The residual risk, a pending snapshot that later ends in `error`, is reported
   by every following run (`failed snapshots`) so a person can act while the data may still
   be recoverable from other backups.
9. The attach race (attached between re-check and delete) comes back from EC2 as
   `VolumeInUse` or `IncorrectState`; it is recorded as "attached meanwhile" and the run goes
   on. No per-volume failure ever stops the run or loses the report.

Dry run: marks, sightings (and their removals) are written, snapshots and deletions are not.
The mark is the grace clock: without it a dry run could never tell a volume idle for a day
from one idle for a year, and the first real run after weeks of dry runs would have to wait a
full grace window again. A tag on an already idle volume changes no data, costs nothing, and
is exactly what a real run would write. The report lists what would have been deleted, within
the cap.

Pure orchestration: EC2 and STS come in as Protocols, so tests pass in-memory fakes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Final, Protocol

from contracts.taxonomy import RESOURCE_REQUIRED_KEYS, TagKey
from functions.ebs_reaper.aws_types import (
    SNAPSHOT_SAFE_STATES,
    Ec2Error,
    SnapshotNotFoundError,
    Volume,
    VolumeAttachedError,
    VolumeNotFoundError,
)
from functions.ebs_reaper.config import ReaperConfig
from functions.ebs_reaper.event import Mode, ReapRequest
from functions.ebs_reaper.report import (
    Marked,
    ReaperReport,
    Retired,
    Skipped,
    SkipReason,
    Snapshotted,
)

__all__ = [
    "EXPIRES_TAG",
    "KUBERNETES_TAG_KEYS",
    "KUBERNETES_TAG_PREFIXES",
    "ORIGIN_VOLUME_TAG",
    "REASON_TAG",
    "CallerIdentity",
    "Ec2Volumes",
    "SnapshotWait",
    "WrongAccountError",
    "format_stamp",
    "grace_elapsed",
    "kubernetes_owner_tag",
    "opted_out",
    "parse_stamp",
    "reap",
]

ORIGIN_VOLUME_TAG: Final = "origin-volume-id"
EXPIRES_TAG: Final = "expires-on"
REASON_TAG: Final = "reason"
CREATED_BY_TAG: Final = "created-by"
CREATED_BY_VALUE: Final = "ebs-reaper"

KUBERNETES_TAG_KEYS: Final = frozenset(
    {
        "kubernetes.io/created-for/pvc/name",
        "kubernetes.io/created-for/pvc/namespace",
        "kubernetes.io/created-for/pv/name",
        "ebs.csi.aws.com/cluster",
        "CSIVolumeName",
        "KubernetesCluster",
    }
)
"""Tags the EBS CSI driver and the in-tree provisioner put on volumes they create for a PV."""
KUBERNETES_TAG_PREFIXES: Final = ("kubernetes.io/cluster/",)
"""Tag-key prefixes of cluster ownership (`kubernetes.io/cluster/<name>=owned`)."""

COPIED_TAXONOMY_KEYS: Final = tuple(
    key for key in RESOURCE_REQUIRED_KEYS if key != TagKey.MANAGED_BY
)
"""Volume tags the snapshot inherits so its cost lands on the same project and cost center.
`managed-by` is not copied: the snapshot is the reaper's, not the Pulumi program's."""

_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_STAMP: Final = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_STAMP_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"


class Ec2Volumes(Protocol):
    """The EC2 operations the reaper uses (`functions.ebs_reaper.ec2_adapter.Ec2Adapter`)."""

    @property
    def region(self) -> str: ...

    def iter_available(self) -> Iterator[Volume]: ...

    def iter_marked_not_available(self, mark_tag_key: str) -> Iterator[Volume]: ...

    def describe(self, volume_id: str) -> Volume: ...

    def add_tags(self, volume_id: str, tags: Mapping[str, str]) -> None: ...

    def remove_tags(self, volume_id: str, keys: Sequence[str]) -> None: ...

    def create_snapshot(self, volume_id: str, description: str, tags: Mapping[str, str]) -> str: ...

    def snapshot_state(self, snapshot_id: str) -> str: ...

    def delete_volume(self, volume_id: str) -> None: ...

    def iter_failed_snapshots(self, origin_tag_key: str) -> Iterator[tuple[str, str]]: ...


class CallerIdentity(Protocol):
    """Which account the credentials belong to (`functions.ebs_reaper.sts_adapter`)."""

    def account_id(self) -> str: ...


class WrongAccountError(RuntimeError):
    """The function runs in an account or region it was not configured for; nothing was done."""


@dataclass(frozen=True, slots=True)
class SnapshotWait:
    """How long to wait for a new snapshot to show up as pending or completed.

    DescribeSnapshots is eventually consistent right after CreateSnapshot, so a snapshot id
    may be unknown for a few seconds; the volume is kept unless the snapshot is seen safe.
    """

    attempts: int = 10
    interval_seconds: float = 3.0


def parse_stamp(value: str) -> datetime | None:
    """The UTC instant of a mark or sighting tag, or None when it is not one.

    `YYYY-MM-DDTHH:MM:SSZ` is what this reaper writes; a bare `YYYY-MM-DD` (an older reaper's
    mark) is read as the start of that day, the earliest it can mean, so a comparison with the
    volume's CreateTime errs towards "inherited" and restarts the clock.
    """
    text = value.strip()
    try:
        if _ISO_STAMP.fullmatch(text):
            return datetime.strptime(text, _STAMP_FORMAT).replace(tzinfo=UTC)
        if _ISO_DATE.fullmatch(text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        return None
    return None


def format_stamp(moment: datetime) -> str:
    """The tag value of `moment` (timezone-aware), in UTC to the second."""
    return moment.astimezone(UTC).strftime(_STAMP_FORMAT)


def grace_elapsed(marked_on: date, today: date, grace_days: int) -> bool:
    """Whether at least `grace_days` whole calendar days passed since the mark.

    Dates, not timestamps: the schedule fires at a fixed time of day, so comparing dates makes
    the boundary exact (marked on day D, due from day D + grace) whatever the minute of the run.
    A mark in the future (clock skew, a hand-written tag) is never due.
    """
    return (today - marked_on).days >= grace_days


def kubernetes_owner_tag(tags: Mapping[str, str]) -> str | None:
    """The tag key that shows Kubernetes owns the volume, or None."""
    for key in sorted(tags):
        if key in KUBERNETES_TAG_KEYS or key.startswith(KUBERNETES_TAG_PREFIXES):
            return key
    return None


def opted_out(tags: Mapping[str, str], key: str) -> bool:
    """Whether the volume carries the opt-out tag, whatever its value.

    The IAM policy's `NeverTouchOptedOutVolumes` denies on the key's presence (a `Null`
    condition), so any value, `false` included, must mean "keep" here as well: otherwise the
    code would try what IAM then refuses, or, under a broader role, delete what a person meant
    to keep.
    """
    return key in tags


@dataclass(frozen=True, slots=True)
class _Due:
    volume: Volume
    marked_on: date


@dataclass(slots=True)
class _Run:
    config: ReaperConfig
    ec2: Ec2Volumes
    now: datetime
    today: date
    dry_run: bool
    report: ReaperReport
    sleep: Callable[[float], None]
    wait: SnapshotWait
    due: list[_Due] = field(default_factory=list)
    started: int = 0
    """Volumes whose snapshot-and-delete began (or would have, in a dry run): the cap's count."""

    def skip(self, volume_id: str, reason: SkipReason, detail: str = "") -> None:
        self.report.skipped.append(Skipped(volume_id, reason, detail))

    def error(self, text: str) -> None:
        self.report.errors.append(text)


def reap(
    request: ReapRequest,
    *,
    config: ReaperConfig,
    ec2: Ec2Volumes,
    identity: CallerIdentity,
    now: datetime,
    sleep: Callable[[float], None] = time.sleep,
    wait: SnapshotWait | None = None,
) -> ReaperReport:
    """One reaper run at `now` (timezone-aware); raises WrongAccountError (or IdentityError)
    before touching anything. Only `Mode.REAP` snapshots and deletes."""
    today = now.astimezone(UTC).date()
    account = identity.account_id()
    if account != config.expected_account_id or ec2.region != config.expected_region:
        raise WrongAccountError(
            f"refusing to run in account {account}, region {ec2.region}: this function is "
            f"configured for account {config.expected_account_id}, region "
            f"{config.expected_region} (EXPECTED_ACCOUNT_ID, EXPECTED_REGION)"
        )
    dry_run = config.dry_run or request.force_dry_run
    run = _Run(
        config=config,
        ec2=ec2,
        now=now,
        today=today,
        dry_run=dry_run,
        report=ReaperReport(
            mode=request.mode.value,
            dry_run=dry_run,
            account_id=account,
            region=ec2.region,
            today=today,
            grace_days=config.grace_days,
            max_deletions=config.max_deletions_per_run,
        ),
        sleep=sleep,
        wait=wait or SnapshotWait(),
    )
    _clear_stale_marks(run)
    _survey(run, reap_due=request.mode is Mode.REAP)
    for due in sorted(run.due, key=lambda d: (d.marked_on, d.volume.volume_id)):
        _retire(run, due)
    _report_failed_snapshots(run)
    return run.report


def _clear_stale_marks(run: _Run) -> None:
    """Remove the mark and sighting from volumes attached again, so a later detach restarts
    the clock."""
    key = run.config.mark_tag_key
    keys = [key, run.config.seen_tag_key]
    try:
        for volume in run.ec2.iter_marked_not_available(key):
            if volume.state == "available":
                continue
            try:
                run.ec2.remove_tags(volume.volume_id, [k for k in keys if k in volume.tags])
            except Ec2Error as error:
                run.error(f"{volume.volume_id}: could not remove stale mark: {error}")
                continue
            run.report.unmarked.append(volume.volume_id)
    except Ec2Error as error:
        run.error(f"listing marked volumes that are in use failed: {error}")


def _survey(run: _Run, *, reap_due: bool) -> None:
    """Classify every available volume: skip, (re)mark, refresh and wait, or queue as due
    (`reap_due`) or report as due for the next deletion run."""
    try:
        for volume in run.ec2.iter_available():
            run.report.scanned += 1
            _classify(run, volume, reap_due=reap_due)
    except Ec2Error as error:
        run.report.listing_complete = False
        run.error(f"listing available volumes failed part-way: {error}")


def _clock_restart(run: _Run, volume: Volume) -> tuple[datetime | None, str]:
    """(the mark, "") when the volume's grace clock is its own and unbroken; (None, why)
    when it must restart now (see rule 4 of the module docstring)."""
    config = run.config
    raw_mark = volume.tags.get(config.mark_tag_key)
    if raw_mark is None:
        return None, ""
    mark = parse_stamp(raw_mark)
    if mark is None:
        return None, f"previous mark {raw_mark!r} unreadable, clock restarted"
    raw_seen = volume.tags.get(config.seen_tag_key)
    seen = mark if raw_seen is None else parse_stamp(raw_seen)
    if seen is None:
        return None, f"last sighting {raw_seen!r} unreadable, clock restarted"
    created = volume.create_time
    if created is None:
        return None, "CreateTime unknown, so the mark cannot be proven its own; clock restarted"
    if mark < created or seen < created:
        return None, (
            f"mark {raw_mark} is older than the volume (created {format_stamp(created)}): "
            "copied from another volume, clock restarted"
        )
    gap = (run.today - seen.astimezone(UTC).date()).days
    if gap > config.max_observation_gap_days:
        return None, (
            f"not observed for {gap} days (since {format_stamp(seen)}; at most "
            f"{config.max_observation_gap_days} prove continuity), clock restarted"
        )
    return mark, ""


def _classify(run: _Run, volume: Volume, *, reap_due: bool) -> None:
    config = run.config
    vid = volume.volume_id
    if volume.state != "available" or volume.attachment_count:
        run.skip(vid, SkipReason.NOT_AVAILABLE, f"state {volume.state}")
        return
    if opted_out(volume.tags, config.opt_out_tag_key):
        value = volume.tags[config.opt_out_tag_key]
        run.skip(vid, SkipReason.OPTED_OUT, f"{config.opt_out_tag_key}={value}")
        return
    owner = kubernetes_owner_tag(volume.tags)
    if owner is not None and not config.include_kubernetes_volumes:
        run.skip(vid, SkipReason.KUBERNETES, f"tag {owner}")
        return
    stamp = format_stamp(run.now)
    mark, why = _clock_restart(run, volume)
    if mark is None:
        try:
            run.ec2.add_tags(vid, {config.mark_tag_key: stamp, config.seen_tag_key: stamp})
        except Ec2Error as error:
            run.error(f"{vid}: could not mark: {error}")
            return
        run.report.marked.append(Marked(vid, run.today, why))
        return
    marked_on = mark.astimezone(UTC).date()
    due = grace_elapsed(marked_on, run.today, config.grace_days)
    if due and reap_due:
        # Not re-tagged: the re-check before deletion compares every tag with this listing.
        run.due.append(_Due(volume, marked_on))
        return
    try:
        run.ec2.add_tags(vid, {config.seen_tag_key: stamp})
    except Ec2Error as error:
        # The sighting is the continuity proof; without it the next runs may restart the
        # clock (the safe direction), so this is reported and the run goes on.
        run.error(f"{vid}: could not record the sighting: {error}")
    run.report.observed += 1
    if due:
        run.report.due_next.append(Retired(vid, volume.size_gib, marked_on))
        return
    age = (run.today - marked_on).days
    run.skip(
        vid,
        SkipReason.WITHIN_GRACE,
        f"marked {marked_on.isoformat()}, {age} of {config.grace_days} days",
    )


def _retire(run: _Run, due: _Due) -> None:
    """Re-check, snapshot and delete one due volume (or record it as would-delete)."""
    volume = due.volume
    vid = volume.volume_id
    cap = run.config.max_deletions_per_run
    if run.started >= cap:
        run.skip(vid, SkipReason.DELETION_CAP, f"at most {cap} per run; due again next run")
        return
    run.started += 1
    retired = Retired(vid, volume.size_gib, due.marked_on)
    if run.dry_run:
        run.report.would_delete.append(retired)
        return
    if not _unchanged(run, volume):
        return
    if run.config.snapshot_before_delete and not _snapshot(run, due):
        return
    try:
        run.ec2.delete_volume(vid)
    except VolumeAttachedError as error:
        run.skip(vid, SkipReason.ATTACHED_MEANWHILE, f"EC2 refused the deletion ({error.code})")
        return
    except VolumeNotFoundError:
        run.skip(vid, SkipReason.GONE_MEANWHILE, "deleted by someone else")
        return
    except Ec2Error as error:
        run.error(f"{vid}: delete failed: {error}")
        return
    run.report.deleted.append(retired)


def _unchanged(run: _Run, volume: Volume) -> bool:
    """Re-read the volume by id; False (with the skip recorded) unless it is as listed."""
    vid = volume.volume_id
    try:
        fresh = run.ec2.describe(vid)
    except VolumeNotFoundError:
        run.skip(vid, SkipReason.GONE_MEANWHILE, "not found on re-check")
        return False
    except Ec2Error as error:
        run.error(f"{vid}: re-check failed, volume kept: {error}")
        return False
    if fresh.state != "available" or fresh.attachment_count:
        run.skip(vid, SkipReason.ATTACHED_MEANWHILE, f"state {fresh.state} on re-check")
        return False
    if fresh.fingerprint() != volume.fingerprint():
        run.skip(vid, SkipReason.CHANGED_MEANWHILE, "size, attachments or tags changed")
        return False
    return True


def _snapshot_tags(run: _Run, due: _Due, expires_on: date) -> dict[str, str]:
    tags = {
        key.value: due.volume.tags[key.value]
        for key in COPIED_TAXONOMY_KEYS
        if key.value in due.volume.tags
    }
    tags.update(
        {
            ORIGIN_VOLUME_TAG: due.volume.volume_id,
            EXPIRES_TAG: expires_on.isoformat(),
            REASON_TAG: (
                f"ebs-reaper: unattached since {due.marked_on.isoformat()}, "
                f"deleted after {run.config.grace_days} days of grace"
            ),
            CREATED_BY_TAG: CREATED_BY_VALUE,
        }
    )
    return tags


def _snapshot(run: _Run, due: _Due) -> bool:
    """Snapshot the volume and wait until it is safe; False (recorded) if it never is."""
    vid = due.volume.volume_id
    expires_on = run.today + timedelta(days=run.config.snapshot_retention_days)
    try:
        snapshot_id = run.ec2.create_snapshot(
            vid,
            f"ebs-reaper: final snapshot of {vid} before deletion",
            _snapshot_tags(run, due, expires_on),
        )
    except VolumeNotFoundError:
        run.skip(vid, SkipReason.GONE_MEANWHILE, "not found when snapshotting")
        return False
    except Ec2Error as error:
        run.error(f"{vid}: snapshot failed, volume kept: {error}")
        return False
    run.report.snapshotted.append(Snapshotted(vid, snapshot_id, expires_on))
    problem = _wait_until_safe(run, snapshot_id)
    if problem is not None:
        run.skip(vid, SkipReason.SNAPSHOT_NOT_SAFE, problem)
        run.error(f"{vid}: {problem}; volume kept")
        return False
    return True


def _wait_until_safe(run: _Run, snapshot_id: str) -> str | None:
    """None once the snapshot is pending or completed, else why it is not safe."""
    last = "not visible"
    for attempt in range(run.wait.attempts):
        if attempt:
            run.sleep(run.wait.interval_seconds)
        try:
            state = run.ec2.snapshot_state(snapshot_id)
        except SnapshotNotFoundError:
            continue
        except Ec2Error as error:
            last = f"unreadable ({error})"
            continue
        if state in SNAPSHOT_SAFE_STATES:
            return None
        if state == "error":
            return f"snapshot {snapshot_id} is in state error"
        last = f"state {state}"
    return (
        f"snapshot {snapshot_id} not pending or completed after {run.wait.attempts} checks ({last})"
    )


def _report_failed_snapshots(run: _Run) -> None:
    """Snapshots this reaper took that ended in `error`: their volume may be gone."""
    try:
        for snapshot_id, volume_id in run.ec2.iter_failed_snapshots(ORIGIN_VOLUME_TAG):
            run.error(
                f"snapshot {snapshot_id} of deleted volume {volume_id} is in state error: "
                "check other backups of that volume and delete the failed snapshot"
            )
    except Ec2Error as error:
        run.error(f"listing failed reaper snapshots failed: {error}")
