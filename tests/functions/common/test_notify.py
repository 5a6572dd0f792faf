"""The shared SNS summary policy every function reports through."""

from __future__ import annotations

from functions.common.notify import NotificationError, fit_message, fit_subject, publish_summary


class _Failing:
    def publish(self, subject: str, message: str) -> str:
        raise NotificationError("topic is gone")


class _Recording:
    def __init__(self) -> None:
        self.published: list[tuple[str, str]] = []
        self.metrics: list[tuple[str, float]] = []
        self.logged: list[object] = []

    def publish(self, subject: str, message: str) -> str:
        self.published.append((subject, message))
        return "id-1"

    def add_metric(self, name: str, unit: str, value: float) -> None:
        self.metrics.append((name, value))

    def exception(self, msg: object, *args: object, extra: object = None) -> None:
        self.logged.append(extra)


def test_publish_summary_reports_success() -> None:
    """A published summary returns True and counts no failure."""
    sink = _Recording()
    assert publish_summary(sink, sink, sink, "s", "m") is True
    assert sink.published == [("s", "m")]
    assert sink.metrics == []


def test_publish_summary_failure_is_counted_and_logged_not_raised() -> None:
    """An SNS failure is counted as NotificationFailures and logged with the whole summary."""
    sink = _Recording()
    assert publish_summary(_Failing(), sink, sink, "s", "the whole report") is False
    assert sink.metrics == [("NotificationFailures", 1)]
    assert sink.logged == [{"summary": "the whole report"}]


def test_fit_message_stays_within_the_sns_limit() -> None:
    """A message over 256 KB is cut on a character boundary with a note, under the limit."""
    fitted = fit_message("é" * 200_000)
    assert len(fitted.encode("utf-8")) <= 256 * 1024
    assert fitted.endswith("(truncated to fit SNS; the full report is linked above)")


def test_fit_subject_is_one_ascii_line_of_at_most_100_characters() -> None:
    """Line breaks and non-ASCII become spaces; long subjects are cut to 100 characters."""
    subject = fit_subject("Reaper\nrun → " + "x" * 200)
    assert "\n" not in subject
    assert subject.isascii()
    assert len(subject) == 100
