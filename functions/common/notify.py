"""Publish human-readable summaries to SNS within its limits.

SNS rejects messages over 256 KB and subjects over 100 characters (ASCII, no line breaks). Every
function reports through this one adapter so none of them can lose a summary to those limits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from botocore.exceptions import ClientError

from functions.common.ports import COUNT, ErrorLog, MetricSink, Publisher

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

__all__ = [
    "MAX_MESSAGE_BYTES",
    "MAX_SUBJECT_CHARS",
    "ErrorLog",
    "NotificationError",
    "Notifier",
    "fit_message",
    "fit_subject",
    "publish_summary",
]

MAX_MESSAGE_BYTES: Final = 256 * 1024
MAX_SUBJECT_CHARS: Final = 100
_TRUNCATION_NOTE: Final = "\n… (truncated to fit SNS; the full report is linked above)"


class NotificationError(RuntimeError):
    """Publishing a summary failed; the caller decides whether that fails the invocation."""


def fit_subject(subject: str) -> str:
    """A subject SNS accepts: printable ASCII on one line, at most 100 characters."""
    cleaned = "".join(ch if 32 <= ord(ch) < 127 else " " for ch in subject).strip()
    if len(cleaned) > MAX_SUBJECT_CHARS:
        cleaned = cleaned[: MAX_SUBJECT_CHARS - 1] + "~"
    return cleaned or "genomics platform notification"


def fit_message(message: str, limit: int = MAX_MESSAGE_BYTES) -> str:
    """`message` cut on a character boundary so its UTF-8 encoding stays within `limit` bytes."""
    encoded = message.encode("utf-8")
    if len(encoded) <= limit:
        return message
    budget = limit - len(_TRUNCATION_NOTE.encode("utf-8"))
    head = encoded[:budget].decode("utf-8", errors="ignore")
    return head + _TRUNCATION_NOTE


class Notifier:
    """Publishes to one SNS topic; the only place functions talk to SNS."""

    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, subject: str, message: str) -> str:
        """Publish and return the message id; raises NotificationError on an SNS error."""
        try:
            response = self._client.publish(
                TopicArn=self._topic_arn,
                Subject=fit_subject(subject),
                Message=fit_message(message),
            )
        except ClientError as error:
            raise NotificationError(f"could not publish to {self._topic_arn}: {error}") from error
        return response["MessageId"]


def publish_summary(
    publisher: Publisher, metrics: MetricSink, log: ErrorLog, subject: str, message: str
) -> bool:
    """Publish a run's summary; a failure is logged with the whole message and counted.

    Destructive functions must not raise here: Lambda would retry the whole run (and act
    again) only because the e-mail could not be sent. The `NotificationFailures` metric and the
    log line keep what the run did visible.
    """
    try:
        publisher.publish(subject, message)
    except NotificationError:
        metrics.add_metric(name="NotificationFailures", unit=COUNT, value=1)
        log.exception("summary could not be published", extra={"summary": message})
        return False
    return True
