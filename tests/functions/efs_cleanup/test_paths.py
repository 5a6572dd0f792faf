"""Resolved-path checks: roots and the state file must stay inside the mount."""

from __future__ import annotations

from pathlib import Path

import pytest

from functions.efs_cleanup.paths import (
    PathRefusedError,
    is_inside,
    open_root,
    resolve_mount,
    resolve_root,
    resolve_state_file,
)


@pytest.fixture
def mount(tmp_path: Path) -> Path:
    path = tmp_path / "mnt"
    (path / "scratch").mkdir(parents=True)
    return path


def test_plain_root_resolves_inside(mount: Path) -> None:
    """A real directory below the mount resolves to itself."""
    assert resolve_root(str(mount), "scratch") == str(mount / "scratch")


def test_root_symlinked_outside_the_mount_is_refused(mount: Path, tmp_path: Path) -> None:
    """`scratch2 -> /elsewhere` looks inside but resolves outside: refused."""
    (tmp_path / "elsewhere").mkdir()
    (mount / "scratch2").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(PathRefusedError, match="outside the mount"):
        resolve_root(str(mount), "scratch2")


def test_root_symlinked_to_the_mount_itself_is_refused(mount: Path) -> None:
    """`all -> .` would make the whole mount a scratch root: refused."""
    (mount / "all").symlink_to(mount)
    with pytest.raises(PathRefusedError, match="mount itself"):
        resolve_root(str(mount), "all")


def test_missing_root_is_refused(mount: Path) -> None:
    """A root that does not exist is refused rather than silently skipped."""
    with pytest.raises(PathRefusedError, match="not an existing directory"):
        resolve_root(str(mount), "nope")


def test_unmounted_mount_is_refused(tmp_path: Path) -> None:
    """A mount path that is not a directory (EFS not mounted) is refused."""
    with pytest.raises(PathRefusedError, match="is EFS mounted"):
        resolve_mount(str(tmp_path / "absent"))


def test_sibling_with_a_common_prefix_is_not_inside(tmp_path: Path) -> None:
    """`/mnt/scratch-old` is not inside `/mnt/scratch`: the check is per component."""
    assert not is_inside(str(tmp_path / "scratch-old"), str(tmp_path / "scratch"))
    assert is_inside(str(tmp_path / "scratch" / "x"), str(tmp_path / "scratch"))


def test_state_file_resolving_into_a_root_is_refused(mount: Path) -> None:
    """A state directory that is a link into a scratch root is refused (it could be cleaned)."""
    (mount / "meta").symlink_to(mount / "scratch")
    with pytest.raises(PathRefusedError, match="inside scratch root"):
        resolve_state_file(str(mount), "meta/state.json", [str(mount / "scratch")])


def test_state_file_resolving_outside_the_mount_is_refused(mount: Path, tmp_path: Path) -> None:
    """A state directory that is a link out of the mount is refused."""
    (mount / "meta").symlink_to(tmp_path)
    with pytest.raises(PathRefusedError, match="outside the mount"):
        resolve_state_file(str(mount), "meta/state.json", [])


def test_open_root_checks_what_was_opened(mount: Path) -> None:
    """The descriptor opened for a root is that very directory."""
    import os

    fd = open_root(str(mount / "scratch"))
    try:
        assert os.path.samestat(os.fstat(fd), (mount / "scratch").stat())
    finally:
        os.close(fd)


def test_open_root_refuses_a_symlink(mount: Path) -> None:
    """O_NOFOLLOW: a root path whose last component became a link cannot be opened."""
    (mount / "link").symlink_to(mount / "scratch")
    with pytest.raises(OSError):  # noqa: PT011 - ELOOP, whatever the message
        open_root(str(mount / "link"))
