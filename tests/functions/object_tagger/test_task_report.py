"""Streaming the DataSync task report: same items as a whole-document parse, read lazily."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.common.datasync_types import S3Destination
from functions.object_tagger.task_report import (
    ReportFormatError,
    detailed_report_prefix,
    is_transferred_report,
    iter_array_items,
    transferred_keys,
)

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def chunked(data: bytes, cuts: list[int]) -> Iterator[bytes]:
    """`data` split at the given byte offsets (which may fall inside a UTF-8 sequence)."""
    previous = 0
    for cut in sorted({c % (len(data) + 1) for c in cuts}):
        yield data[previous:cut]
        previous = cut
    yield data[previous:]


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(json_values, max_size=8),
    before=st.dictionaries(
        st.sampled_from(["TaskExecutionId", "Summary", "A"]), json_values, max_size=2
    ),
    after=st.dictionaries(st.sampled_from(["Z", "Result"]), json_values, max_size=2),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12),
    indent=st.sampled_from([None, 2]),
)
def test_streamed_items_equal_a_whole_parse(
    items: list[object],
    before: dict[str, object],
    after: dict[str, object],
    cuts: list[int],
    indent: int | None,
) -> None:
    """For any report and any chunking, the streamed array items equal json.loads' items."""
    document = {**before, "Transferred": items, **after}
    data = json.dumps(document, indent=indent, ensure_ascii=False).encode("utf-8")
    assert list(iter_array_items(chunked(data, cuts), "Transferred")) == items


def test_items_arrive_before_the_report_is_read_whole() -> None:
    """The first entry is yielded after reading only the first chunks, not the whole report."""
    entries = [{"RelativePath": f"/projects/p/raw/rs_{n}.fastq"} for n in range(10_000)]
    data = json.dumps({"TaskExecutionId": "exec-1", "Transferred": entries}).encode()
    pieces = [data[i : i + 4096] for i in range(0, len(data), 4096)]
    consumed = 0

    def source() -> Iterator[bytes]:
        nonlocal consumed
        for piece in pieces:
            consumed += 1
            yield piece

    first = next(iter_array_items(source(), "Transferred"))
    assert first == entries[0]
    assert consumed <= 2 < len(pieces)


def test_number_split_across_chunks_is_read_whole() -> None:
    """A number cut at a chunk boundary is not read as its first digits."""
    chunks = [b'{"Transferred": [12', b"345, 6]}"]
    assert list(iter_array_items(chunks, "Transferred")) == [12345, 6]


def test_report_without_the_array_yields_nothing() -> None:
    """A summary-only document has no entries."""
    assert list(iter_array_items([b'{"TaskExecutionId": "exec-1"}'], "Transferred")) == []
    assert list(iter_array_items([b"{}"], "Transferred")) == []


@pytest.mark.parametrize(
    "data",
    [
        b'{"Transferred": [{"RelativePath": "/a"}',
        b'["not", "an", "object"]',
        b'{"Transferred": [1 2]}',
        b'{"Transferred": [1], "x" 2}',
        b"",
        b'{"Transferred": ["\xff"]}',
    ],
)
def test_malformed_reports_fail_clearly(data: bytes) -> None:
    """Truncated, non-object, badly separated or non-UTF-8 reports raise ReportFormatError."""
    with pytest.raises(ReportFormatError):
        list(iter_array_items([data], "Transferred"))


def test_report_layout() -> None:
    """Reports live under <prefix>/Detailed-Reports/<task-id>/<exec-id>/."""
    assert (
        detailed_report_prefix("/datasync/", "task-0123456789abcdef0", "exec-0123456789abcdef0")
        == "datasync/Detailed-Reports/task-0123456789abcdef0/exec-0123456789abcdef0/"
    )
    assert detailed_report_prefix("", "task-1", "exec-1") == "Detailed-Reports/task-1/exec-1/"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("p/exec-1.files-transferred-v1-00001-0a1b2c3d4e5f6a7b8.json", True),
        ("p/exec-1.files-verified-v1-00001-0a1b2c3d4e5f6a7b8.json", False),
        ("p/exec-1.files-skipped-v1-00001-0a1b2c3d4e5f6a7b8.json", False),
        ("p/exec-1.files-transferred-v1-00001.json.tmp", False),
    ],
)
def test_only_transferred_reports_are_read(key: str, expected: bool) -> None:
    """Verified, skipped and deleted reports are not lists of written objects."""
    assert is_transferred_report(key) is expected


def test_transferred_keys_keep_successful_files_only() -> None:
    """Directories, failed transfers and empty paths produce no key; files map under the prefix."""
    entries: list[object] = [
        {
            "RelativePath": "/projects/p1/raw/rs_a.fastq.gz",
            "SrcMetadata": {"Type": "Regular"},
            "TransferStatus": "SUCCESS",
        },
        {
            "RelativePath": "/projects/p1/raw",
            "SrcMetadata": {"Type": "Directory"},
            "TransferStatus": "SUCCESS",
        },
        {"RelativePath": "/projects/p1/raw/rs_b.fastq.gz", "TransferStatus": "FAILED"},
        {"RelativePath": "/projects/p1/raw/rs_c.fastq.gz"},
        {"RelativePath": "/"},
    ]
    keys = list(transferred_keys(entries, S3Destination("b", "landing")))
    assert keys == [
        "landing/projects/p1/raw/rs_a.fastq.gz",
        "landing/projects/p1/raw/rs_c.fastq.gz",
    ]


def test_non_object_entry_is_a_format_error() -> None:
    """An entry that is not a JSON object means the report is not what DataSync documents."""
    with pytest.raises(ReportFormatError):
        list(transferred_keys(["/a"], S3Destination("b", "")))
