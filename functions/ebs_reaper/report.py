"""What one reaper run did, for people (SNS), machines (the return value) and CloudWatch (EMF).

A run never loses its report: every per-volume failure lands in `errors` and the run goes on,
so the summary always says what was deleted before anything went wrong.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final

from functions.common.ports import COUNT, MetricSink

__all__ = [
    "Marked",
    "ReaperReport",
    "Retired",
    "SkipReason",
    "Skipped",
    "Snapshotted",
    "record_metrics",
]

_MAX_LINES_PER_SECTION: Final = 200
"""Lines listed per section in the SNS message; counts are always complete."""


class SkipReason(StrEnum):
    """Why a volume the reaper saw was not deleted (metric dimensions use the enum name)."""

    OPTED_OUT = "opted out"
    KUBERNETES = "owned by Kubernetes"
    WITHIN_GRACE = "within grace"
    NOT_AVAILABLE = "not available"
    ATTACHED_MEANWHILE = "attached meanwhile"
    CHANGED_MEANWHILE = "changed meanwhile"
    GONE_MEANWHILE = "gone meanwhile"
    DELETION_CAP = "deletion cap reached"
    SNAPSHOT_NOT_SAFE = "snapshot not safe"


@dataclass(frozen=True, slots=True)
class Marked:
    """A volume seen unattached for the first time and tagged with the date: its grace starts."""

    volume_id: str
    marked_on: date
    note: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A volume left alone, with the reason and a detail a person can act on."""

    volume_id: str
    reason: SkipReason
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Snapshotted:
    """A snapshot taken before deleting `volume_id`; it carries `expires-on` = `expires_on`."""

    volume_id: str
    snapshot_id: str
    expires_on: date


@dataclass(frozen=True, slots=True)
class Retired:
    """A volume deleted (or, in a dry run, that would have been deleted)."""

    volume_id: str
    size_gib: int
    marked_on: date


