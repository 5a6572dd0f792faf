"""What an announcement or a clean-up run says to people (SNS) and to CloudWatch (EMF).

Every line of every subject, message and return value passes through `printable`: a path with
bytes that are not UTF-8 (a lone surrogate in Python) is shown escaped, so no file name can make
a summary unencodable and lose it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from functions.common.ports import COUNT, MetricSink
from functions.efs_cleanup.walk import WalkStats, printable

__all__ = ["AnnounceReport", "CleanupReport", "RootReport", "human_bytes", "record_metrics"]

BYTES: Final = "Bytes"
"""CloudWatch unit of the bytes-freed metric."""


def human_bytes(count: int) -> str:
    """`count` bytes in the largest binary unit that keeps the number at least 1."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(slots=True)
class RootReport:
    """One scratch root's part of a run."""

    root: str
    resolved: str = ""
    refused: str = ""
    """Why the root was not walked at all (resolves outside the mount, missing, ...)."""
    started: bool = False
    completed: bool = False
    """True when this run finished the root's cycle (nothing left to resume)."""
    stats: WalkStats = field(default_factory=WalkStats)
    cycle_files_deleted: int = 0
    cycle_bytes_freed: int = 0
    cycle_runs: int = 0

    def line(self, dry_run: bool) -> str:
        """One summary line for people."""
        if self.refused:
            return f"- {self.root}: REFUSED, {self.refused}"
        if not self.started:
            return f"- {self.root}: not reached before the time budget; resumes next run"
        s = self.stats
        verb = "would delete" if dry_run else "deleted"
        text = (
            f"- {self.root}: {verb} {s.files_deleted} files ({human_bytes(s.bytes_freed)}), "
            f"kept {s.files_young} younger files"
        )
        if s.files_unverified:
            text += f", kept {s.files_unverified} without a verified S3 copy"
        if s.dirs_removed:
            text += f", removed {s.dirs_removed} emptied directories"
        if s.others_skipped:
            text += f", skipped {s.others_skipped} links and special files"
        if s.vanished:
            text += f", {s.vanished} vanished meanwhile"
        if s.errors:
            text += f", {s.errors} errors"
        if self.completed:
            if self.cycle_runs > 1:
                text += (
                    f"; cycle complete after {self.cycle_runs} runs: {self.cycle_files_deleted} "
                    f"files, {human_bytes(self.cycle_bytes_freed)} in total"
                )
        else:
            text += "; NOT finished, resumes next run"
        return text


