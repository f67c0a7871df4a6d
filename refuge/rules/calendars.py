"""Working-day calendars built on the ``holidays`` package, cached per (calendar, year).

A day is a working day when it is not a weekend day of the country (``holidays``' own
``weekend``, so not always Saturday and Sunday), not a public holiday and not one of the
calendar's extra closing days — unless ``holidays`` lists it in ``weekend_workdays`` (Russia's
transferred working Saturdays), which makes a weekend day a working day.

Russia fixes each year's transfers of days off by a government decree published the autumn
before. A year the package holds no decree for is *unconfirmed* (LAW.md, "Unconfirmed
calendars"): it is computed on the fixed holidays plus the Labour Code's automatic rule (art.
112(2): a holiday on a day off moves the day off to the next working day, except 1–8 January,
whose moves only a decree makes). Its *safe* table — the one a decree could not shorten a count
on — also counts as working days every Saturday that is not a public holiday and every day off
that comes only from art. 112(2).

The yearly tables are cached at module level, keyed by the calendar's definition and the year,
so that every PackSet (and every engine evaluation) shares them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.metadata import version
from typing import Final, NamedTuple

import holidays

HOLIDAYS_VERSION: Final = version("holidays")
CALENDAR_UNCONFIRMED: Final = "CALENDAR_UNCONFIRMED"

# Countries whose transfers of days off come from a yearly decree, with the days of the year
# (month, day) whose weekend clashes only a decree moves (Labour Code art. 112(2): 1–8 January).
DECREED: Final[dict[str, frozenset[tuple[int, int]]]] = {
    "RU": frozenset((1, d) for d in range(1, 9)),
}
_SATURDAY: Final = 5


class _Year(NamedTuple):
    flags: bytes  # working (1) or not, by day of year
    safe: bytes  # the same where a decree could not shorten a count (== flags when confirmed)
    approx: frozenset[int]  # ordinals closed only by an approximate extra closing day
    confirmed: bool  # False: a decree-based calendar with no decree for this year


# (country, subdiv, extra closing days, year) -> the year's tables
_YEARS: dict[tuple[str | None, str | None, tuple[tuple[int, int], ...], int], _Year] = {}

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
    region: str | None = None  # a short name for people: RU, FR-Alsace, CH-Geneva

    @property
    def source(self) -> str:
        """Where the days come from, e.g. ``RU``, ``FR-6AE +12-24 +12-31``, ``weekends only``."""
        base = "weekends only" if self.country is None else self.country + (f"-{self.subdiv}" if self.subdiv else "")
        return " ".join([base, *(f"+{m:02d}-{d:02d}" for m, d in self.extra_closed)])


@functools.cache
def decree_years(country: str | None) -> frozenset[int] | None:
    """The years whose decree the installed ``holidays`` holds; None for a calendar without decrees.

    They are the years of the package's tables of special days for the country (its
    substitutions, and the moves it lists without a working Saturday).
    """
    if country not in DECREED:
        return None
    table = holidays.country_holidays(country)
    years: set[int] = set()
    for name in dir(table):
        value = getattr(table, name, None) if name.startswith("special_") else None
        if isinstance(value, dict):
            years.update(y for y in value if isinstance(y, int))
    return frozenset(years)


def last_decreed_year(country: str | None) -> int | None:
    """The last year with decree data, or None (no decrees for this calendar, or none known)."""
    years = decree_years(country)
    return max(years) if years else None


def _special_days(table: holidays.HolidayBase, year: int) -> set[date]:
    """The days the package's tables of special days (decrees) put in ``year``."""
    found: set[date] = set()
    for name in dir(table):
        value = getattr(table, name, None) if name.startswith("special_") else None
        if not isinstance(value, dict) or year not in value:
            continue
        entries = value[year]
        for entry in entries if entries and isinstance(entries[0], tuple) else (entries,):
            found.add(date(year, entry[0], entry[1]))  # (month, day, ...): the day off it makes
    return found


def _automatic_moves(public: set[date], weekend: set[int], exempt: frozenset[tuple[int, int]]) -> set[date]:
    """Labour Code art. 112(2): each holiday on a day off moves the day off to the next working day."""
    moved: set[date] = set()
    for holiday in sorted(public):
        if holiday.weekday() not in weekend or (holiday.month, holiday.day) in exempt:
            continue
        day = holiday + _ONE_DAY
        while day.weekday() in weekend or day in public or day in moved:
            day += _ONE_DAY
        moved.add(day)
    return moved


