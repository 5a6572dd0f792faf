"""The forwarder's pure core: pod attribution, grouping, de-duplication, truncation, links."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from functions.log_alerts.core import (
    DedupeCache,
    ReportSettings,
    build_alert,
    console_url,
    normalize,
    parse_line,
    report_batch,
)
from functions.log_alerts.event import parse_event
from tests.functions.log_alerts.support import APP_GROUP, STREAM, container_line, delivery

SETTINGS = ReportSettings(region="ap-south-1", max_lines_per_pod=3, max_line_chars=80)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingPublisher:
    def __init__(self, *, fail: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self._fail = fail

    def publish(self, subject: str, message: str) -> str:
        if self._fail:
            raise RuntimeError("SNS is down")
        self.sent.append((subject, message))
        return f"msg-{len(self.sent)}"


def _alert_message(messages: list[str], cache: DedupeCache | None = None) -> str:
    alert, _ = build_alert(
        parse_event(delivery(messages)), cache=cache or DedupeCache(900), settings=SETTINGS
    )
    assert alert is not None
    return alert.message


# ---- attribution ----


def test_container_insights_json_names_pod_and_namespace() -> None:
    """The kubernetes block of a Fluent Bit line decides pod, namespace and the text."""
    line = parse_line(container_line("OOMKilled", pod="p-1", namespace="ns"), "stream", 5)
    assert (line.pod, line.namespace, line.container, line.text) == (
        "p-1",
        "ns",
        "bwa",
        "OOMKilled",
    )


def test_plain_line_falls_back_to_the_stream_name() -> None:
    """A non-JSON line takes pod, namespace and container from the container log file name."""
    line = parse_line("ERROR: disk full", STREAM, 5)
    assert (line.pod, line.namespace, line.container) == ("bwa-7f9c6d-x2k4p", "tb-genomics", "bwa")
    assert line.text == "ERROR: disk full"


def test_unrecognised_stream_is_used_as_the_pod() -> None:
    """A stream that is not a container log file still identifies where the line came from."""
    line = parse_line("ERROR", "custom-stream", 5)
    assert (line.pod, line.namespace) == ("custom-stream", "unknown")


# ---- normalization and grouping ----


def test_normalize_masks_what_varies_between_repeats() -> None:
    """Times, ids, addresses and numbers do not make two occurrences different."""
    first = normalize(
        "2026-01-01T00:00:01Z ERROR job 42 on 10.0.0.1:8080 id 0f8fad5b-d9cb-469f-a165-70867728950e"
    )
    second = normalize(
        "2026-03-09T11:12:13Z ERROR job 97 on 10.0.0.9:9090 id 7c9e6679-7425-40de-944b-e07fc1f90ae7"
    )
    assert first == second


def test_lines_are_grouped_by_pod() -> None:
    """Each pod gets its own section with its namespace."""
    message = _alert_message(
        [
            container_line("ERROR a", pod="pod-a"),
            container_line("ERROR b", pod="pod-b", namespace="rare"),
        ]
    )
    assert "Pod pod-a (namespace tb-genomics" in message
    assert "Pod pod-b (namespace rare" in message


def test_repeats_within_a_delivery_are_shown_once_with_a_count() -> None:
    """The same failure three times is one line marked x3."""
    message = _alert_message([container_line(f"ERROR retry {n} failed") for n in range(3)])
    assert message.count("ERROR retry") == 1
    assert "(x3)" in message


# ---- de-duplication across deliveries ----


def test_repeat_within_window_is_suppressed() -> None:
    """A second delivery of an already reported failure publishes nothing."""
    cache, publisher = DedupeCache(900, clock=FakeClock()), RecordingPublisher()
    batch = parse_event(delivery([container_line("OOMKilled")]))
    report_batch(batch, cache=cache, publisher=publisher, settings=SETTINGS)
    summary = report_batch(batch, cache=cache, publisher=publisher, settings=SETTINGS)
    assert len(publisher.sent) == 1
    assert (summary.published, summary.suppressed) == (False, 1)


def test_repeat_after_window_is_reported_again() -> None:
    """Once the window has passed, the same failure alerts again."""
    clock = FakeClock()
    cache, publisher = DedupeCache(900, clock=clock), RecordingPublisher()
    batch = parse_event(delivery([container_line("OOMKilled")]))
    report_batch(batch, cache=cache, publisher=publisher, settings=SETTINGS)
    clock.now += 901
    report_batch(batch, cache=cache, publisher=publisher, settings=SETTINGS)
    assert len(publisher.sent) == 2


def test_failed_publish_does_not_mark_lines_reported() -> None:
    """If SNS fails, the retry of the delivery is not suppressed."""
    cache = DedupeCache(900, clock=FakeClock())
    batch = parse_event(delivery([container_line("OOMKilled")]))
    with pytest.raises(RuntimeError):
        report_batch(batch, cache=cache, publisher=RecordingPublisher(fail=True), settings=SETTINGS)
    publisher = RecordingPublisher()
    report_batch(batch, cache=cache, publisher=publisher, settings=SETTINGS)
    assert len(publisher.sent) == 1


def test_suppressed_lines_are_counted_in_the_message() -> None:
    """A partly known delivery says how many lines were left out as already reported."""
    cache = DedupeCache(900, clock=FakeClock())
    publisher = RecordingPublisher()
    report_batch(
        parse_event(delivery([container_line("OOMKilled")])),
        cache=cache,
        publisher=publisher,
        settings=SETTINGS,
    )
    both = parse_event(delivery([container_line("OOMKilled"), container_line("CrashLoopBackOff")]))
    report_batch(both, cache=cache, publisher=publisher, settings=SETTINGS)
    assert "1 lines already reported recently were left out" in publisher.sent[1][1]


def test_cache_is_bounded() -> None:
    """The cache forgets its oldest keys instead of growing without bound."""
    cache = DedupeCache(900, max_entries=2, clock=FakeClock())
    for key in ("a", "b", "c"):
        cache.record(key)
    assert len(cache) == 2
    assert not cache.is_recent("a")


# ---- limits and links ----


def test_lines_per_pod_are_capped() -> None:
    """Only the first distinct lines of a pod are shown, with how many more exist."""
    message = _alert_message([container_line(f"ERROR kind-{chr(97 + n)}") for n in range(5)])
    assert "kind-c" in message
    assert "kind-d" not in message
    assert "and 2 more distinct lines" in message


def test_long_lines_are_clipped() -> None:
    """A huge stack-trace line is cut to the configured width."""
    message = _alert_message([container_line("ERROR " + "x" * 5000)])
    (shown,) = [line for line in message.splitlines() if "xxx" in line]
    assert len(shown) < 200


def test_message_stays_small_for_many_pods() -> None:
    """A storm across many pods stays far below SNS's limit."""
    lines = [container_line("E" * 400 + chr(65 + n % 26) * 5, pod=f"pod-{n}") for n in range(200)]
    message = _alert_message(lines)
    assert len(message.encode("utf-8")) <= 64 * 1024
    assert "more pods" in message


