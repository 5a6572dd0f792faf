"""AWS facts and shared formats that settings, components and functions all check against.

One place for each: a value written in two layers drifts (the name-prefix pattern once did,
accepting in one component a prefix another refused).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "LOG_RETENTION_DAYS",
    "NAME_PREFIX",
    "TIME_OF_DAY",
    "UNRESERVED_CONCURRENCY_MINIMUM",
    "WEEKDAYS",
]

LOG_RETENTION_DAYS: Final = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
"""The retention periods CloudWatch Logs accepts (`PutRetentionPolicy`'s `retentionInDays`)."""

NAME_PREFIX: Final = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
"""A prefix of physical names: starts with a letter (IAM, Lambda, Step Functions), ends with a
letter or digit and is at most 32 characters, so `<prefix>-<category>-<region>` stays within
S3's 63-character bucket names."""

TIME_OF_DAY: Final = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
"""A 24-hour `HH:MM` (groups: hour, minute), as schedules are configured."""

WEEKDAYS: Final = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
"""Day names as EventBridge Scheduler cron expressions write them, Sunday first."""

UNRESERVED_CONCURRENCY_MINIMUM: Final = 100
"""Lambda concurrency an account always keeps unreserved. AWS Lambda Developer Guide,
"Configuring reserved concurrency for a function": "You can reserve up to the Unreserved account
concurrency value that is shown, minus 100 for functions that don't have reserved concurrency."
"""