def _build_year(country: str | None, subdiv: str | None, extra: tuple[tuple[int, int], ...], year: int) -> _Year:
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
    decreed = decree_years(country)
    confirmed = decreed is None or year in decreed
    automatic: set[date] = set()
    if not confirmed:  # the fixed holidays alone (the package has nothing more then) plus art. 112(2)
        public -= _special_days(table, year)
        workdays = {d for d in workdays if d.year != year}
        automatic = _automatic_moves(public, weekend, DECREED[country or ""])
    first = date(year, 1, 1)
    size = (date(year + 1, 1, 1) - first).days
    flags = bytearray(size)
    safe = bytearray(size)
    approx: set[int] = set()
    extra_days = {date(year, m, d) for m, d in extra}
    day = first
    for i in range(size):
        working = day not in public and day not in automatic and (day in workdays or day.weekday() not in weekend)
        if working and day in extra_days:
            working = False
            approx.add(day.toordinal())
        flags[i] = working
        # a decree could make any Saturday that is not a holiday a working day, and move an
        # automatic day off elsewhere
        safe[i] = working or (
            not confirmed and (day in automatic or (day.weekday() == _SATURDAY and day not in public))
        )
        day += _ONE_DAY
    return _Year(bytes(flags), bytes(flags) if confirmed else bytes(safe), frozenset(approx), confirmed)


_SpecKey = tuple[str | None, str | None, tuple[tuple[int, int], ...]]


def _year(spec_key: _SpecKey, year: int) -> _Year:
    key = (*spec_key, year)
    found = _YEARS.get(key)
    if found is None:
        found = _build_year(spec_key[0], spec_key[1], spec_key[2], year)
        _YEARS[key] = found
    return found


class WorkCalendar:
    """Working-day arithmetic on one calendar. Cheap to create; the tables are shared.

    ``safe=True`` gives the same calendar as a decree could at most make it in unconfirmed
    years (more working days); in confirmed years both are the same.
    """

    __slots__ = ("_flags", "_key", "_safe", "_safe_variant", "spec")

    def __init__(self, spec: CalendarSpec, *, safe: bool = False) -> None:
        self.spec = spec
        self._key = (spec.country, spec.subdiv, spec.extra_closed)
        self._safe = safe
        self._safe_variant: WorkCalendar | None = self if safe else None
        self._flags: dict[int, bytes] = {}  # year -> the shared table, without hashing the key each time

    def check(self, year: int) -> None:
        """Build one year now, so that a bad definition fails at pack load, not at check time."""
        _year(self._key, year)

    def is_working(self, day: date) -> bool:
        year = day.year
        flags = self._flags.get(year)
        if flags is None:
            built = _year(self._key, year)
            flags = self._flags[year] = built.safe if self._safe else built.flags
        return bool(flags[day.toordinal() - _JAN1[year]])

    def is_approximate(self, day: date) -> bool:
        """True when the day is closed only because of an approximate extra closing day."""
        return day.toordinal() in _year(self._key, day.year).approx

    def approximation_between(self, first: date, last: date) -> bool:
        """Whether an approximate closing day lies in [first, last] (in either order)."""
        if not self.spec.extra_closed:
            return False
        lo, hi = (first, last) if first <= last else (last, first)
        for year in range(lo.year, hi.year + 1):
            for ordinal in _year(self._key, year).approx:
                if lo.toordinal() <= ordinal <= hi.toordinal():
                    return True
        return False

    # -- decrees ------------------------------------------------------------------------------

    @property
    def decreed(self) -> bool:
        """Whether this calendar's transfers of days off come from yearly decrees."""
        return self.spec.country in DECREED

    @property
    def safe(self) -> WorkCalendar:
        """This calendar as a decree could at most make it in unconfirmed years (LAW.md's safe date)."""
        if self._safe_variant is None:
            self._safe_variant = WorkCalendar(self.spec, safe=True)
        return self._safe_variant

    def unconfirmed_years(self, first: date, last: date) -> tuple[int, ...]:
        """The years of [first, last] (in either order) for which no decree is known yet."""
        if not self.decreed:
            return ()
        lo, hi = (first, last) if first <= last else (last, first)
        return tuple(y for y in range(lo.year, hi.year + 1) if not _year(self._key, y).confirmed)

    def last_decreed_year(self) -> int | None:
        return last_decreed_year(self.spec.country)

    def describe(self, unconfirmed: tuple[int, ...] = ()) -> dict[str, object]:
        """What a deadline was counted on, for its report: name, source, data version, decrees."""
        return {
            "name": self.spec.name,
            "region": self.spec.region or self.spec.source.split(" ")[0],
            "source": self.spec.source,
            "data": f"holidays {HOLIDAYS_VERSION}",
            "decreed_through": self.last_decreed_year() if self.decreed else None,
            "unconfirmed_years": list(unconfirmed),
        }

    # -- arithmetic ---------------------------------------------------------------------------

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
