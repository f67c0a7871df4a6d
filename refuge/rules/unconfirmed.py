"""Deadlines counted across a year with no decree yet (LAW.md, "Unconfirmed calendars").

The engine calls :func:`unconfirmed` for each count it makes; when the count or its roll
examines a day of a year for which the calendar holds no decree, the answer names those years
and gives the same count made on the calendar's *safe* variant (every Saturday that is not a
holiday, and every day off that comes only from the Labour Code's automatic rule, counted as a
working day). The engine joins the years into the flag ``CALENDAR_UNCONFIRMED`` and the safe
count into the deadline's ``safe_due_date`` (which it then rolls back to a working day).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from refuge.rules.calendars import CALENDAR_UNCONFIRMED, WorkCalendar
from refuge.rules.model import Computation

_ONE_DAY = timedelta(days=1)

__all__ = ["CALENDAR_UNCONFIRMED", "Unconfirmed", "examined", "join", "unconfirmed"]


@dataclass(frozen=True, slots=True)
class Unconfirmed:
    years: tuple[int, ...]
    safe_due: date  # the count on the safe calendar (before the roll back to a working day)


def examined(comp: Computation, anchor: date, raw: date, due: date) -> tuple[date, date] | None:
    """The first and last day whose working-day status the count and its roll depend on.

    A working-day count examines the days it counts through; a roll to the next working day
    examines the period's last day and those it moves over. A calendar-day or month count that
    does not roll depends on no working-day data (None).
    """
    days: list[date] = []
    if comp.unit == "working_days" and comp.count > 0:
        if comp.direction == "before":
            days += [raw, anchor - _ONE_DAY]
        else:
            days += [anchor if comp.start == "same_day" else anchor + _ONE_DAY, raw]
    if comp.roll == "next_working_day":
        days += [raw, due]
    if not days:
        return None
    return min(days), max(days)


def unconfirmed(  # noqa: PLR0917  # the engine's count, as the engine has it
    cal: WorkCalendar,
    comp: Computation,
    anchor: date,
    raw: date,
    due: date,
    count: Callable[[WorkCalendar], date],
) -> Unconfirmed | None:
    """The unconfirmed years a count touches and its safe count; None when every year is decreed.

    ``count(calendar)`` is the engine's own count (before any roll) on another calendar.
    """
    if not cal.decreed or comp.unit == "hours":
        return None
    span = examined(comp, anchor, raw, due)
    if span is None:
        return None
    years = cal.unconfirmed_years(*span)
    if not years:
        return None
    safe = cal.safe
    safe_raw = count(safe)
    safe_due = safe.roll_forward(safe_raw) if comp.roll == "next_working_day" else safe_raw
    # an after-count on the safe calendar is never later than the estimate; a before-count is
    # never earlier, so there the estimate stays the safe date (the engine takes the earliest)
    return Unconfirmed(years, safe_due)


def join(found: Iterable[Unconfirmed | None]) -> tuple[tuple[int, ...], date | None]:
    """The years of several counts (a deadline and its alternatives) and their earliest safe count."""
    years: set[int] = set()
    safe: date | None = None
    for item in found:
        if item is None:
            continue
        years.update(item.years)
        safe = item.safe_due if safe is None else min(safe, item.safe_due)
    return tuple(sorted(years)), safe
