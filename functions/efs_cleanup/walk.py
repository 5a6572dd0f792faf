"""Walk one shard of a scratch root and delete its old regular files, safely and fast.

Safety, by construction rather than by checking names:

- Every directory is opened relative to its parent's descriptor with `O_NOFOLLOW |
  O_DIRECTORY`, and files are examined (`fstatat(AT_SYMLINK_NOFOLLOW)`, via
  `DirEntry.stat(follow_symlinks=False)`) and unlinked (`unlinkat`) relative to that
  descriptor. A symlink is never followed, whether it was there when listed or swapped in
  later: opening it fails and it is counted as skipped. So the walk cannot leave the root
  through a link, and a link's target is never touched (the link itself is not a regular
  file, so it is not deleted either).
- As a second line, the path the kernel reports for each opened directory
  (`/proc/self/fd/<n>`) must lie inside the resolved root; a directory that does not is
  refused and reported. Unlike a `realpath` check on a name, this looks at what was actually
  opened, so it cannot be raced.
- Only regular files (`S_ISREG` on the lstat result) older than the cut-off are unlinked;
  a file's age is the later of its mtime and ctime (`functions.efs_cleanup.core`). A
  file that vanishes between listing and unlink (`FileNotFoundError`) is counted, not an
  error; any other `OSError` (permissions, I/O) is counted as an error with a sample kept,
  and the walk goes on.
- A directory is removed (`rmdir`, which only ever removes an empty directory) after its
  walk completed, when it is more than `keep_dirs_depth` levels below the root (strictly
  inside a volume: `<namespace>/<pvc>/<dir>`), it ended up empty, and either this walk
  deleted something in it or it is itself older than the cut-off (later of mtime and ctime).
  An empty directory a job created a minute ago is kept. The root, the namespace directories
  and the volume roots are never removed: a volume root is the root of a live CSI access
  point, and removing it under a mounted pod makes every access fail with ESTALE.
- Every path that reaches a report or an error sample goes through `printable`, so a file
  name that is not UTF-8 (or holds control characters) is shown escaped and can never make
  the summary unencodable.

Progress: a shard does not stop before it has handled at least one entry, so a run always
moves the position forward, even when re-descending to it used up a tiny budget; the
overrun is one entry, which the safety margin covers.

Order and resumption: within a directory, files are handled first, then subdirectories, each
sorted by name. The position is a `Cursor`, a path of `(kind, name)` steps from the root
(`("d", "jobs"), ("d", "42"), ("f", "out.bam")`: the first entry not yet handled). When the
clock passes the deadline the walk stops before the next entry and returns that cursor;
given it back, the walk skips everything before it. Skipping is by name comparison, so it
works whether or not the entries before it still exist.

Speed: one `getdents` pass per directory (`os.scandir`, whose `d_type` answers is-file and
is-dir without a system call), one `fstatat` per file and one `unlinkat` per old file, the
same system calls `find -type f -mtime +N -delete` makes, with no per-file `Path` objects.
Known limits, shared with find: a file rewritten between the stat and the unlink is deleted
with its old age, and a directory renamed out of the root while being walked is walked to
its end.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Final

from functions.efs_cleanup.verify import CopyVerifier, Verdict

__all__ = [
    "DIR",
    "FILE",
    "Cursor",
    "ShardResult",
    "ShardTask",
    "WalkOptions",
    "WalkStats",
    "printable",
    "run_shard",
]

FILE: Final = "f"
DIR: Final = "d"
Cursor = tuple[tuple[str, str], ...]
"""Steps `(kind, name)` from the root to the first entry not yet handled; `()` = the start."""

_OPEN_DIR: Final = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_IFMT: Final = stat.S_IFMT(0o177777)
_IFREG: Final = stat.S_IFREG
_BY_NAME: Final = attrgetter("name")
_SURROGATE_BYTES: Final = range(0xDC80, 0xDD00)
"""Where `os.fsdecode` (surrogateescape) puts the bytes 0x80-0xFF that are not UTF-8."""


def printable(text: str) -> str:
    """`text` with every byte that is not valid UTF-8 and every control character escaped.

    Names from the file system arrive as `str` with undecodable bytes as lone surrogates
    (`os.fsdecode`'s surrogateescape); those cannot be encoded as UTF-8, so a report holding
    one would fail to publish. They come back here as `\\xNN` (the original byte), other lone
    surrogates as `\\uNNNN`, control characters as `\\xNN` (a newline in a name cannot forge
    a report line). Everything else is unchanged.
    """
    if text.isprintable():
        return text  # the common case: no surrogate or control character (both unprintable)
    out: list[str] = []
    for char in text:
        code = ord(char)
        if code in _SURROGATE_BYTES:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(char)
    return "".join(out)


def _age_stamp(info: os.stat_result) -> float:
    """When the file or directory last changed here: the later of mtime and ctime."""
    return max(info.st_mtime, info.st_ctime)


@dataclass(slots=True)
class WalkStats:
    """Counts of one walk (or many, merged with `add`); in a dry run `files_deleted` and
    `bytes_freed` are what would have been deleted and freed."""

    files_deleted: int = 0
    bytes_freed: int = 0
    files_young: int = 0
    files_unverified: int = 0
    dirs_removed: int = 0
    others_skipped: int = 0
    """Symlinks, sockets, FIFOs, devices: never deleted, never followed."""
    vanished: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def add(self, other: WalkStats, max_samples: int) -> None:
        """Fold `other` into these counts, keeping at most `max_samples` error samples."""
        self.files_deleted += other.files_deleted
        self.bytes_freed += other.bytes_freed
        self.files_young += other.files_young
        self.files_unverified += other.files_unverified
        self.dirs_removed += other.dirs_removed
        self.others_skipped += other.others_skipped
        self.vanished += other.vanished
        self.errors += other.errors
        room = max_samples - len(self.error_samples)
        self.error_samples.extend(other.error_samples[: max(room, 0)])

    def error(self, text: str, max_samples: int) -> None:
        """Count one error and keep its text (made `printable`) while there is room."""
        self.errors += 1
        if len(self.error_samples) < max_samples:
            self.error_samples.append(printable(text))


@dataclass(frozen=True, slots=True)
class WalkOptions:
    """What every shard of one root shares."""

    cutoff: float
    """Files whose later of mtime and ctime (epoch seconds) is below this may be deleted."""
    dry_run: bool
    deadline: float
    """A `clock()` value; the walk stops before the first entry it reaches after it."""
    root_real: str
    """The resolved root: every opened directory must lie inside it."""
    mount_relative_root: str = ""
    """The root relative to the mount, to name files to the verifier."""
    max_error_samples: int = 20
    verifier: CopyVerifier | None = None
    clock: Callable[[], float] = time.monotonic
    max_depth: int = 256
    """Deeper directories are reported and left alone (the walk recurses)."""
    keep_dirs_depth: int = 2
    """Directories this many levels below the root, or fewer, are never removed (the
    namespace directories and volume roots, `CleanupConfig.volume_root_depth`)."""


@dataclass(frozen=True, slots=True)
class ShardTask:
    """One unit of parallel work: the root's own files (`key == ""`) or one top-level
    directory's whole tree (`key` = its name), from `cursor` (root-relative) on."""

    key: str
    cursor: Cursor = ()


@dataclass(slots=True)
class ShardResult:
    """What a shard did, and where it stopped (`None`: it completed)."""

    key: str
    stats: WalkStats
    stopped_at: Cursor | None


class _Stop(Exception):  # noqa: N818 - control flow, not an error
    """The deadline passed; `cursor` is the first entry not handled."""

    def __init__(self, cursor: Cursor) -> None:
        super().__init__("time budget reached")
        self.cursor = cursor


def _dirs_cursor(rel: tuple[str, ...], step: tuple[str, str]) -> Cursor:
    return (*((DIR, name) for name in rel), step)


class _Walker:
    def __init__(self, options: WalkOptions, stats: WalkStats) -> None:
        self.options = options
        self.stats = stats
        self.root_prefix = options.root_real.rstrip("/") + "/"
        self.progressed = False
        """Whether this shard handled an entry yet: it may not stop before it has, so every
        run moves the cursor forward however small its budget (no livelock re-descending
        to the same position run after run)."""

    # ---- helpers ----

    def record_error(self, rel: tuple[str, ...], name: str, action: str, error: OSError) -> None:
        path = "/".join((*rel, name))
        detail = error.strerror or str(error)
        self.stats.error(f"{action} {path}: {detail}", self.options.max_error_samples)

    def _inside_root(self, fd: int) -> bool:
        """Whether the directory open at `fd` is (still) inside the resolved root."""
        try:
            # os.readlink, not Path.readlink: once per directory, and pathlib's parsing costs
            # more than the system call.
            actual = os.readlink(f"/proc/self/fd/{fd}")  # noqa: PTH115
        except OSError:
            # No /proc (not Linux): the O_NOFOLLOW descent alone keeps the walk inside.
            return True
        return actual.startswith(self.root_prefix)

    def list_dir(self, fd: int) -> tuple[list[os.DirEntry[str]], list[str], int]:
        """(regular files, directories, count of other entries) of the open directory."""
        with os.scandir(fd) as iterator:
            entries = list(iterator)
        try:
            # The d_type of each entry answers without a system call; comprehensions keep
            # the per-entry cost of the common case (100k files) low.
            files = [e for e in entries if e.is_file(follow_symlinks=False)]
            rest = [e for e in entries if not e.is_file(follow_symlinks=False)]
            dirs = [e.name for e in rest if e.is_dir(follow_symlinks=False)]
        except FileNotFoundError:
            # The file system gave no d_type and an entry vanished before its lstat.
            files, rest, dirs = self._classify_slowly(entries)
        others = len(rest) - len(dirs)
        files.sort(key=_BY_NAME)
        dirs.sort()
        self.stats.others_skipped += others
        return files, dirs, others

    def _classify_slowly(
        self, entries: list[os.DirEntry[str]]
    ) -> tuple[list[os.DirEntry[str]], list[os.DirEntry[str]], list[str]]:
        files: list[os.DirEntry[str]] = []
        rest: list[os.DirEntry[str]] = []
        dirs: list[str] = []
        for entry in entries:
            try:
                is_file = entry.is_file(follow_symlinks=False)
                is_dir = not is_file and entry.is_dir(follow_symlinks=False)
            except FileNotFoundError:
                self.stats.vanished += 1
                continue
            if is_file:
                files.append(entry)
            else:
                rest.append(entry)
                if is_dir:
                    dirs.append(entry.name)
        return files, rest, dirs

    # ---- files ----

    def handle_files(
        self, fd: int, rel: tuple[str, ...], files: list[os.DirEntry[str]], start: str | None
    ) -> tuple[int, int]:
        """Handle `files` (sorted) from name `start` on; returns (remaining, removed)."""
        options = self.options
        clock, deadline, cutoff = options.clock, options.deadline, options.cutoff
        dry_run, verifier = options.dry_run, options.verifier
        unlink, ifmt, ifreg = os.unlink, _IFMT, _IFREG
        remaining = removed = deleted = freed = young = vanished = others = 0
        if start is not None:
            # Files before the cursor were handled by an earlier run; whatever is left of
            # them stays (it was young, or kept for a reason).
            first = bisect_left(files, start, key=_BY_NAME)
            remaining, files = first, files[first:]
        try:
            progressed = self.progressed
            for entry in files:
                name = entry.name
                if clock() >= deadline and progressed:
                    raise _Stop(_dirs_cursor(rel, (FILE, name)))
                if not progressed:
                    self.progressed = progressed = True
                try:
                    info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    vanished += 1
                    continue
                except OSError as error:
                    self.record_error(rel, name, "stat", error)
                    remaining += 1
                    continue
                if info.st_mode & ifmt != ifreg:
                    others += 1  # replaced by a link or a directory since the listing
                    remaining += 1
                    continue
                if info.st_mtime >= cutoff or info.st_ctime >= cutoff:
                    young += 1
                    remaining += 1
                    continue
                if verifier is not None and not self._verified(verifier, rel, name, info.st_size):
                    remaining += 1
                    continue
                if dry_run:
                    deleted += 1
                    freed += info.st_size
                    remaining += 1
                    continue
                try:
                    unlink(name, dir_fd=fd)
                except FileNotFoundError:
                    vanished += 1
                    continue
                except OSError as error:
                    self.record_error(rel, name, "unlink", error)
                    remaining += 1
                    continue
                deleted += 1
                freed += info.st_size
                removed += 1
        finally:
            stats = self.stats
            stats.files_deleted += deleted
            stats.bytes_freed += freed
            stats.files_young += young
            stats.vanished += vanished
            stats.others_skipped += others
        return remaining, removed

    def _verified(self, verifier: CopyVerifier, rel: tuple[str, ...], name: str, size: int) -> bool:
        path = "/".join(p for p in (self.options.mount_relative_root, *rel, name) if p)
        check = verifier.check(path, size)
        if check.verdict is Verdict.COPIED:
            return True
        self.stats.files_unverified += 1
        if check.verdict is Verdict.ERROR:
            self.stats.error(f"verify {path}: {check.detail}", self.options.max_error_samples)
        return False

    # ---- directories ----

    def walk_dir(self, fd: int, rel: tuple[str, ...], cursor: Cursor) -> tuple[int, int]:
        """Walk the open directory `fd` (at `rel` from the root) from `cursor` (relative to
        it); returns (entries remaining in it, entries removed from it)."""
        files, dirs, others = self.list_dir(fd)
        kind, name, rest = (cursor[0][0], cursor[0][1], cursor[1:]) if cursor else ("", "", ())
        remaining, removed = others, 0
        if kind == DIR:
            remaining += len(files)  # all files come before any directory: handled earlier
        else:
            left, gone = self.handle_files(fd, rel, files, name if kind == FILE else None)
            remaining += left
            removed += gone
        for child in dirs:
            if kind == DIR and child < name:
                remaining += 1
                continue
            inner = rest if kind == DIR and child == name else ()
            if self.options.clock() >= self.options.deadline and self.progressed:
                raise _Stop(_dirs_cursor(rel, (DIR, child)) + inner)
            if self.enter(fd, rel, child, inner):
                removed += 1
            else:
                remaining += 1
            self.progressed = True
        return remaining, removed

    def enter(self, parent_fd: int, rel: tuple[str, ...], name: str, cursor: Cursor) -> bool:
        """Walk child directory `name` of `parent_fd`; True when it is gone afterwards."""
        options = self.options
        try:
            fd = os.open(name, _OPEN_DIR, dir_fd=parent_fd)
        except FileNotFoundError:
            self.stats.vanished += 1
            return True
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR):
                self.stats.others_skipped += 1  # swapped for a link or a file since listing
            else:
                self.record_error(rel, name, "open", error)
            return False
        child_rel = (*rel, name)
        try:
            if not self._inside_root(fd):
                self.stats.error(
                    f"refused {'/'.join(child_rel)}: opened directory is outside the root",
                    options.max_error_samples,
                )
                return False
            if len(child_rel) > options.max_depth:
                self.stats.error(
                    f"refused {'/'.join(child_rel)}: deeper than {options.max_depth} levels",
                    options.max_error_samples,
                )
                return False
            try:
                remaining, removed = self.walk_dir(fd, child_rel, cursor)
            except FileNotFoundError:
                self.stats.vanished += 1
                return False
            except OSError as error:
                # Listing failed (EACCES, EIO, ESTALE on NFS): keep the directory, go on with
                # its siblings; the next cycle tries it again.
                self.record_error(rel, name, "list", error)
                return False
            if remaining or options.dry_run or len(child_rel) <= options.keep_dirs_depth:
                return False  # not empty, a dry run, or a volume root or above: kept
            if not removed:
                try:
                    if _age_stamp(os.fstat(fd)) >= options.cutoff:
                        return False  # empty but recent: a job may be about to use it
                except OSError as error:
                    self.record_error(rel, name, "stat", error)
                    return False
        finally:
            os.close(fd)
        try:
            os.rmdir(name, dir_fd=parent_fd)
        except FileNotFoundError:
            return True
        except OSError:
            return False  # not empty any more (a job wrote into it), or busy: keep it
        self.stats.dirs_removed += 1
        return True


def run_shard(root_fd: int, task: ShardTask, options: WalkOptions) -> ShardResult:
    """Walk one shard from its cursor; the result says where it stopped, if it did."""
    stats = WalkStats()
    walker = _Walker(options, stats)
    try:
        if task.key == "":
            files, _, _ = walker.list_dir(root_fd)
            start = task.cursor[0][1] if task.cursor and task.cursor[0][0] == FILE else None
            walker.handle_files(root_fd, (), files, start)
        else:
            inner = task.cursor[1:] if task.cursor else ()
            walker.enter(root_fd, (), task.key, inner)
    except _Stop as stop:
        return ShardResult(task.key, stats, stop.cursor)
    except OSError as error:
        walker.record_error((), task.key or ".", "walk", error)
        return ShardResult(task.key, stats, task.cursor)
    return ShardResult(task.key, stats, None)
