"""The audit's full report: one JSON line per finding, spooled to a temporary file.

A list in memory would grow with the number of findings; a temporary file (Lambda's /tmp,
512 MB by default, configurable to 10 GB) keeps memory flat, and the upload streams from it
(multipart above 8 MB), so the report size has no memory cost either.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from datetime import datetime
from types import TracebackType
from typing import IO, Final, Protocol

__all__ = ["CONTENT_TYPE", "JsonLinesReport", "ReportUploader", "report_key"]

CONTENT_TYPE: Final = "application/x-ndjson"


class ReportUploader(Protocol):
    """Uploads a file object (`functions.common.s3_adapter.S3Adapter.upload`)."""

    def upload(self, bucket: str, key: str, body: IO[bytes], *, content_type: str) -> None: ...


def report_key(prefix: str, run_at: datetime) -> str:
    """Where a run's report goes: dated folders, named after the run so a retry overwrites it."""
    name = f"{run_at:%Y/%m/%d}/tag-audit-{run_at:%Y%m%dT%H%M%SZ}.jsonl"
    return f"{prefix}/{name}" if prefix else name


class JsonLinesReport:
    """Append-only JSON lines in a temporary file, deleted when closed."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="tag-audit-", suffix=".jsonl")  # noqa: SIM115 - closed by close()/__exit__
        self.lines = 0

    def write(self, record: Mapping[str, object]) -> None:
        """Append one record as a line."""
        self._file.write(json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        self._file.write(b"\n")
        self.lines += 1

    def upload(self, uploader: ReportUploader, bucket: str, key: str) -> str:
        """Upload everything written so far; returns the report's s3:// location."""
        self._file.flush()
        self._file.seek(0)
        uploader.upload(bucket, key, self._file, content_type=CONTENT_TYPE)
        return f"s3://{bucket}/{key}"

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()

    def __enter__(self) -> JsonLinesReport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
