"""The one place the audit reads S3's daily storage metrics; failures become CountError.

`AWS/S3 NumberOfObjects` (dimensions BucketName and StorageType=AllStorageTypes) is published
once a day per bucket, free and without listing; it lags by up to two days, which is fine for
choosing between one Lambda and a Distributed Map.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

from botocore.exceptions import BotoCoreError, ClientError

from functions.tag_audit.fanout import CountError

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

__all__ = ["LOOKBACK", "CloudWatchAdapter"]

LOOKBACK: Final = timedelta(days=3)
"""How far back to look for the latest daily datapoint."""


class CloudWatchAdapter:
    """NumberOfObjects look-ups over one CloudWatch client."""

    def __init__(
        self, client: CloudWatchClient, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._client = client
        self._now = now

    def object_count(self, bucket: str) -> int | None:
        """The latest daily object count of `bucket`; None when S3 published none yet."""
        end = self._now()
        try:
            response = self._client.get_metric_statistics(
                Namespace="AWS/S3",
                MetricName="NumberOfObjects",
                Dimensions=[
                    {"Name": "BucketName", "Value": bucket},
                    {"Name": "StorageType", "Value": "AllStorageTypes"},
                ],
                StartTime=end - LOOKBACK,
                EndTime=end,
                Period=86400,
                Statistics=["Average"],
            )
        except (ClientError, BotoCoreError) as error:
            raise CountError(
                f"GetMetricStatistics NumberOfObjects {bucket} failed: {error}"
            ) from error
        points = [p for p in response.get("Datapoints", []) if "Timestamp" in p and "Average" in p]
        if not points:
            return None
        latest = max(points, key=lambda point: point["Timestamp"])
        return int(latest["Average"])