@dataclass(slots=True)
class ReaperReport:
    """Everything one run saw and did, in the order it happened."""

    mode: str
    """`observe` (mark, refresh, unmark only) or `reap` (also snapshot and delete)."""
    dry_run: bool
    account_id: str
    region: str
    today: date
    grace_days: int
    max_deletions: int
    scanned: int = 0
    marked: list[Marked] = field(default_factory=list)
    unmarked: list[str] = field(default_factory=list)
    """Volumes found attached again whose mark was removed, so their grace restarts."""
    skipped: list[Skipped] = field(default_factory=list)
    snapshotted: list[Snapshotted] = field(default_factory=list)
    deleted: list[Retired] = field(default_factory=list)
    would_delete: list[Retired] = field(default_factory=list)
    due_next: list[Retired] = field(default_factory=list)
    """Observe runs: volumes past their grace that the next deletion run will retire."""
    observed: int = 0
    """Marked volumes seen still unattached whose sighting was refreshed."""
    errors: list[str] = field(default_factory=list)
    listing_complete: bool = True
    """False when listing volumes failed part-way: unseen volumes were neither marked nor kept."""

    def skip_counts(self) -> Counter[SkipReason]:
        """How many volumes were skipped for each reason."""
        return Counter(skip.reason for skip in self.skipped)

    @property
    def reaping(self) -> bool:
        """Whether this run could delete (mode `reap`)."""
        return self.mode == "reap"

    def noteworthy(self) -> bool:
        """Whether an observe run changed or found anything a person should hear about; a
        daily pass that only refreshed sightings stays silent."""
        return bool(
            self.reaping
            or self.marked
            or self.unmarked
            or self.errors
            or self.due_next
            or not self.listing_complete
        )

    def subject(self) -> str:
        """A one-line SNS subject with the counts that matter."""
        mode = " (dry run)" if self.dry_run else ""
        if not self.reaping:
            errors = f", {len(self.errors)} ERRORS" if self.errors else ""
            return (
                f"EBS reaper observe{mode}: {len(self.marked)} marked, "
                f"{len(self.unmarked)} unmarked, {len(self.due_next)} due at the next "
                f"deletion run{errors}"
            )
        acted = (
            f"{len(self.would_delete)} would be deleted"
            if self.dry_run
            else f"{len(self.deleted)} deleted"
        )
        errors = f", {len(self.errors)} ERRORS" if self.errors else ""
        return (
            f"EBS reaper{mode}: {acted}, {len(self.marked)} marked, "
            f"{len(self.skipped)} skipped{errors}"
        )

    def message(self) -> str:
        """The SNS body: the run's settings, then one section per outcome."""
        lines = [
            f"EBS reaper run of {self.today.isoformat()} in account {self.account_id}, "
            f"region {self.region}",
            f"Mode: {self._mode_text()}; "
            f"grace {self.grace_days} days continuously unattached, as observed; "
            f"at most {self.max_deletions} deletions per run.",
            f"Unattached volumes scanned: {self.scanned}; still-unattached sightings "
            f"recorded: {self.observed}.",
        ]
        if not self.listing_complete:
            lines.append("Listing volumes FAILED part-way; volumes not seen were left alone.")
        counts = self.skip_counts()
        if counts:
            lines.append(
                "Skipped: " + ", ".join(f"{n} {reason.value}" for reason, n in counts.items())
            )

        def retired(r: Retired) -> str:
            return f"{r.volume_id} ({r.size_gib} GiB, marked {r.marked_on})"

        sections: list[tuple[str, list[str]]] = [
            ("Errors", self.errors),
            ("Would be deleted (dry run)", [retired(r) for r in self.would_delete]),
            ("Deleted", [retired(r) for r in self.deleted]),
            ("Due at the next deletion run", [retired(r) for r in self.due_next]),
            (
                "Snapshots taken before deletion",
                [
                    f"{s.snapshot_id} of {s.volume_id}, expires on {s.expires_on}"
                    for s in self.snapshotted
                ],
            ),
            (
                "Marked (grace starts today)",
                [f"{m.volume_id}{' (' + m.note + ')' if m.note else ''}" for m in self.marked],
            ),
            ("Attached again, mark removed", list(self.unmarked)),
            (
                "Skipped",
                [
                    f"{s.volume_id}: {s.reason.value}{', ' + s.detail if s.detail else ''}"
                    for s in self.skipped
                ],
            ),
        ]
        for title, entries in sections:
            if not entries:
                continue
            lines += ["", f"{title} ({len(entries)}):"]
            lines += [f"- {entry}" for entry in entries[:_MAX_LINES_PER_SECTION]]
            if len(entries) > _MAX_LINES_PER_SECTION:
                lines.append(f"- … and {len(entries) - _MAX_LINES_PER_SECTION} more")
        return "\n".join(lines)

    def _mode_text(self) -> str:
        if not self.reaping:
            return "OBSERVE, marks and sightings only (deletion runs monthly)"
        return "DRY RUN, nothing snapshotted or deleted" if self.dry_run else "delete"

    def as_dict(self) -> dict[str, object]:
        """The handler's return value and log record (JSON-serialisable)."""
        return {
            "mode": self.mode,
            "dryRun": self.dry_run,
            "accountId": self.account_id,
            "region": self.region,
            "date": self.today.isoformat(),
            "scanned": self.scanned,
            "listingComplete": self.listing_complete,
            "marked": [m.volume_id for m in self.marked],
            "restarted": {m.volume_id: m.note for m in self.marked if m.note},
            "observed": self.observed,
            "dueNext": [r.volume_id for r in self.due_next],
            "unmarked": list(self.unmarked),
            "skipped": [
                {"volumeId": s.volume_id, "reason": s.reason.value, "detail": s.detail}
                for s in self.skipped
            ],
            "snapshotted": [
                {"volumeId": s.volume_id, "snapshotId": s.snapshot_id} for s in self.snapshotted
            ],
            "deleted": [r.volume_id for r in self.deleted],
            "wouldDelete": [r.volume_id for r in self.would_delete],
            "errors": list(self.errors),
        }


def record_metrics(report: ReaperReport, metrics: MetricSink) -> None:
    """One EMF count per outcome, so alarms can watch deletions and errors."""
    values = {
        "VolumesScanned": report.scanned,
        "VolumesMarked": len(report.marked),
        "VolumesUnmarked": len(report.unmarked),
        "ClocksRestarted": sum(1 for m in report.marked if m.note),
        "VolumesDueNext": len(report.due_next),
        "VolumesSkipped": len(report.skipped),
        "SnapshotsCreated": len(report.snapshotted),
        "VolumesDeleted": len(report.deleted),
        "VolumesWouldDelete": len(report.would_delete),
        "GiBDeleted": sum(r.size_gib for r in report.deleted),
        "ReaperErrors": len(report.errors),
    }
    for name, value in values.items():
        metrics.add_metric(name=name, unit=COUNT, value=value)
