"""Turn matching Kubernetes log lines into one readable, de-duplicated alert per delivery.

Container Insights (Fluent Bit) writes each application log line as JSON that names its pod:

    {"log": "java.lang.OutOfMemoryError …", "stream": "stderr",
     "kubernetes": {"pod_name": "bwa-7f9c…", "namespace_name": "tb-genomics",
                    "container_name": "bwa", …}}

Lines that are not such JSON fall back to the log stream name, which Container Insights builds
from the container log file `<pod>_<namespace>_<container>-<container id>.log`.

Duplicates are suppressed in two ways, neither needing a table:
- within one delivery, lines with the same normalized text are shown once with a count;
- across deliveries, a key already reported within the window is dropped by an in-memory TTL
  cache that lives as long as the warm execution environment.
Limits of the second: every concurrent execution environment has its own cache, and a cold
start forgets it. So a storm can still alert once per environment per window; the function's
reserved concurrency bounds how many that is. Nothing is ever lost silently: suppressed lines
are counted in the summary and in the function's metrics.
"""

from __future__ import annotations

import json
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final
from urllib.parse import quote

from functions.common.ports import Publisher
from functions.log_alerts.event import LogsBatch

__all__ = [
    "Alert",
    "DedupeCache",
    "LogLine",
    "ReportSettings",
    "ReportSummary",
    "build_alert",
    "console_url",
    "normalize",
    "parse_line",
    "report_batch",
]

UNKNOWN: Final = "unknown"
_MESSAGE_BUDGET_BYTES: Final = 64 * 1024
"""Well under SNS's 256 KB, because people read these in e-mail; the notifier enforces SNS's."""
_MAX_PODS: Final = 20
_STREAM_FILE: Final = re.compile(
    r"(?:^|[./])(?P<pod>[a-z0-9][a-z0-9-]*)_(?P<namespace>[a-z0-9-]+)_(?P<container>[a-z0-9-]+)"
    r"-[0-9a-f]{64}(?:\.log)?$"
)
_NORMALIZERS: Final = (
    (
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"),
        "<ts>",
    ),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<id>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<ip>"),
    (re.compile(r"\b0x[0-9a-f]+\b|\b[0-9a-f]{12,}\b", re.I), "<hex>"),
    (re.compile(r"\d+"), "<n>"),
    (re.compile(r"\s+"), " "),
)


@dataclass(frozen=True, slots=True)
class LogLine:
    """One log line with the pod it came from."""

    namespace: str
    pod: str
    container: str
    text: str
    timestamp_ms: int


def _from_stream(log_stream: str) -> tuple[str, str, str]:
    match = _STREAM_FILE.search(log_stream)
    if match is None:
        return UNKNOWN, log_stream or UNKNOWN, UNKNOWN
    return match["namespace"], match["pod"], match["container"]


def parse_line(message: str, log_stream: str, timestamp_ms: int) -> LogLine:
    """The line and its pod: from Container Insights JSON if it is that, else the stream name."""
    namespace, pod, container = _from_stream(log_stream)
    text = message
    try:
        document = json.loads(message)
    except ValueError:
        document = None
    if isinstance(document, dict):
        kubernetes = document.get("kubernetes")
        if isinstance(kubernetes, dict):
            namespace = str(kubernetes.get("namespace_name") or namespace)
            pod = str(kubernetes.get("pod_name") or pod)
            container = str(kubernetes.get("container_name") or container)
        log = document.get("log", document.get("message"))
        if isinstance(log, str):
            text = log
    return LogLine(
        namespace=namespace,
        pod=pod,
        container=container,
        text=text.rstrip("\r\n"),
        timestamp_ms=timestamp_ms,
    )


def normalize(text: str) -> str:
    """The line with what varies between repeats (times, ids, addresses, numbers) masked, so
    the same failure of another replica or a later retry counts as a duplicate."""
    normalized = text.strip().lower()
    for pattern, replacement in _NORMALIZERS:
        normalized = pattern.sub(replacement, normalized)
    return normalized[:500]


