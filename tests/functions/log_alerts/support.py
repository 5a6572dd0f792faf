"""Real-shaped CloudWatch Logs subscription deliveries for the forwarder's tests."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Sequence
from typing import Any

__all__ = ["APP_GROUP", "STREAM", "container_line", "delivery", "encode"]

APP_GROUP = "/aws/containerinsights/gen-test/application"
STREAM = (
    "ip-10-40-1-23.ap-south-1.compute.internal-application.var.log.containers."
    "bwa-7f9c6d-x2k4p_tb-genomics_bwa-" + "a" * 64 + ".log"
)


def container_line(
    text: str, *, pod: str = "bwa-7f9c6d-x2k4p", namespace: str = "tb-genomics"
) -> str:
    """One application log line as Container Insights' Fluent Bit writes it."""
    return json.dumps(
        {
            "time": "2026-01-01T00:00:00.000000000Z",
            "stream": "stderr",
            "_p": "F",
            "log": text,
            "kubernetes": {
                "pod_name": pod,
                "namespace_name": namespace,
                "container_name": "bwa",
                "host": "ip-10-40-1-23.ap-south-1.compute.internal",
            },
        }
    )


def encode(document: Any) -> dict[str, Any]:
    """`document` wrapped the way CloudWatch Logs invokes a subscribed function."""
    data = base64.b64encode(gzip.compress(json.dumps(document).encode())).decode()
    return {"awslogs": {"data": data}}


def delivery(
    messages: Sequence[str], *, stream: str = STREAM, filters: Sequence[str] = ("gen-test-errors",)
) -> dict[str, Any]:
    """A DATA_MESSAGE delivery of `messages`, one second apart."""
    return encode(
        {
            "messageType": "DATA_MESSAGE",
            "owner": "111122223333",
            "logGroup": APP_GROUP,
            "logStream": stream,
            "subscriptionFilters": list(filters),
            "logEvents": [
                {"id": str(index), "timestamp": 1767225600000 + 1000 * index, "message": message}
                for index, message in enumerate(messages)
            ],
        }
    )