@dataclass(slots=True)
class CleanupReport:
    """A clean or resume run over the configured roots."""

    phase: str
    dry_run: bool
    retention_days: int
    roots: list[RootReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Run-level problems (mount, state file); per-file errors are in each root's stats."""
    duration_seconds: float = 0.0
    nothing_pending: bool = False
    """A resume run that found no unfinished cycle: it did nothing and says nothing."""
    max_error_samples: int = 20

    def totals(self) -> WalkStats:
        """All roots' counts together."""
        total = WalkStats()
        for root in self.roots:
            total.add(root.stats, self.max_error_samples)
        return total

    @property
    def completed(self) -> bool:
        """Whether nothing is left to resume (refused roots are errors, not pending work)."""
        return all(root.completed or root.refused for root in self.roots)

    def error_count(self) -> int:
        """Run-level errors, refused roots and per-file errors."""
        refused = sum(1 for root in self.roots if root.refused)
        return len(self.errors) + refused + self.totals().errors

    def subject(self) -> str:
        """A one-line SNS subject: what was freed, whether it finished, whether it failed."""
        total = self.totals()
        mode = " (dry run)" if self.dry_run else ""
        verb = "would be freed" if self.dry_run else "freed"
        state = "done" if self.completed else "paused, resumes next run"
        errors = self.error_count()
        suffix = f", {errors} ERRORS" if errors else ""
        return (
            f"EFS scratch clean-up{mode} {state}: {total.files_deleted} files, "
            f"{human_bytes(total.bytes_freed)} {verb}{suffix}"
        )

    def message(self) -> str:
        """The SNS body: settings, one line per root, the first errors, the duration."""
        return "\n".join(printable(line) for line in self._lines())

    def _lines(self) -> list[str]:
        total = self.totals()
        lines = [
            f"EFS scratch clean-up ({self.phase})"
            + (" — DRY RUN, nothing was deleted" if self.dry_run else ""),
            f"Retention: regular files not modified, and not copied in, for "
            f"{self.retention_days} days (the later of mtime and ctime).",
            f"Duration: {self.duration_seconds:.1f} s. "
            + (
                "Completed."
                if self.completed
                else "Stopped at the time budget; the next run resumes where this one stopped."
            ),
            "",
            "Roots:",
            *(root.line(self.dry_run) for root in self.roots),
        ]
        samples = list(self.errors)
        samples += [f"{root.root}: REFUSED, {root.refused}" for root in self.roots if root.refused]
        samples += total.error_samples
        if samples:
            shown = samples[: self.max_error_samples]
            lines += ["", f"Errors ({self.error_count()}, first {len(shown)}):"]
            lines += [f"- {sample}" for sample in shown]
        return lines

    def as_dict(self) -> dict[str, object]:
        """The handler's return value and log record."""
        total = self.totals()
        return {
            "phase": self.phase,
            "dryRun": self.dry_run,
            "completed": self.completed,
            "nothingPending": self.nothing_pending,
            "filesDeleted": total.files_deleted,
            "bytesFreed": total.bytes_freed,
            "filesKeptYoung": total.files_young,
            "filesKeptUnverified": total.files_unverified,
            "directoriesRemoved": total.dirs_removed,
            "vanished": total.vanished,
            "errors": self.error_count(),
            "durationSeconds": round(self.duration_seconds, 3),
            "roots": [
                {
                    "root": printable(root.root),
                    "refused": printable(root.refused),
                    "started": root.started,
                    "completed": root.completed,
                    "filesDeleted": root.stats.files_deleted,
                    "bytesFreed": root.stats.bytes_freed,
                }
                for root in self.roots
            ],
        }


@dataclass(frozen=True, slots=True)
class AnnounceReport:
    """The "starting soon" notice sent an hour before the clean-up."""

    roots: tuple[str, ...]
    mount_path: str
    retention_days: int
    dry_run: bool
    pending: tuple[str, ...] = ()
    """Roots whose previous cycle is unfinished: the clean-up resumes them first."""
    problem: str = ""

    def subject(self) -> str:
        """A one-line SNS subject."""
        mode = " (dry run)" if self.dry_run else ""
        days = self.retention_days
        return f"EFS scratch clean-up{mode} starts soon: files older than {days} days"

    def message(self) -> str:
        """The SNS body: what will be cleaned and how to keep a file."""
        lines = [
            "The weekly EFS scratch clean-up starts in about an hour.",
            "DRY RUN: nothing will be deleted, the report will say what would be."
            if self.dry_run
            else "Regular files neither modified nor copied in for "
            f"{self.retention_days} days will be DELETED, and directories inside volumes left "
            "empty.",
            f"Retention: {self.retention_days} days since a file was last modified or copied in "
            "(the later of mtime and ctime); volume directories themselves are never removed.",
            "Roots (under " + self.mount_path + "):",
            *(f"- {root}" for root in self.roots),
            "",
            "To keep a file, copy it out of scratch (e.g. to your project area) before then.",
        ]
        if self.pending:
            lines.append("Unfinished from the last run, resumed first: " + ", ".join(self.pending))
        if self.problem:
            lines.append(f"Problem: {self.problem}")
        return "\n".join(printable(line) for line in lines)

    def as_dict(self) -> dict[str, object]:
        """The handler's return value."""
        return {
            "phase": "announce",
            "dryRun": self.dry_run,
            "roots": [printable(root) for root in self.roots],
            "retentionDays": self.retention_days,
            "pending": [printable(root) for root in self.pending],
        }


def record_metrics(report: CleanupReport, metrics: MetricSink) -> None:
    """EMF values per run; in a dry run the deletion counts are what would have been."""
    total = report.totals()
    files, freed = (
        ("FilesWouldBeDeleted", "BytesWouldBeFreed")
        if report.dry_run
        else ("FilesDeleted", "BytesFreed")
    )
    metrics.add_metric(name=files, unit=COUNT, value=total.files_deleted)
    metrics.add_metric(name=freed, unit=BYTES, value=total.bytes_freed)
    counts = {
        "FilesKeptYoung": total.files_young,
        "FilesKeptUnverified": total.files_unverified,
        "DirectoriesRemoved": total.dirs_removed,
        "FilesVanished": total.vanished,
        "CleanupErrors": report.error_count(),
        "RootsRefused": sum(1 for root in report.roots if root.refused),
        "CleanupCompleted": int(report.completed),
    }
    for name, value in counts.items():
        metrics.add_metric(name=name, unit=COUNT, value=value)
