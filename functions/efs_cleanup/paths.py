"""Resolve the mount, the scratch roots and the state file, refusing anything outside.

A root is used only if it is a real directory strictly inside the resolved mount, reached
without a single symlink: a root that is the mount itself, lies outside it, is not a
directory, or is (or passes through) a symlink at any component is refused and left alone,
whatever its configured name suggests. A symlinked root is refused even when its target lies
inside the mount: following `scratch/volumes -> ../projects` would apply scratch retention to
project data. The root is then opened one component at a time from the mount, each with
`O_NOFOLLOW | O_DIRECTORY` relative to its parent's descriptor, and the kernel's own path of
the opened descriptor must equal the expected path, so a symlink swapped in after the check is
caught too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

__all__ = [
    "PathRefusedError",
    "is_inside",
    "open_root",
    "resolve_mount",
    "resolve_root",
    "resolve_state_file",
]

_OPEN_DIR: Final = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class PathRefusedError(ValueError):
    """A configured path resolves somewhere the clean-up must not go; the message says where."""


def is_inside(path: str, parent: str) -> bool:
    """Whether resolved `path` is `parent` or below it (component-wise, not string prefix)."""
    return Path(path).is_relative_to(parent)


def resolve_mount(mount_path: str) -> str:
    """The resolved mount path; PathRefusedError when it is not a directory (not mounted)."""
    real = os.path.realpath(mount_path)
    if not Path(real).is_dir():
        raise PathRefusedError(f"MOUNT_PATH {mount_path} is not a directory (is EFS mounted?)")
    return real


def _symlinked_component(mount_real: str, configured: str) -> str | None:
    """The first component of `configured` (below the mount) that is a symlink, or None."""
    current = Path(mount_real)
    for part in Path(configured).parts:
        current = current / part
        if current.is_symlink():
            return str(current.relative_to(mount_real))
    return None


def resolve_root(mount_real: str, configured: str) -> str:
    """The path of scratch root `configured`, a real directory strictly inside the mount
    reached through no symlink; PathRefusedError (naming the link) otherwise."""
    lexical = os.path.normpath(Path(mount_real) / configured)
    link = _symlinked_component(mount_real, configured)
    if link is not None:
        target = os.path.realpath(Path(mount_real) / link)
        if target == mount_real:
            where = ", the mount itself"
        elif not is_inside(target, mount_real):
            where = f", outside the mount {mount_real}"
        else:
            where = ""
        raise PathRefusedError(
            f"root {configured!r}: {link} is a symlink to {target}{where}; symlinked roots "
            "are refused and left alone"
        )
    real = os.path.realpath(lexical)
    if real == mount_real:
        raise PathRefusedError(f"root {configured!r} resolves to the mount itself ({real})")
    if not is_inside(real, mount_real) or real != lexical:
        raise PathRefusedError(
            f"root {configured!r} resolves to {real}, outside the mount {mount_real}"
        )
    if not Path(real).is_dir():
        raise PathRefusedError(f"root {configured!r} ({real}) is not an existing directory")
    return real


def open_root(real: str, mount_real: str | None = None) -> int:
    """A descriptor of the root at `real`, opened one component at a time below `mount_real`
    (when given) with O_NOFOLLOW, after checking the kernel opened that very path."""
    if mount_real is None:
        fd = os.open(real, _OPEN_DIR)
    else:
        fd = os.open(mount_real, _OPEN_DIR)
        try:
            for part in Path(real).relative_to(mount_real).parts:
                child = os.open(part, _OPEN_DIR, dir_fd=fd)
                os.close(fd)
                fd = child
        except OSError as error:
            os.close(fd)
            raise PathRefusedError(
                f"root {real} changed while being opened ({error.strerror}); left alone"
            ) from error
    try:
        opened = str(Path(f"/proc/self/fd/{fd}").readlink())
    except OSError:
        return fd  # no /proc (not Linux): the O_NOFOLLOW descent is the check
    if opened != real:
        os.close(fd)
        raise PathRefusedError(f"root {real} changed while being opened (now {opened})")
    return fd


def resolve_state_file(mount_real: str, relative: str, roots_real: list[str]) -> tuple[str, str]:
    """(resolved parent directory, file name) of the state file, inside the mount and outside
    every scratch root (a state file inside a root could be cleaned away)."""
    joined = Path(mount_real) / relative
    parent = os.path.realpath(joined.parent)
    name = joined.name
    if not is_inside(parent, mount_real):
        raise PathRefusedError(f"STATE_FILE {relative!r} resolves outside the mount ({parent})")
    for root in roots_real:
        if is_inside(parent, root):
            raise PathRefusedError(f"STATE_FILE {relative!r} resolves inside scratch root {root}")
    return parent, name
