"""The DataSync filter model in tests/support behaves as AWS's filtering page documents."""

from __future__ import annotations

import pytest

from tests.support.datasync_filters import InvalidFilterError, is_transferred, matches


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("/transfer_this", "/transfer_this/a.txt", True),  # folder and its content
        ("/transfer_this/", "/transfer_this/a.txt", True),  # same with a trailing slash
        ("/transfer_this", "/transfer_this2/a.txt", False),  # a folder name, not a prefix
        ("/folderA", "/FolderA/a.txt", False),  # case sensitive
        ("*.tmp", "/a/b/c.tmp", True),  # wildcard across folders
        ("*/temp", "/a/temp/x.bam", True),  # a folder named temp anywhere
        ("*/temp", "/a/temporary.bam", False),
        ("/movies_folder*", "/movies_folder1/a.mp4", True),  # rightmost wildcard
        ("/p1/workspace/raw", "/p1/workspace/raw-old/rs_x.fastq", False),
    ],
)
def test_documented_matching(pattern: str, path: str, expected: bool) -> None:
    assert matches(pattern, path) is expected


def test_a_wildcard_before_the_end_of_an_include_is_invalid() -> None:
    """`/*/raw` (the old include) is not a valid DataSync include pattern."""
    with pytest.raises(InvalidFilterError, match="rightmost"):
        is_transferred("/p1/raw/rs_x.fastq", includes="/*/raw", excludes=None)


def test_the_old_scratch_exclude_dropped_real_files() -> None:
    """`*/scratch*` excluded a file whose name merely starts with `scratch`."""
    path = "/p1/workspace/raw/scratch_notes_rs_1.fastq.gz"
    assert not is_transferred(path, includes=None, excludes="/scratch*|*/scratch*")
    assert is_transferred(path, includes=None, excludes="*/scratch")
