"""Where an unfinished clean-up stopped, kept in a small JSON file on the mount.

Per mode (`delete`, `dry-run`: a dry run never moves the real run's position) and per root,
the file records the shard frontier and cursors (`RootProgress`) plus the running totals of
the cycle, so the run that finishes a cycle can report all of it.

The file is read with `O_NOFOLLOW` and written atomically (a temporary file created with
`O_EXCL | O_NOFOLLOW` in the same directory, fsync, `rename`), relative to a descriptor of
its directory: a symlink planted at the state file's name is replaced, never written through.
A missing, unreadable or malformed file means "no progress": the walk is idempotent, so the
worst case is re-examining files already kept.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from dataclasses import dataclass, field
from typing import Final

from functions.efs_cleanup.walk import DIR, FILE, Cursor, ShardResult

__all__ = ["STATE_VERSION", "RootProgress", "StateFile", "StateFileError"]

STATE_VERSION: Final = 1
_MAX_BYTES: Final = 32 * 1024 * 1024
_OPEN_DIR: Final = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class StateFileError(RuntimeError):
    """The state file could not be read or written; the message says which and why."""


def _cursor_from_json(raw: object) -> Cursor:
    if not isinstance(raw, list):
        raise ValueError("cursor is not a list")
    steps: list[tuple[str, str]] = []
    for step in raw:
        if (
            not isinstance(step, list)
            or len(step) != 2
            or step[0] not in (DIR, FILE)
            or not isinstance(step[1], str)
        ):
            raise ValueError(f"bad cursor step {step!r}")
        steps.append((step[0], step[1]))
    return tuple(steps)


@dataclass(slots=True)
class RootProgress:
    """How far one root's current cycle got.

    Shards (the root's own files, key "", then each top-level directory by name) are ordered
    by key. Every shard with a key below `frontier` is complete; at or above it, a shard is
    complete if listed in `done`, part-way if it has a cursor in `partial`, else not started.
    """

    frontier: str = ""
    partial: dict[str, Cursor] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    cycle_started: str = ""
    files_deleted: int = 0
    bytes_freed: int = 0
    runs: int = 0

    def is_done(self, key: str) -> bool:
        """Whether shard `key` was completed earlier in this cycle."""
        return key < self.frontier or key in self.done

    def advance(self, keys: list[str], results: list[ShardResult]) -> RootProgress | None:
        """The progress after a run over shards `keys` (sorted) that produced `results`;
        None when every shard is complete (the cycle is over)."""
        by_key = {result.key: result for result in results}
        first_incomplete: str | None = None
        partial: dict[str, Cursor] = {}
        done: set[str] = set()
        for key in keys:
            cursor: Cursor | None
            if self.is_done(key):
                cursor = None
            elif key in by_key:
                cursor = by_key[key].stopped_at
            else:
                cursor = self.partial.get(key, ())
            if cursor is None:
                if first_incomplete is not None:
                    done.add(key)
                continue
            if first_incomplete is None:
                first_incomplete = key
            if cursor:
                partial[key] = cursor
        if first_incomplete is None:
            return None
        return RootProgress(
            frontier=first_incomplete,
            partial=partial,
            done=done,
            cycle_started=self.cycle_started,
            files_deleted=self.files_deleted,
            bytes_freed=self.bytes_freed,
            runs=self.runs,
        )

    def to_json(self) -> dict[str, object]:
        """The JSON form stored in the state file."""
        return {
            "frontier": self.frontier,
            "partial": {key: [list(step) for step in c] for key, c in self.partial.items()},
            "done": sorted(self.done),
            "cycleStarted": self.cycle_started,
            "filesDeleted": self.files_deleted,
            "bytesFreed": self.bytes_freed,
            "runs": self.runs,
        }

    @classmethod
    def from_json(cls, raw: object) -> RootProgress:
        """Parse `to_json`'s form; ValueError when it is not that."""
        if not isinstance(raw, dict):
            raise ValueError("root progress is not an object")
        frontier, partial, done = raw.get("frontier"), raw.get("partial"), raw.get("done")
        if not isinstance(frontier, str) or not isinstance(partial, dict):
            raise ValueError("frontier or partial missing")
        if not isinstance(done, list) or not all(isinstance(key, str) for key in done):
            raise ValueError("done is not a list of names")
        numbers = [raw.get(name, 0) for name in ("filesDeleted", "bytesFreed", "runs")]
        if not all(isinstance(n, int) for n in numbers):
            raise ValueError("totals are not integers")
        started = raw.get("cycleStarted", "")
        return cls(
            frontier=frontier,
            partial={str(key): _cursor_from_json(value) for key, value in partial.items()},
            done=set(done),
            cycle_started=started if isinstance(started, str) else "",
            files_deleted=int(numbers[0]),
            bytes_freed=int(numbers[1]),
            runs=int(numbers[2]),
        )


class StateFile:
    """The state document at `<parent>/<name>`: modes → roots → `RootProgress`."""

    def __init__(self, parent: str, name: str) -> None:
        self.parent = parent
        self.name = name

    def load(self, mode: str) -> tuple[dict[str, RootProgress], str | None]:
        """This mode's progress per root, and a problem to report when the file was unusable."""
        try:
            raw = self._read()
        except StateFileError as error:
            return {}, f"{error}; starting this cycle over"
        if raw is None:
            return {}, None
        try:
            document = json.loads(raw)
            if not isinstance(document, dict) or document.get("version") != STATE_VERSION:
                raise ValueError(f"not a version {STATE_VERSION} state document")
            roots = document.get("modes", {}).get(mode, {})
            if not isinstance(roots, dict):
                raise ValueError(f"mode {mode} is not an object")
            return {str(r): RootProgress.from_json(p) for r, p in roots.items()}, None
        except (ValueError, AttributeError) as error:
            return {}, f"state file {self.name} is malformed ({error}); starting this cycle over"

    def save(self, mode: str, progress: dict[str, RootProgress]) -> None:
        """Replace this mode's progress, keeping the other mode's; StateFileError on failure."""
        try:
            raw = self._read()
            document = json.loads(raw) if raw else {}
            if not isinstance(document, dict) or document.get("version") != STATE_VERSION:
                document = {}
        except (StateFileError, ValueError):
            document = {}
        modes = document.get("modes")
        modes = dict(modes) if isinstance(modes, dict) else {}
        modes[mode] = {root: p.to_json() for root, p in sorted(progress.items())}
        payload = json.dumps({"version": STATE_VERSION, "modes": modes}, indent=1, sort_keys=True)
        self._write(payload.encode("utf-8"))

    def _open_parent(self) -> int:
        try:
            return os.open(self.parent, _OPEN_DIR)
        except OSError as error:
            raise StateFileError(f"state directory {self.parent}: {error.strerror}") from error

    def _read(self) -> bytes | None:
        parent = self._open_parent()
        try:
            try:
                fd = os.open(self.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
            except FileNotFoundError:
                return None
            except OSError as error:
                why = "is a symlink" if error.errno == errno.ELOOP else error.strerror
                raise StateFileError(f"state file {self.name} {why}") from error
            try:
                chunks: list[bytes] = []
                total = 0
                while chunk := os.read(fd, 1 << 20):
                    chunks.append(chunk)
                    total += len(chunk)
                    if total > _MAX_BYTES:
                        raise StateFileError(f"state file {self.name} exceeds {_MAX_BYTES} bytes")
                return b"".join(chunks)
            finally:
                os.close(fd)
        finally:
            os.close(parent)

    def _write(self, payload: bytes) -> None:
        parent = self._open_parent()
        temporary = f".{self.name}.{os.getpid()}.tmp"
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=parent)  # left by a run that died mid-write
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(temporary, flags, 0o600, dir_fd=parent)
            try:
                view = memoryview(payload)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temporary, self.name, src_dir_fd=parent, dst_dir_fd=parent)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=parent)
            raise StateFileError(f"writing state file {self.name}: {error.strerror}") from error
        finally:
            os.close(parent)
