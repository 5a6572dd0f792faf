"""Whether a moment lies inside testing hours: the scheduler's own clock.

The stop schedule fires when testing hours end, but an event can arrive at any other time: a
person invoking the function by hand, a test event sent from the console, a schedule edited to
the wrong hour. A stop is a decision about *now*, so the function checks the time itself and
refuses a `stop` inside testing hours (`functions.ec2_scheduler.core`).

Testing hours are `TESTING_WEEKDAYS` (Monday to Friday, the days the schedules fire on) from
`start` (inclusive) to `end` (exclusive), in the stack's time zone. Without a start time the
window opens at 00:00: the safer reading, since it refuses more stops, never fewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Final
from zoneinfo import ZoneInfo

__all__ = ["TESTING_DAYS_CRON", "TESTING_WEEKDAYS", "TestingHours"]

TESTING_WEEKDAYS: Final = frozenset({0, 1, 2, 3, 4})
"""Monday (0) to Friday (4), as `datetime.weekday()` numbers them."""
TESTING_DAYS_CRON: Final = "MON-FRI"
"""The same days in the day-of-week field of the schedules' cron expressions."""
_DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class TestingHours:
    """The weekly window in which test instances must keep running."""

    __test__ = False  # a domain type whose name starts with "Test", not a pytest class

    zone: ZoneInfo
    end: time
    start: time = time(0, 0)

    def local(self, now: datetime) -> datetime:
        """`now` (timezone-aware) in the stack's time zone."""
        return now.astimezone(self.zone)

    def contains(self, now: datetime) -> bool:
        """Whether `now` (timezone-aware) is inside testing hours."""
        local = self.local(now)
        return local.weekday() in TESTING_WEEKDAYS and self.start <= local.time() < self.end

    def describe(self, now: datetime) -> str:
        """`now` and the window, for a person: `Wed 14:05 Asia/Kolkata; testing hours ...`."""
        local = self.local(now)
        return (
            f"{_DAY_NAMES[local.weekday()]} {local:%H:%M} {self.zone.key}; testing hours are "
            f"Mon-Fri {self.start:%H:%M}-{self.end:%H:%M}"
        )
