"""The clean-up runs on real temporary mounts: roots, state, budget, resume, workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from functions.efs_cleanup.config import CleanupConfig
from functions.efs_cleanup.core import Clock, announce, clean
from functions.efs_cleanup.event import CleanupRequest, Phase
from functions.efs_cleanup.report import CleanupReport
from functions.efs_cleanup.verify import CopyCheck, Verdict
from tests.functions.efs_cleanup.support import (
    NOW,
    OLD,
    YOUNG,
    TickClock,
    dirs_under,
    files_under,
    make_config,
    touch,
)

CLEAN = CleanupRequest(Phase.CLEAN)
RESUME = CleanupRequest(Phase.RESUME)
UNLIMITED_MS = 3_600_000


@pytest.fixture
def mount(tmp_path: Path) -> Path:
    path = tmp_path / "mnt"
    (path / "scratch").mkdir(parents=True)
    return path


def populate(root: Path, projects: int = 3, jobs: int = 3, files: int = 4) -> set[str]:
    """A tree with old and young files; returns the young ones (what must remain)."""
    young: set[str] = set()
    touch(root / "loose-old.tmp", days_old=OLD)
    touch(root / "loose-new.tmp", days_old=YOUNG)
    young.add("loose-new.tmp")
    for p in range(projects):
        for j in range(jobs):
            for f in range(files):
                relative = f"p{p}/j{j}/f{f}"
                is_young = (p + j + f) % 3 == 0
                touch(root / relative, days_old=YOUNG if is_young else OLD)
                if is_young:
                    young.add(relative)
    return young


def run(
    config: CleanupConfig,
    request: CleanupRequest = CLEAN,
    *,
    budget_ticks: int | None = None,
    **kwargs: object,
) -> CleanupReport:
    """One run; with `budget_ticks` the clock allows that many readings past the start."""
    if budget_ticks is None:
        kwargs.setdefault("clock", Clock(wall=lambda: NOW))
        return clean(request, config=config, remaining_ms=UNLIMITED_MS, **kwargs)  # type: ignore[arg-type]
    ticks = TickClock()
    remaining_ms = (budget_ticks + config.safety_seconds) * 1000
    return clean(
        request,
        config=config,
        remaining_ms=remaining_ms,
        clock=Clock(wall=lambda: NOW, monotonic=ticks),
        **kwargs,  # type: ignore[arg-type]
    )


def state_document(mount: Path) -> dict[str, object]:
    return dict(json.loads((mount / ".cleanup-state.json").read_text()))


def test_clean_run_deletes_old_files_and_completes(mount: Path) -> None:
    """A run with time to spare deletes exactly the old files and reports completion."""
    young = populate(mount / "scratch")
    report = run(make_config(mount))
    assert files_under(mount / "scratch") == young
    assert report.completed
    assert report.subject().startswith("EFS scratch clean-up done: ")
    assert state_document(mount)["modes"] == {"delete": {}}


def test_root_outside_the_mount_is_refused_and_others_still_run(
    mount: Path, tmp_path: Path
) -> None:
    """A root linked out of the mount is refused and reported; its target keeps its old
    files; the other root is cleaned."""
    outside = tmp_path / "outside"
    touch(outside / "precious.bam", days_old=OLD)
    (mount / "escape").symlink_to(outside)
    touch(mount / "scratch" / "old.tmp", days_old=OLD)
    report = run(make_config(mount, "escape", "scratch"))
    assert (outside / "precious.bam").exists()
    assert files_under(mount / "scratch") == set()
    assert "outside the mount" in report.roots[0].refused
    assert "REFUSED" in report.message()
    assert "ERRORS" in report.subject()


def test_budget_stop_then_next_run_resumes_and_finishes(mount: Path) -> None:
    """A run out of time stops, records where, and says it will resume; the next run picks
    up there and finishes; together they delete every old file and keep every young one,
    and the finishing run reports the whole cycle."""
    young = populate(mount / "scratch", projects=4)
    config = make_config(mount)
    first = run(config, budget_ticks=12)
    assert not first.completed
    assert "paused, resumes next run" in first.subject()
    assert files_under(mount / "scratch") != young
    progress = state_document(mount)["modes"]["delete"]  # type: ignore[index]
    assert "scratch" in progress
    second = run(config)
    assert second.completed
    assert files_under(mount / "scratch") == young
    total = first.totals().files_deleted + second.totals().files_deleted
    assert second.roots[0].cycle_files_deleted == total
    assert second.roots[0].cycle_runs == 2


def test_runs_out_of_time_from_the_start_still_converge(mount: Path) -> None:
    """Runs whose deadline has passed after one clock reading still handle at least one entry
    each, so re-descending to the resume point can never eat the whole budget run after run
    (a livelock), and the cycle finishes."""
    young = populate(mount / "scratch")
    config = make_config(mount)
    for _ in range(200):
        if run(config, budget_ticks=1).completed:
            break
    else:
        pytest.fail("the cycle never completed")
    assert files_under(mount / "scratch") == young


def test_resume_phase_without_pending_work_does_nothing(mount: Path) -> None:
    """`resume` with no unfinished cycle walks nothing and reports nothing_pending."""
    touch(mount / "scratch" / "old.tmp", days_old=OLD)
    report = run(make_config(mount), RESUME)
    assert report.nothing_pending
    assert files_under(mount / "scratch") == {"old.tmp"}


def test_resume_phase_continues_an_unfinished_cycle(mount: Path) -> None:
    """`resume` after a paused clean finishes the cycle."""
    young = populate(mount / "scratch")
    config = make_config(mount)
    assert not run(config, budget_ticks=6).completed
    report = run(config, RESUME)
    assert report.completed
    assert not report.nothing_pending
    assert files_under(mount / "scratch") == young


def test_root_not_reached_in_time_is_pending_from_its_start(mount: Path) -> None:
    """When the budget ends before a second root starts, `resume` cleans that root next."""
    (mount / "other").mkdir()
    touch(mount / "other" / "old.tmp", days_old=OLD)
    populate(mount / "scratch")
    config = make_config(mount, "scratch", "other")
    first = run(config, budget_ticks=5)
    assert first.roots[1].started is False
    assert files_under(mount / "other") == {"old.tmp"}
    run(config, RESUME)
    assert files_under(mount / "other") == set()


def test_dry_run_keeps_its_own_position(mount: Path) -> None:
    """A paused dry run does not move the real run's position (separate state per mode),
    and deletes nothing."""
    young = populate(mount / "scratch")
    before = files_under(mount / "scratch")
    config = make_config(mount)
    dry = make_config(mount, DRY_RUN="true")
    assert not run(dry, budget_ticks=6).completed
    assert files_under(mount / "scratch") == before
    assert run(config).completed
    assert files_under(mount / "scratch") == young
    modes = state_document(mount)["modes"]
    assert isinstance(modes, dict)
    assert set(modes) == {"delete", "dry-run"}


def test_corrupt_state_file_is_reported_and_the_cycle_restarts(mount: Path) -> None:
    """An unreadable state file is an error in the report; the run starts over and finishes."""
    (mount / ".cleanup-state.json").write_text("{not json")
    young = populate(mount / "scratch")
    report = run(make_config(mount))
    assert report.completed
    assert any("malformed" in error for error in report.errors)
    assert files_under(mount / "scratch") == young


def test_state_file_symlink_is_replaced_not_written_through(mount: Path, tmp_path: Path) -> None:
    """A link planted at the state file's name is replaced by the file; its target is intact."""
    target = tmp_path / "target.txt"
    target.write_text("do not overwrite")
    (mount / ".cleanup-state.json").symlink_to(target)
    report = run(make_config(mount))
    assert target.read_text() == "do not overwrite"
    assert not (mount / ".cleanup-state.json").is_symlink()
    assert any("symlink" in error for error in report.errors)