def test_subject_names_pod_for_a_single_pod() -> None:
    """One pod's alert says which pod in the subject."""
    alert, _ = build_alert(
        parse_event(delivery([container_line("OOMKilled")])),
        cache=DedupeCache(900),
        settings=SETTINGS,
    )
    assert alert is not None
    assert "bwa-7f9c6d-x2k4p" in alert.subject


def test_console_url_escapes_like_the_console() -> None:
    """The link opens the stream in the region's console (slashes double-escaped)."""
    url = console_url("ap-south-1", APP_GROUP, "a/b")
    assert url.startswith(
        "https://ap-south-1.console.aws.amazon.com/cloudwatch/home?region=ap-south-1#"
    )
    assert "log-group/$252Faws$252Fcontainerinsights$252Fgen-test$252Fapplication/" in url
    assert url.endswith("log-events/a$252Fb")


def test_message_links_to_the_stream() -> None:
    """The alert carries the console link of the delivered log stream."""
    assert console_url("ap-south-1", APP_GROUP, STREAM) in _alert_message([container_line("ERROR")])


@pytest.mark.parametrize("module", ["functions.log_alerts.core", "functions.log_alerts.event"])
def test_core_modules_load_no_aws_sdk(module: str) -> None:
    """The core and the event parser import neither boto3 nor botocore, so they stay pure."""
    probe = (
        "import importlib, sys; importlib.import_module(sys.argv[1]); "
        "print(','.join(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, module],
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ""