class DedupeCache:
    """Keys reported within the last `window_seconds`, bounded to `max_entries` (oldest go)."""

    def __init__(
        self,
        window_seconds: float,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if window_seconds <= 0 or max_entries < 1:
            raise ValueError("window_seconds and max_entries must be positive")
        self._window = window_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def is_recent(self, key: str) -> bool:
        """Whether `key` was recorded within the window (expired keys are dropped)."""
        now = self._clock()
        recorded = self._seen.get(key)
        if recorded is None:
            return False
        if now - recorded >= self._window:
            del self._seen[key]
            return False
        return True

    def record(self, key: str) -> None:
        """Remember `key` as reported now."""
        self._seen[key] = self._clock()
        self._seen.move_to_end(key)
        while len(self._seen) > self._max_entries:
            self._seen.popitem(last=False)


def console_url(region: str, log_group: str, log_stream: str) -> str:
    """A CloudWatch console link to the log stream (the console double-escapes path parts)."""

    def escape(value: str) -> str:
        return quote(value, safe="").replace("%", "$25")

    base = f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
    return f"{base}#logsV2:log-groups/log-group/{escape(log_group)}/log-events/{escape(log_stream)}"


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """How much of a delivery goes into one alert."""

    region: str
    max_lines_per_pod: int = 5
    max_line_chars: int = 500


@dataclass(slots=True)
class _PodGroup:
    namespace: str
    pod: str
    containers: set[str] = field(default_factory=set)
    counts: OrderedDict[str, int] = field(default_factory=OrderedDict)
    first_text: dict[str, LogLine] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Alert:
    """What to publish, plus the numbers the handler reports as metrics."""

    subject: str
    message: str
    pods: int
    lines: int
    keys: tuple[str, ...] = ()
    """Dedupe keys to record once the alert is out, so a failed publish is retried in full."""


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """The outcome of one delivery."""

    lines: int
    suppressed: int
    pods: int
    published: bool
    message_id: str = ""

    def as_dict(self) -> dict[str, object]:
        """Plain values for the structured log line."""
        return {
            "lines": self.lines,
            "suppressed": self.suppressed,
            "pods": self.pods,
            "published": self.published,
            "message_id": self.message_id,
        }


def _group(
    lines: Iterable[LogLine], cache: DedupeCache
) -> tuple[list[_PodGroup], int, int, list[str]]:
    groups: dict[tuple[str, str], _PodGroup] = {}
    kept = suppressed = 0
    new_keys: list[str] = []
    for line in lines:
        normalized = normalize(line.text)
        key = f"{line.namespace}\x1f{normalized}"
        if cache.is_recent(key):
            suppressed += 1
            continue
        kept += 1
        new_keys.append(key)
        group = groups.setdefault(
            (line.namespace, line.pod), _PodGroup(namespace=line.namespace, pod=line.pod)
        )
        group.containers.add(line.container)
        group.counts[normalized] = group.counts.get(normalized, 0) + 1
        group.first_text.setdefault(normalized, line)
    return list(groups.values()), kept, suppressed, new_keys


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _timestamp(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _render_group(group: _PodGroup, settings: ReportSettings) -> list[str]:
    containers = ", ".join(sorted(group.containers - {UNKNOWN})) or UNKNOWN
    rendered = [f"Pod {group.pod} (namespace {group.namespace}, container {containers})"]
    for normalized, count in list(group.counts.items())[: settings.max_lines_per_pod]:
        line = group.first_text[normalized]
        repeat = f"  (x{count})" if count > 1 else ""
        text = _clip(line.text.replace("\n", " "), settings.max_line_chars)
        rendered.append(f"  {_timestamp(line.timestamp_ms)}  {text}{repeat}")
    hidden = len(group.counts) - settings.max_lines_per_pod
    if hidden > 0:
        rendered.append(f"  … and {hidden} more distinct lines (see the log link)")
    return rendered


def build_alert(
    batch: LogsBatch, *, cache: DedupeCache, settings: ReportSettings
) -> tuple[Alert | None, int]:
    """The alert for `batch` (None when every line was already reported) and how many lines
    the cache suppressed. Reads `cache` only; `report_batch` records after publishing."""
    lines = [parse_line(e.message, batch.log_stream, e.timestamp_ms) for e in batch.events]
    groups, kept, suppressed, keys = _group(lines, cache)
    if not groups:
        return None, suppressed
    filters = ", ".join(batch.subscription_filters) or "subscription"
    namespaces = sorted({g.namespace for g in groups})
    pods_word = "pod" if len(groups) == 1 else "pods"
    subject = (
        f"Log alert ({filters}): {groups[0].pod}"
        if len(groups) == 1
        else f"Log alert ({filters}): {len(groups)} {pods_word} in {', '.join(namespaces)}"
    )
    body = [
        f"{kept} matching log lines from {len(groups)} {pods_word} in {batch.log_group}",
        f"Filter: {filters}",
        f"Logs: {console_url(settings.region, batch.log_group, batch.log_stream)}",
        "",
    ]
    footer: list[str] = []
    if len(groups) > _MAX_PODS:
        footer.append(f"… and {len(groups) - _MAX_PODS} more pods (see the log link)")
    if suppressed:
        footer.append(f"{suppressed} lines already reported recently were left out.")
    used = len("\n".join(body + footer).encode("utf-8"))
    for group in groups[:_MAX_PODS]:
        section = "\n".join([*_render_group(group, settings), ""])
        size = len(section.encode("utf-8")) + 1
        if used + size > _MESSAGE_BUDGET_BYTES:
            footer.insert(0, "… more pods left out to keep this message readable")
            break
        body.append(section)
        used += size
    return (
        Alert(
            subject=subject,
            message="\n".join(body + footer),
            pods=len(groups),
            lines=kept,
            keys=tuple(dict.fromkeys(keys)),
        ),
        suppressed,
    )


def report_batch(
    batch: LogsBatch,
    *,
    cache: DedupeCache,
    publisher: Publisher,
    settings: ReportSettings,
) -> ReportSummary:
    """Publish one alert for the delivery unless every line was reported within the window."""
    alert, suppressed = build_alert(batch, cache=cache, settings=settings)
    if alert is None:
        return ReportSummary(lines=0, suppressed=suppressed, pods=0, published=False)
    message_id = publisher.publish(alert.subject, alert.message)
    for key in alert.keys:
        cache.record(key)
    return ReportSummary(
        lines=alert.lines,
        suppressed=suppressed,
        pods=alert.pods,
        published=True,
        message_id=message_id,
    )
