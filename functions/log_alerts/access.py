"""The AWS calls the log-alert forwarder makes (evaluated by `make access`)."""

from __future__ import annotations

from typing import Final

from functions.common.access import Call

CALLS: Final = (Call("sns:Publish", "env:TOPIC_ARN"),)
