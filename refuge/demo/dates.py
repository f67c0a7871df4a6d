"""Dates relative to the day the demo is loaded, as its case files write them.

A demo case file is a `refuge.case/1` file in which a date may be written relative to the day of
loading ("today"), so the demo's deadlines are always live:

    "@-3"                      three days before today (a bare date)
    "@+0 09:00"                today at 09:00 in the case's time zone
    "@-2 10:15 Europe/Zurich"  two days ago at 10:15 in Geneva (the time zone named)
    "@-4m+6"                   four months before today (the same day of the month, or the
                               month's last day if it is shorter), then six days later

Only the date fields of events are read this way (`at`, `removal_at`, `until`, `due`,
`term_until`); anything else, and any value that does not follow the notation, is left as it is
for the case-file validation to judge. So a resolved file is an ordinary case file.
"""

from __future__ import annotations

import calendar
import re
import zoneinfo
from datetime import date, datetime, time, timedelta

DATE_FIELDS = ("at", "removal_at", "until", "due", "term_until")
RELATIVE = re.compile(
    r"^@(?:(?P<months>[+-]\d{1,3})m)?(?P<days>[+-]\d{1,4})"
    r"(?: (?P<hour>\d\d):(?P<minute>\d\d)(?: (?P<zone>[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*))?)?$"
)


def months_before(day: date, months: int) -> date:
    """The same day-of-month `months` earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def resolve_value(value: str, *, today: date, zone: str | None) -> str:
    """One relative date as an ISO date or date-time; any other value unchanged."""
    match = RELATIVE.match(value)
    if match is None:
        return value
    day = months_before(today, -int(match["months"] or 0)) + timedelta(days=int(match["days"]))
    if match["hour"] is None:
        return day.isoformat()
    name = match["zone"] or zone
    try:
        tz = zoneinfo.ZoneInfo(name) if name else None
        moment = datetime.combine(day, time(int(match["hour"]), int(match["minute"])))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value  # the validation names the path of the value left as written
    if tz is None:
        return value  # a time with no zone to read it in: left for the validation to refuse
    return moment.replace(tzinfo=tz).isoformat()


def resolve_casefile(data: object, *, today: date) -> object:
    """A copy of a demo case file with its relative dates made absolute (see the module's docstring).

    Anything that is not a JSON object is returned as it is, for the validation to refuse."""
    if not isinstance(data, dict):
        return data
    zone = data.get("timezone") if isinstance(data.get("timezone"), str) else None
    resolved = dict(data)
    events = data.get("events")
    if isinstance(events, list):
        resolved["events"] = [
            {
                key: resolve_value(value, today=today, zone=zone)
                if key in DATE_FIELDS and isinstance(value, str)
                else value
                for key, value in event.items()
            }
            if isinstance(event, dict)
            else event
            for event in events
        ]
    return resolved
