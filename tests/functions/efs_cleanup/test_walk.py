"""The walker on real temporary trees: what it deletes, what it never touches, how it stops."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.efs_cleanup import walk
from functions.efs_cleanup.walk import (
    DIR,
    FILE,
    ShardResult,
    ShardTask,
    WalkOptions,
    WalkStats,
    printable,
    run_shard,
)
from tests.functions.efs_cleanup.support import (
    OLD,
    YOUNG,
    TickClock,
    age,
    dirs_under,
    files_under,
    touch,
    walk_options,
)


def clean_root(root: Path, options: WalkOptions | None = None) -> WalkStats:
    """Walk every shard of `root` to the end, the way the core does."""
    options = options or walk_options(root)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    total = WalkStats()
    try:
        keys = ["", *sorted(p.name for p in root.iterdir() if p.is_dir() and not p.is_symlink())]
        for key in keys:
            result = run_shard(fd, ShardTask(key), options)
            assert result.stopped_at is None
            total.add(result.stats, 100)
    finally:
        os.close(fd)
    return total


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "mnt" / "scratch"
    path.mkdir(parents=True)
    return path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory outside the root holding an old file that must survive every test."""
    target = tmp_path / "mnt" / "projects"
    touch(target / "precious.bam", days_old=OLD)
    return target


# ---- what goes and what stays ----


def test_old_files_go_and_young_files_stay(root: Path) -> None:
    """Regular files older than the cut-off are deleted, younger ones kept, bytes counted."""
    touch(root / "old.tmp", days_old=OLD, size=10)
    touch(root / "job" / "old.bam", days_old=8, size=5)
    touch(root / "job" / "new.bam", days_old=YOUNG)
    stats = clean_root(root)
    assert files_under(root) == {"job/new.bam"}
    assert (stats.files_deleted, stats.bytes_freed, stats.files_young) == (2, 15, 1)


def test_file_just_inside_retention_is_kept(root: Path) -> None:
    """A file 6.9 days old survives a 7-day retention."""
    touch(root / "almost.tmp", days_old=6.9)
    clean_root(root)
    assert files_under(root) == {"almost.tmp"}


def test_symlink_to_a_file_outside_is_not_followed(root: Path, outside: Path) -> None:
    """An old link to a file outside the root: the target survives, the link is not deleted
    (it is not a regular file) and is counted as skipped."""
    link = root / "link.bam"
    link.symlink_to(outside / "precious.bam")
    age(link, OLD)
    stats = clean_root(root)
    assert (outside / "precious.bam").exists()
    assert link.is_symlink()
    assert stats.others_skipped == 1


def test_symlink_to_a_directory_outside_is_not_entered(root: Path, outside: Path) -> None:
    """An old link to a directory outside: nothing in the target is touched."""
    (root / "escape").symlink_to(outside, target_is_directory=True)
    touch(root / "old.tmp", days_old=OLD)
    clean_root(root)
    assert (outside / "precious.bam").exists()
    assert (root / "escape").is_symlink()


