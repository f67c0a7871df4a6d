"""Working-day calendars built on the ``holidays`` package, cached per (calendar, year).

A day is a working day when it is not a weekend day of the country (``holidays``' own
``weekend``, so not always Saturday and Sunday), not a public holiday and not one of the
calendar's extra closing days — unless ``holidays`` lists it in ``weekend_workdays`` (Russia's
transferred working Saturdays), which makes a weekend day a working day.

The yearly tables are cached at module level, keyed by the calendar's definition and the year,
so that every PackSet (and every engine evaluation) shares them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import holidays

# (country, subdiv, extra closing days, year) -> (working flags by day of year, approx. days)
_YEARS: dict[tuple[str | None, str | None, tuple[tuple[int, int], ...], int], tuple[bytes, frozenset[int]]]
_YEARS = {}

_MIN_YEAR: Final = 1900
_MAX_YEAR: Final = 2200
_ONE_DAY: Final = timedelta(days=1)
_JAN1: Final = {year: date(year, 1, 1).toordinal() for year in range(_MIN_YEAR, _MAX_YEAR + 2)}


class CalendarError(ValueError):
    """The calendar cannot be built (unknown country or subdivision, year out of range)."""


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """What a pack says about a working-day calendar."""

    name: str
    country: str | None
    subdiv: str | None = None
    extra_closed: tuple[tuple[int, int], ...] = ()
    approximation_flag: str | None = None
    timezone: str | None = None  # None: the case's zone
    hours: tuple[int, int] | None = None  # opening and closing, in seconds after midnight


def _build_year(
    country: str | None, subdiv: str | None, extra: tuple[tuple[int, int], ...], year: int
) -> tuple[bytes, frozenset[int]]:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise CalendarError(f"year {year} is outside the supported range")
    weekend: set[int] = {5, 6}
    public: set[date] = set()
    workdays: set[date] = set()
    if country is not None:
        try:
            table = holidays.country_holidays(country, subdiv=subdiv, years=year)
        except NotImplementedError as exc:
            raise CalendarError(f"the holidays package has no calendar for {country}") from exc
        except ValueError as exc:  # unknown subdivision
            raise CalendarError(str(exc)) from exc
        public = set(table.keys())
        weekend = set(table.weekend)
        workdays = set(getattr(table, "weekend_workdays", ()))
    first = date(year, 1, 1)
    size = (date(year + 1, 1, 1) - first).days
    flags = bytearray(size)
    approx: set[int] = set()
    extra_days = {date(year, m, d) for m, d in extra}
    day = first
    for i in range(size):
        working = day not in public and (day in workdays or day.weekday() not in weekend)
        if working and day in extra_days:
            working = False
            approx.add(day.toordinal())
        flags[i] = working
        day += _ONE_DAY
    return bytes(flags), frozenset(approx)


_SpecKey = tuple[str | None, str | None, tuple[tuple[int, int], ...]]


def _year(spec_key: _SpecKey, year: int) -> tuple[bytes, frozenset[int]]:
    key = (*spec_key, year)
    found = _YEARS.get(key)
    if found is None:
        found = _build_year(spec_key[0], spec_key[1], spec_key[2], year)
        _YEARS[key] = found
    return found


class WorkCalendar:
    """Working-day arithmetic on one calendar. Cheap to create; the tables are shared."""

    __slots__ = ("_flags", "_key", "spec")

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self._key = (spec.country, spec.subdiv, spec.extra_closed)
        self._flags: dict[int, bytes] = {}  # year -> the shared table, without hashing the key each time

    def check(self, year: int) -> None:
        """Build one year now, so that a bad definition fails at pack load, not at check time."""
        _year(self._key, year)

    def is_working(self, day: date) -> bool:
        year = day.year
        flags = self._flags.get(year)
        if flags is None:
            flags = self._flags[year] = _year(self._key, year)[0]
        return bool(flags[day.toordinal() - _JAN1[year]])

    def is_approximate(self, day: date) -> bool:
        """True when the day is closed only because of an approximate extra closing day."""
        return day.toordinal() in _year(self._key, day.year)[1]

    def approximation_between(self, first: date, last: date) -> bool:
        """Whether an approximate closing day lies in [first, last] (in either order)."""
        if not self.spec.extra_closed:
            return False
        lo, hi = (first, last) if first <= last else (last, first)
        for year in range(lo.year, hi.year + 1):
            for ordinal in _year(self._key, year)[1]:
                if lo.toordinal() <= ordinal <= hi.toordinal():
                    return True
        return False

    def roll_forward(self, day: date) -> date:
        """The day itself if it is a working day, else the next working day."""
        while not self.is_working(day):
            day += _ONE_DAY
        return day

    def roll_back(self, day: date) -> date:
        """The day itself if it is a working day, else the last working day before it."""
        while not self.is_working(day):
            day -= _ONE_DAY
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The count-th working day after ``day`` (day 1 is the first working day after it)."""
        if count <= 0:
            return day
        seen = 0
        while True:
            day += _ONE_DAY
            if self.is_working(day):
                seen += 1
                if seen == count:
                    return day

    def subtract_working_days(self, day: date, count: int) -> date:
        """The count-th working day before ``day`` (``day`` itself is not counted)."""
        if count <= 0:
            return day
        seen = 0
        while True:
            day -= _ONE_DAY
            if self.is_working(day):
                seen += 1
                if seen == count:
                    return day


def host_calendar_spec(country: str) -> CalendarSpec:
    """The calendar of a host state that has no pack: ``holidays`` for that country, or weekends only."""
    try:
        holidays.country_holidays(country, years=2000)
    except NotImplementedError:
        return CalendarSpec(name=f"host:{country}", country=None)
    return CalendarSpec(name=f"host:{country}", country=country)
