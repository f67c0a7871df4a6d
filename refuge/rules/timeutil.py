"""Small date and instant helpers (no clock: every function is pure)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

END_OF_DAY: Final = time(23, 59, 59)
ONE_DAY: Final = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The same day-of-month ``months`` later (or earlier); the month's last day if shorter."""
    index = day.month - 1 + months
    year = day.year + index // 12
    month = index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """23:59:59 local time on ``day`` in ``zone``: the last instant of a day-based deadline."""
    return datetime.combine(day, END_OF_DAY, tzinfo=zone)


def start_of_day(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def local_date(instant: datetime, zone: tzinfo) -> date:
    return instant.astimezone(zone).date()


def iso(instant: datetime) -> str:
    return instant.isoformat(timespec="seconds")
