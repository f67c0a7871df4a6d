"""Date-times as a person reads them: on the case's clock, with the zone's abbreviation.

"Mon 14 Dec, 23:59 MSK"; "in 9 d" where the distance matters; and both clocks where a forum
keeps another one: "Fri 23 Jul, 08:00 CEST = 09:00 MSK". Display only: the engine's reports keep
each instant in its own calendar's zone. No Django here (the worker's e-mails, the feeds and the
pages share it). Weekdays, months and units follow the active language (Django's translation);
Korean puts the month before the day: "12월 14일 (월)".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext

# Korean reads year, month, day: the pages' day formats in Korean order.
KOREAN_FORMATS = {
    "j M Y": "Y년 n월 j일",
    "D j M Y": "Y년 n월 j일 (D)",
    "D j M Y H:i": "Y년 n월 j일 (D) H:i",
    "j M Y H:i": "Y년 n월 j일 H:i",
    "j M Y H:i e": "Y년 n월 j일 H:i e",
    "j M": "n월 j일",
    "D j M": "n월 j일 (D)",
}
DAY_SECONDS = 86_400
WEEK_DAYS = 7


def _zone(zone: str | ZoneInfo | None) -> ZoneInfo:
    if isinstance(zone, ZoneInfo):
        return zone
    return ZoneInfo(zone or "UTC")


def abbreviation(local: datetime) -> str:
    """The zone's abbreviation (MSK, CEST); tzdata's bare offsets ("+05") read as "UTC+05"."""
    name = local.tzname() or ""
    if not name or name[0] in "+-":
        return f"UTC{name}" if name else "UTC"
    return name


def _day(local: datetime | date, *, now: datetime | None, weekday: bool = True) -> str:
    with_year = now is None or local.year != now.year
    day_name, month = str(WEEKDAYS_ABBR[local.weekday()]), str(MONTHS_3[local.month])
    if (get_language() or "en").startswith("ko"):
        text = f"{local.year}년 " if with_year else ""
        text += f"{local.month}월 {local.day}일"
        return f"{text} ({day_name})" if weekday else text
    month = month.title() if month.isascii() else month
    text = f"{day_name} {local.day} {month}" if weekday else f"{local.day} {month}"
    if with_year:
        text += f" {local.year}"
    return text


def calendar_format(fmt: str) -> str:
    """A Django date format for the active language: Korean in Korean order ("2026년 12월 5일"), Russian
    months in lower case as _day writes them ("5 дек 2026", not "5 Дек 2026")."""
    language = get_language() or "en"
    if language.startswith("ko"):
        return KOREAN_FORMATS.get(fmt, fmt)
    if language.startswith("ru"):
        return fmt.replace("M", "b")
    return fmt


def calendar_date(value: datetime | date, fmt: str = "j M Y") -> str:
    """A day (or a wall-clock time) in a Django date format, in the active language, as written: no zone change."""
    return date_format(value, calendar_format(fmt))


def moment(value: datetime, zone: str | ZoneInfo | None, *, now: datetime | None = None) -> str:
    """"Mon 14 Dec, 23:59 MSK" (the year only when it is not this year's)."""
    local = value.astimezone(_zone(zone))
    return f"{_day(local, now=now)}, {local:%H:%M} {abbreviation(local)}"


def day_only(value: date, *, now: datetime | None = None) -> str:
    """"Mon 14 Dec" for a date without a time."""
    return _day(value, now=now)


def both_clocks(
    value: datetime, own: str | ZoneInfo | None, case: str | ZoneInfo | None, *, now: datetime | None = None
) -> str:
    """On the forum's clock, then the case's where it differs: "Fri 23 Jul, 08:00 CEST = 09:00 MSK"."""
    first = value.astimezone(_zone(own))
    second = value.astimezone(_zone(case))
    text = moment(value, own, now=now)
    if first.utcoffset() == second.utcoffset() and abbreviation(first) == abbreviation(second):
        return text
    if first.date() == second.date():
        return f"{text} = {second:%H:%M} {abbreviation(second)}"
    return f"{text} = {moment(value, case, now=now)}"


def distance(delta: timedelta) -> str:
    """'2 d 5 h', '9 d', '5 h 20 min', '40 min': coarse, for people under pressure."""
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, DAY_SECONDS)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days >= 2:
        if days >= WEEK_DAYS:
            return gettext("%(days)s d") % {"days": days}
        return gettext("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if days == 1 or hours:
        return gettext("%(hours)s h %(minutes)s min") % {"hours": days * 24 + hours, "minutes": minutes}
    return gettext("%(minutes)s min") % {"minutes": minutes}


def relative(value: datetime, now: datetime, *, past: str = "") -> str:
    """'in 9 d', or for a past instant `past` filled in ('3 h ago', 'overdue by 3 h')."""
    delta = value - now
    if delta < timedelta(0):
        return (past or gettext("{} ago")).format(distance(delta))
    return gettext("in %(distance)s") % {"distance": distance(delta)}


def human(
    value: datetime,
    zone: str | ZoneInfo | None,
    *,
    now: datetime | None = None,
    own: str | ZoneInfo | None = None,
    show_relative: bool = False,
) -> str:
    """The one-line text: the moment (on both clocks when ``own`` differs) and, if asked, how far."""
    text = both_clocks(value, own, zone, now=now) if own else moment(value, zone, now=now)
    if show_relative and now is not None:
        text += f" ({relative(value, now)})"
    return text
