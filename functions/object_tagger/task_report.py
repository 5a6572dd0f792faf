"""Read which objects a DataSync execution wrote from its task report, streamed.

Layout assumed (AWS DataSync user guide, "Monitoring your transfers with task reports", and
AWS's own samples that read these reports): with a STANDARD report whose transferred level
includes successes, DataSync writes under the task's report destination

    <prefix>/Detailed-Reports/<task-id>/<exec-id>/<exec-id>.files-transferred-v1-00001-<hash>.json

(more files, `-00002-…`, for large executions; `files-verified`, `files-skipped` and
`files-deleted` reports beside them). Each transferred file is one JSON object whose
`Transferred` array lists one entry per file, folder or object, e.g.

    {"TaskExecutionId": "exec-…", ..., "Transferred": [
        {"RelativePath": "/projects/p1/raw/rs_a.fastq.gz", "SrcMetadata": {"Type": "Regular", …},
         "TransferStatus": "SUCCESS", "TransferType": "CONTENT_AND_METADATA", …}, …]}

`RelativePath` is relative to the source location, so the object key is the destination
location's prefix followed by it. Entries whose `SrcMetadata.Type` is `Directory`, or whose
`TransferStatus` is present and not `SUCCESS`, did not produce an object to tag.

A report can list millions of entries, so it is parsed incrementally: only the entry being
decoded and one read chunk are in memory at a time.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from typing import Final

from functions.common.datasync_types import S3Destination
from functions.common.object_keys import is_folder_marker

__all__ = [
    "TRANSFERRED_ARRAY",
    "ReportFormatError",
    "detailed_report_prefix",
    "is_transferred_report",
    "iter_array_items",
    "transferred_keys",
]

TRANSFERRED_ARRAY: Final = "Transferred"
_DETAILED_REPORTS: Final = "Detailed-Reports"
_TRANSFERRED_MARKER: Final = ".files-transferred-"
_DECODER: Final = json.JSONDecoder()
_WHITESPACE: Final = " \t\r\n"


class ReportFormatError(ValueError):
    """A task report is not the JSON DataSync documents; the message says where it breaks."""


def detailed_report_prefix(report_prefix: str, task_id: str, execution_id: str) -> str:
    """The key prefix under which DataSync writes one execution's detailed reports."""
    parts = (report_prefix.strip("/"), _DETAILED_REPORTS, task_id, execution_id)
    return "/".join(part for part in parts if part) + "/"


def is_transferred_report(key: str) -> bool:
    """Whether `key` names a transferred-items report (not verified, skipped or deleted)."""
    name = key.rsplit("/", 1)[-1]
    return _TRANSFERRED_MARKER in name and name.endswith(".json")


class _Cursor:
    """A read position over text decoded incrementally from byte chunks."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._eof = False
        self.text = ""
        self.pos = 0

    def more(self) -> bool:
        """Append the next decoded chunk, dropping consumed text; False at end of input."""
        if self._eof:
            return False
        if self.pos:
            self.text = self.text[self.pos :]
            self.pos = 0
        try:
            for chunk in self._chunks:
                piece = self._decoder.decode(chunk)
                if piece:
                    self.text += piece
                    return True
            tail = self._decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise ReportFormatError(f"report is not UTF-8: {error.reason}") from None
        self._eof = True
        self.text += tail
        return bool(tail)

    def peek(self) -> str:
        """The next character that is not white space (consuming the white space); "" at end."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str) -> None:
        """Consume `char` after optional white space, or fail naming what was found."""
        found = self.peek()
        if found != char:
            raise ReportFormatError(f"expected {char!r}, found {found or 'end of report'!r}")
        self.pos += 1

    def value(self) -> object:
        """Decode one complete JSON value at the cursor, reading more input until it is whole."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as error:
                if self.more():
                    continue
                raise ReportFormatError(f"invalid JSON in report: {error.msg}") from None
            # A number that ends exactly at the end of the text may continue in the next chunk.
            if end == len(self.text) and self.more():
                continue
            self.pos = end
            return value


def iter_array_items(chunks: Iterable[bytes], array_key: str) -> Iterator[object]:
    """The items of the top-level array `array_key` of a JSON object read from `chunks`.

    Other top-level members are decoded and discarded (they are the report's small summary
    fields); a document without `array_key` yields nothing.
    """
    cursor = _Cursor(chunks)
    cursor.expect("{")
    if cursor.peek() == "}":
        return
    while True:
        key = cursor.value()
        if not isinstance(key, str):
            raise ReportFormatError(f"expected a member name, found {key!r}")
        cursor.expect(":")
        if key == array_key and cursor.peek() == "[":
            cursor.expect("[")
            if cursor.peek() == "]":
                cursor.pos += 1
            else:
                while True:
                    yield cursor.value()
                    separator = cursor.peek()
                    cursor.pos += 1
                    if separator == "]":
                        break
                    if separator != ",":
                        raise ReportFormatError(
                            f"expected ',' or ']' in {array_key!r}, found {separator!r}"
                        )
        else:
            cursor.value()
        separator = cursor.peek()
        cursor.pos += 1
        if separator == "}":
            return
        if separator != ",":
            raise ReportFormatError(
                f"expected ',' or '}}' after member {key!r}, found {separator!r}"
            )


def transferred_keys(entries: Iterable[object], destination: S3Destination) -> Iterator[str]:
    """Object keys of the entries that produced an object: files transferred successfully."""
    for entry in entries:
        if not isinstance(entry, dict):
            raise ReportFormatError(f"a {TRANSFERRED_ARRAY!r} entry is not an object: {entry!r}")
        relative_path = entry.get("RelativePath")
        if not isinstance(relative_path, str) or not relative_path.strip("/"):
            continue
        metadata = entry.get("SrcMetadata")
        if isinstance(metadata, dict) and metadata.get("Type") == "Directory":
            continue
        if is_folder_marker(relative_path):
            continue
        status = entry.get("TransferStatus")
        if status is not None and status != "SUCCESS":
            continue
        yield destination.key_for(relative_path)