def test_directory_swapped_for_a_symlink_after_listing_is_not_entered(
    root: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory replaced by a link to the outside between listing and opening is refused by
    O_NOFOLLOW: the target survives (the race a name-based check would lose)."""
    touch(root / "job" / "old.tmp", days_old=OLD)
    original = walk._Walker.list_dir

    def list_then_swap(
        self: walk._Walker, fd: int
    ) -> tuple[list[os.DirEntry[str]], list[str], int]:
        listed = original(self, fd)
        if "job" in listed[1] and (root / "job").is_dir() and not (root / "job").is_symlink():
            (root / "job" / "old.tmp").unlink()
            (root / "job").rmdir()
            (root / "job").symlink_to(outside, target_is_directory=True)
        return listed

    monkeypatch.setattr(walk._Walker, "list_dir", list_then_swap)
    stats = clean_root(root)
    assert (outside / "precious.bam").exists()
    assert stats.others_skipped == 1


def test_links_are_never_listed_as_files_or_directories(root: Path, outside: Path) -> None:
    """The listing classifies by the entry itself: links to a file or a directory are
    'other', never candidates for deletion or descent."""
    (root / "file-link").symlink_to(outside / "precious.bam")
    (root / "dir-link").symlink_to(outside, target_is_directory=True)
    touch(root / "real.tmp", days_old=OLD)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        files, dirs, others = walk._Walker(walk_options(root), WalkStats()).list_dir(fd)
    finally:
        os.close(fd)
    assert ([f.name for f in files], dirs, others) == (["real.tmp"], [], 2)


def test_directory_moved_out_of_the_root_after_opening_is_refused(
    root: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job directory renamed out of the root right after the walker opened it: the kernel's
    path of the open descriptor is outside the root, so nothing in it is deleted."""
    touch(root / "job" / "old.tmp", days_old=OLD)
    real_open = os.open

    def open_then_move(
        path: str, flags: int, mode: int = 0o777, *, dir_fd: int | None = None
    ) -> int:
        fd = real_open(path, flags, mode, dir_fd=dir_fd)
        if path == "job":
            (root / "job").rename(outside / "job")
        return fd

    monkeypatch.setattr(os, "open", open_then_move)
    stats = clean_root(root)
    assert (outside / "job" / "old.tmp").exists()
    assert stats.errors == 1
    assert "outside the root" in stats.error_samples[0]


def test_special_files_are_never_deleted(root: Path) -> None:
    """A FIFO, however old, is not a regular file and stays."""
    os.mkfifo(root / "pipe")
    age(root / "pipe", OLD)
    clean_root(root)
    assert files_under(root) == {"pipe"}


def test_directory_outside_the_root_by_kernel_path_is_refused(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the kernel says an opened directory is not inside the root, its files stay and the
    refusal is reported."""
    touch(root / "job" / "old.tmp", days_old=OLD)
    monkeypatch.setattr(walk._Walker, "_inside_root", lambda self, fd: False)
    stats = clean_root(root)
    assert files_under(root) == {"job/old.tmp"}
    assert stats.errors == 1
    assert "outside the root" in stats.error_samples[0]


# ---- directories ----


def test_emptied_directories_go_bottom_up_and_the_root_stays(root: Path) -> None:
    """Directories emptied by the clean-up are removed deepest first; the root never is."""
    touch(root / "a" / "b" / "c" / "old.tmp", days_old=OLD)
    touch(root / "top.tmp", days_old=OLD)
    stats = clean_root(root)
    assert root.is_dir()
    assert dirs_under(root) == set()
    assert stats.dirs_removed == 3


def test_directory_with_a_young_file_stays(root: Path) -> None:
    """A directory that still holds a young file keeps its parents too."""
    touch(root / "a" / "b" / "old.tmp", days_old=OLD)
    touch(root / "a" / "b" / "new.tmp", days_old=YOUNG)
    clean_root(root)
    assert dirs_under(root) == {"a", "a/b"}


def test_recent_empty_directory_stays(root: Path) -> None:
    """An empty directory created recently (a job about to write) is not removed."""
    (root / "fresh").mkdir()
    age(root / "fresh", YOUNG)
    clean_root(root)
    assert dirs_under(root) == {"fresh"}


def test_old_empty_directory_goes(root: Path) -> None:
    """An empty directory untouched for longer than the retention is removed."""
    (root / "stale").mkdir()
    age(root / "stale", OLD)
    clean_root(root)
    assert dirs_under(root) == set()


def test_dry_run_deletes_nothing_and_counts(root: Path) -> None:
    """A dry run removes no file and no directory, and reports what it would delete."""
    touch(root / "a" / "old.tmp", days_old=OLD, size=7)
    (root / "stale").mkdir()
    age(root / "stale", OLD)
    stats = clean_root(root, walk_options(root, dry_run=True))
    assert files_under(root) == {"a/old.tmp"}
    assert dirs_under(root) == {"a", "stale"}
    assert (stats.files_deleted, stats.bytes_freed, stats.dirs_removed) == (1, 7, 0)


# ---- failures mid-walk ----


def test_file_vanishing_mid_walk_is_counted_not_an_error(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file deleted by someone else between listing and stat is counted as vanished."""
    touch(root / "a.tmp", days_old=OLD)
    touch(root / "b.tmp", days_old=OLD)
    original = walk._Walker.list_dir

    def list_then_delete(
        self: walk._Walker, fd: int
    ) -> tuple[list[os.DirEntry[str]], list[str], int]:
        listed = original(self, fd)
        (root / "a.tmp").unlink(missing_ok=True)
        return listed

    monkeypatch.setattr(walk._Walker, "list_dir", list_then_delete)
    stats = clean_root(root)
    assert (stats.vanished, stats.errors, stats.files_deleted) == (1, 0, 1)


def test_file_vanishing_between_stat_and_unlink_is_counted(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """unlink finding nothing (another cleaner won the race) is a vanish, not an error."""
    touch(root / "a.tmp", days_old=OLD)
    real_unlink = os.unlink

    def racing_unlink(path: str, *, dir_fd: int | None = None) -> None:
        real_unlink(path, dir_fd=dir_fd)
        real_unlink(path, dir_fd=dir_fd)  # the second call raises FileNotFoundError

    monkeypatch.setattr(os, "unlink", racing_unlink)
    stats = clean_root(root)
    assert (stats.vanished, stats.errors) == (1, 0)


def test_permission_error_on_a_file_is_counted_and_the_walk_goes_on(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """unlink refused (EACCES) on one file: an error sample, the file stays, the rest goes.
    (Tests run as root, where chmod cannot cause EACCES, so the refusal is injected.)"""
    touch(root / "a.tmp", days_old=OLD)
    touch(root / "b.tmp", days_old=OLD)
    real_unlink = os.unlink

    def refusing_unlink(path: str, *, dir_fd: int | None = None) -> None:
        if path == "a.tmp":
            raise PermissionError(13, "Permission denied")
        real_unlink(path, dir_fd=dir_fd)

    monkeypatch.setattr(os, "unlink", refusing_unlink)
    stats = clean_root(root)
    assert files_under(root) == {"a.tmp"}
    assert stats.errors == 1
    assert stats.error_samples == ["unlink a.tmp: Permission denied"]


def test_unreadable_directory_is_counted_and_siblings_are_cleaned(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory that cannot be opened (EACCES) is an error; its sibling is still cleaned
    and the unreadable directory's parent is kept."""
    touch(root / "locked" / "old.tmp", days_old=OLD)
    touch(root / "open" / "old.tmp", days_old=OLD)
    real_open = os.open

    def refusing_open(
        path: str, flags: int, mode: int = 0o777, *, dir_fd: int | None = None
    ) -> int:
        if path == "locked":
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", refusing_open)
    stats = clean_root(root)
    assert files_under(root) == {"locked/old.tmp"}
    assert stats.errors == 1
    assert "open locked" in stats.error_samples[0]


def test_error_samples_are_capped(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors are all counted but only the first N are kept as samples."""
    for n in range(5):
        touch(root / f"{n}.tmp", days_old=OLD)

    def refusing_unlink(path: str, *, dir_fd: int | None = None) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "unlink", refusing_unlink)
    stats = clean_root(root, walk_options(root, max_error_samples=2))
    assert (stats.errors, len(stats.error_samples)) == (5, 2)


# ---- stopping and resuming ----


def test_walk_stops_at_the_deadline_with_the_next_entry_as_cursor(root: Path) -> None:
    """With a budget of 2 clock readings the walk handles two files and names the third."""
    for name in ("a", "b", "c", "d"):
        touch(root / name, days_old=OLD)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        result = run_shard(fd, ShardTask(""), walk_options(root, deadline=3, clock=TickClock()))
    finally:
        os.close(fd)
    assert result.stopped_at == ((FILE, "c"),)
    assert files_under(root) == {"c", "d"}


def test_cursor_skips_what_an_earlier_run_handled(root: Path) -> None:
    """Resuming at file `b` leaves `a` alone (it was handled before) and cleans from `b` on."""
    for name in ("a", "b", "c"):
        touch(root / name, days_old=OLD)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        result = run_shard(fd, ShardTask("", ((FILE, "b"),)), walk_options(root))
    finally:
        os.close(fd)
    assert result.stopped_at is None
    assert files_under(root) == {"a"}


def test_stop_inside_nested_directories_resumes_there(root: Path) -> None:
    """A stop deep in a shard yields a cursor through its directories; resuming with it
    finishes the shard, and the parents emptied on the second run are removed."""
    for job in ("j1", "j2"):
        for name in ("a", "b", "c"):
            touch(root / "p" / job / name, days_old=OLD)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        # Readings: j1 (1), its files (2-4), j2 (5), j2/a (6), j2/b reaches the deadline (7).
        first = run_shard(fd, ShardTask("p"), walk_options(root, deadline=7, clock=TickClock()))
        assert first.stopped_at == ((DIR, "p"), (DIR, "j2"), (FILE, "b"))
        second = run_shard(fd, ShardTask("p", first.stopped_at), walk_options(root))
    finally:
        os.close(fd)
    assert second.stopped_at is None
    assert files_under(root) == set()
    assert dirs_under(root) == set()
    assert (first.stats.files_deleted, second.stats.files_deleted) == (4, 2)


def test_shard_that_cannot_be_walked_keeps_its_cursor(root: Path) -> None:
    """A shard raising an OSError at its top stays incomplete at its starting cursor."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    os.close(fd)  # a closed descriptor: every call on it fails with EBADF
    result: ShardResult = run_shard(fd, ShardTask("", ((FILE, "x"),)), walk_options(root))
    assert result.stopped_at == ((FILE, "x"),)
    assert result.stats.errors == 1


def test_directory_whose_listing_fails_is_kept_and_siblings_are_cleaned(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An I/O error listing one directory (e.g. ESTALE on NFS) is an error for that directory
    only: the shard goes on, and its sibling is cleaned in the same run."""
    touch(root / "p" / "bad" / "old.tmp", days_old=OLD)
    touch(root / "p" / "good" / "old.tmp", days_old=OLD)
    original = walk._Walker.list_dir

    def failing_list(self: walk._Walker, fd: int) -> tuple[list[os.DirEntry[str]], list[str], int]:
        if Path(f"/proc/self/fd/{fd}").readlink().name == "bad":
            raise OSError(116, "Stale file handle")
        return original(self, fd)

    monkeypatch.setattr(walk._Walker, "list_dir", failing_list)
    stats = clean_root(root)
    assert files_under(root) == {"p/bad/old.tmp"}
    assert stats.error_samples == ["list p/bad: Stale file handle"]


@given(st.binary(min_size=1, max_size=64), st.text(max_size=16))
def test_printable_makes_any_name_encodable_and_single_line(name: bytes, text: str) -> None:
    """Whatever bytes a file name holds (and whatever text surrounds it), `printable` gives a
    string that encodes as strict UTF-8 and has no line breaks or other control characters."""
    shown = printable(f"{text}/{os.fsdecode(name)}")
    shown.encode("utf-8")
    assert not any(ord(char) < 0x20 or ord(char) == 0x7F for char in shown)


def test_printable_shows_the_original_bytes() -> None:
    """An undecodable byte appears as `\\xNN` of that byte; valid UTF-8 is unchanged."""
    assert printable(os.fsdecode(b"caf\xe9-\xff/r\xc3\xa9sum\xc3\xa9\n")) == (
        "caf\\xe9-\\xff/résumé\\x0a"
    )
