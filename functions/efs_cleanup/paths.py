"""Resolve the mount, the scratch roots and the state file, refusing anything outside.

A root is used only if its resolved path (`os.path.realpath`, which follows every symlink on
the way) is strictly inside the resolved mount: a root that is the mount itself, lies outside
it, or is not a directory is refused, whatever its configured name suggests. The root is then
opened with `O_NOFOLLOW | O_DIRECTORY` and the kernel's own path of the opened descriptor must
equal the resolved path, so a symlink swapped in after the check is caught too.
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


def resolve_root(mount_real: str, configured: str) -> str:
    """The resolved path of scratch root `configured`, strictly inside the mount."""
    real = os.path.realpath(Path(mount_real) / configured)
    if real == mount_real:
        raise PathRefusedError(f"root {configured!r} resolves to the mount itself ({real})")
    if not is_inside(real, mount_real):
        raise PathRefusedError(
            f"root {configured!r} resolves to {real}, outside the mount {mount_real}"
        )
    if not Path(real).is_dir():
        raise PathRefusedError(f"root {configured!r} ({real}) is not an existing directory")
    return real


def open_root(real: str) -> int:
    """A descriptor of the resolved root, after checking the kernel opened that very path."""
    fd = os.open(real, _OPEN_DIR)
    try:
        opened = str(Path(f"/proc/self/fd/{fd}").readlink())
    except OSError:
        return fd  # no /proc (not Linux): realpath plus O_NOFOLLOW is the check
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