def test_forked_workers_delete_exactly_what_one_worker_would(mount: Path) -> None:
    """WORKERS=4 (forked processes) leaves the same files and directories as one worker."""
    (mount / "twin").mkdir()
    young = populate(mount / "scratch", projects=6)
    populate(mount / "twin", projects=6)
    config = make_config(mount, "scratch", "twin")
    report = run(config, workers=4)
    assert report.completed
    assert files_under(mount / "scratch") == young == files_under(mount / "twin")
    assert dirs_under(mount / "scratch") == dirs_under(mount / "twin")
    assert report.roots[0].stats.files_deleted == report.roots[1].stats.files_deleted


def test_forked_workers_stop_at_the_deadline_and_resume(mount: Path) -> None:
    """With several workers and a short budget, the run pauses and the next one finishes."""
    young = populate(mount / "scratch", projects=8)
    config = make_config(mount)
    first = run(config, budget_ticks=8, workers=3)
    assert not first.completed
    second = run(config, workers=3)
    assert second.completed
    assert files_under(mount / "scratch") == young


class PathVerifier:
    """Says COPIED only for the paths it was given."""

    def __init__(self, copied: set[str]) -> None:
        self.copied = copied
        self.asked: list[str] = []

    def check(self, relative_path: str, size: int) -> CopyCheck:
        self.asked.append(relative_path)
        if relative_path in self.copied:
            return CopyCheck(Verdict.COPIED)
        return CopyCheck(Verdict.MISSING, relative_path)


def test_verifier_mode_deletes_only_files_with_a_verified_copy(mount: Path) -> None:
    """With a copy verifier, an old file without a verified copy is kept and counted; the
    verifier sees paths relative to the mount."""
    root = mount / "projects" / "tb" / "raw"
    touch(root / "rs_1.fastq.gz", days_old=OLD)
    touch(root / "rs_2.fastq.gz", days_old=OLD)
    verifier = PathVerifier({"projects/tb/raw/rs_1.fastq.gz"})
    report = run(make_config(mount, "projects/tb/raw", WORKERS="4"), verifier=verifier)
    assert files_under(root) == {"rs_2.fastq.gz"}
    assert report.roots[0].stats.files_unverified == 1
    assert sorted(verifier.asked) == [
        "projects/tb/raw/rs_1.fastq.gz",
        "projects/tb/raw/rs_2.fastq.gz",
    ]


def test_announce_lists_roots_retention_mode_and_pending(mount: Path) -> None:
    """The notice names roots and retention, says dry run, and lists unfinished roots."""
    populate(mount / "scratch")
    config = make_config(mount, DRY_RUN="true")
    run(config, budget_ticks=4)
    notice = announce(CleanupRequest(Phase.ANNOUNCE), config=config)
    assert notice.pending == ("scratch",)
    assert notice.subject() == "EFS scratch clean-up (dry run) starts soon: files older than 7 days"
    assert "- scratch" in notice.message()
    assert "DRY RUN" in notice.message()


def test_unmounted_file_system_is_reported_not_raised(tmp_path: Path) -> None:
    """A missing mount makes every root refused and the run report the problem."""
    config = make_config(tmp_path / "not-mounted")
    report = run(config)
    assert report.errors
    assert "is EFS mounted" in report.errors[0]
    assert report.roots[0].refused


def test_directories_emptied_by_the_run_are_removed_and_roots_kept(mount: Path) -> None:
    """After a complete run no emptied directory remains and the root itself still exists."""
    touch(mount / "scratch" / "a" / "b" / "old.tmp", days_old=OLD)
    run(make_config(mount))
    assert (mount / "scratch").is_dir()
    assert list((mount / "scratch").iterdir()) == []
