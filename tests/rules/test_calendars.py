"""Unconfirmed calendars (LAW.md): years with no decree yet are flagged and get a safe date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refuge.rules import calendars
from refuge.rules.calendars import CalendarSpec, WorkCalendar
from tests.rules.support import case, one, run


def applied(at: str) -> dict[str, Any]:
    return {"type": "asylum_applied", "at": at, "kind": "refugee_status"}


def expulsion(received: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        {"type": "decision_issued", "at": f"{received}T10:00:00+03:00", "decision": "expulsion"},
        {"type": "decision_received", "at": received, "decision_event": "e1"},
    )


def authority_decision(at: str) -> dict[str, Any]:
    """The 5-working-day preliminary consideration (ru.refugees.preliminary)."""
    return one(run(case(applied(at)), "2020-01-01"), "deadlines", kind="authority_decision")


# -- the flag ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("at", "year"), [("2030-06-03", 2030), ("2029-11-01", 2029)])
def test_a_working_day_deadline_in_a_year_without_decree_is_unconfirmed_and_names_it(at: str, year: int) -> None:
    d = authority_decision(at)
    assert "CALENDAR_UNCONFIRMED" in d["flags"]
    assert d["calendar"]["unconfirmed_years"] == [year]
    assert d["calendar"]["decreed_through"] == calendars.last_decreed_year("RU")


@pytest.mark.parametrize("at", ["2026-03-02", "2026-12-28", "2027-02-17", "2027-11-01", "2027-12-23"])
def test_working_day_deadlines_in_2026_and_2027_are_confirmed(at: str) -> None:
    d = authority_decision(at)
    assert "CALENDAR_UNCONFIRMED" not in d["flags"]
    assert d["calendar"]["unconfirmed_years"] == []


def test_the_2027_decree_is_applied() -> None:
    # Wed 17 Feb 2027: 18, 19, Sat 20 (working by decree), Mon 22 off by decree, 23 holiday, 24, 25
    assert authority_decision("2027-02-17")["due_date"] == "2027-02-25"
    # Mon 1 Nov 2027: 2, 3, (Thu 4 holiday, Fri 5 off by decree) 8, 9, 10
    assert authority_decision("2027-11-01")["due_date"] == "2027-11-10"


def test_a_count_across_new_year_into_an_undecreed_year_names_that_year() -> None:
    # Thu 23 Dec 2027: 24, 27, 28, 29, 30 — all in 2027
    d = authority_decision("2027-12-23")
    assert d["due_date"] == "2027-12-30" and "CALENDAR_UNCONFIRMED" not in d["flags"]
    # Fri 24 Dec 2027: 27, 28, 29, 30, (31 Dec off by decree, 1-8 Jan holidays, Sun 9) Mon 10 Jan 2028
    d = authority_decision("2027-12-24")
    assert d["due_date"] == "2028-01-10"
    assert "CALENDAR_UNCONFIRMED" in d["flags"] and d["calendar"]["unconfirmed_years"] == [2028]


def test_a_roll_into_an_undecreed_year_is_unconfirmed_but_an_unrolled_count_is_not() -> None:
    # refusal received 20 Dec 2027: one month is Thu 20 Jan 2028, rolled (checked on 2028's calendar)
    refusal = {"type": "asylum_refusal_received", "at": "2027-12-20", "kind": "refugee_status"}
    d = one(run(case(refusal), "2027-12-20"), "deadlines", kind="asylum_appeal")
    assert "CALENDAR_UNCONFIRMED" in d["flags"] and d["calendar"]["unconfirmed_years"] == [2028]
    (unrolled,) = d["alternatives"]
    assert unrolled["code"] == "RU_REF_MONTH_ROLL" and "CALENDAR_UNCONFIRMED" not in unrolled["flags"]


def test_calendar_day_counts_that_do_not_roll_are_never_unconfirmed() -> None:
    # the removal decision lapses two years after it became final: a month count, not rolled
    data = case(*expulsion("2029-03-01"))
    d = one(run(data, "2029-03-01"), "deadlines", kind="enforcement_lapse")
    assert d["due_date"].startswith("2031") and "CALENDAR_UNCONFIRMED" not in d["flags"]


def test_calendars_without_decrees_are_never_unconfirmed() -> None:
    removal = {
        "type": "removal_scheduled",
        "at": "2030-03-01T10:00:00+03:00",
        "removal_at": "2030-03-12T10:00:00+03:00",
        "destination": "KP",
    }
    report = run(case(removal, host="TR", tz="Europe/Istanbul"), "2030-03-01")
    d = one(report, "deadlines", kind="r39_cutoff")  # Registry working days (France, Alsace)
    assert "CALENDAR_UNCONFIRMED" not in d["flags"]
    assert d["calendar"]["decreed_through"] is None and d["calendar"]["source"] == "FR-6AE +12-24 +12-31"


# -- the safe date ----------------------------------------------------------------------------


def test_the_safe_date_counts_the_automatic_day_off_as_a_working_day() -> None:
    # Tue 19 Feb 2030. Estimate: 20, 21, 22, (Sat 23 holiday, Sun 24, Mon 25 off by art. 112(2)),
    # 26, 27. Safe: 20, 21, 22, Mon 25, Tue 26 (Sat 23 is itself a holiday, so it is not counted).
    d = authority_decision("2030-02-19")
    assert (d["due_date"], d["safe_due_date"]) == ("2030-02-27", "2030-02-26")
    assert d["calendar"]["unconfirmed_years"] == [2030]


def test_the_safe_date_counts_saturdays_as_working_days() -> None:
    # Thu 14 Mar 2030. Estimate: 15, 18, 19, 20, 21. Safe: 15, Sat 16, 18, 19, 20.
    d = authority_decision("2030-03-14")
    assert (d["due_date"], d["safe_due_date"]) == ("2030-03-21", "2030-03-20")


def test_a_safe_count_ending_on_a_saturday_is_rolled_back_to_a_working_day() -> None:
    # Received Wed 6 Mar 2030: day 10 is Sat 16 Mar, rolled to Mon 18 Mar. A decree could make
    # that Saturday a working day: the safe count stays on it, and is rolled back to Fri 15 Mar.
    d = one(run(case(*expulsion("2030-03-06")), "2030-03-06"), "deadlines", kind="appeal")
    assert (d["due_date"], d["safe_due_date"]) == ("2030-03-18", "2030-03-15")
    assert "CALENDAR_UNCONFIRMED" in d["flags"]
    # 10 working days from Thu 7 Mar (Fri 8 Mar holiday): 21 Mar; flagged too
    (text,) = [a for a in d["alternatives"] if a["code"] == "RU_4_8_3_1_TEXT"]
    assert text["due_date"] == "2030-03-21" and "CALENDAR_UNCONFIRMED" in text["flags"]


def test_a_confirmed_deadline_keeps_its_safe_date() -> None:
    d = authority_decision("2026-03-02T10:00:00+03:00")
    assert (d["due_date"], d["safe_due_date"]) == ("2026-03-10", "2026-03-10")


# -- the calendar itself -----------------------------------------------------------------------


def _days_off(cal: WorkCalendar, year: int) -> set[date]:
    first = date(year, 1, 1)
    days = (first + timedelta(days=i) for i in range(366))
    return {d for d in days if d.year == year and not cal.is_working(d)}


@pytest.mark.parametrize(
    ("year", "automatic"),
    [
        (2028, {date(2028, 11, 6)}),  # Unity Day on Saturday 4 Nov
        (2029, {date(2029, 11, 5)}),  # Unity Day on Sunday 4 Nov
        (2030, {date(2030, 2, 25)}),  # Defender of the Fatherland Day on Saturday 23 Feb
    ],
)
def test_an_undecreed_year_applies_article_112_2_but_not_to_january(year: int, automatic: set[date]) -> None:
    cal = WorkCalendar(CalendarSpec("ru", "RU"))
    weekdays_off = {d for d in _days_off(cal, year) if d.weekday() < 5 and not (d.month == 1 and d.day <= 8)}
    fixed = {date(year, m, d) for m, d in ((2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4))}
    assert weekdays_off == {d for d in fixed if d.weekday() < 5} | automatic
    assert cal.unconfirmed_years(date(year, 1, 1), date(year, 12, 31)) == (year,)


def test_with_an_injected_table_2026_and_2027_follow_the_labour_code_where_no_decree_changed_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The package's own tables hold 2026's and 2027's automatic moves; without their decrees the
    # engine must find the same days off by art. 112(2), and none of the decrees' transfers.
    decreed = WorkCalendar(CalendarSpec("ru", "RU"))
    official = {y: _days_off(decreed, y) for y in (2026, 2027)}
    monkeypatch.setattr(calendars, "_YEARS", {})
    monkeypatch.setattr(calendars, "decree_years", lambda country: frozenset(range(1991, 2026)))
    cal = WorkCalendar(CalendarSpec("ru", "RU"))
    assert cal.unconfirmed_years(date(2025, 12, 1), date(2027, 1, 31)) == (2026, 2027)
    transfers = {
        2026: {date(2026, 1, 9), date(2026, 12, 31)},  # Sat 3 Jan and Sun 4 Jan moved by decree
        # Sat 20 Feb worked for Mon 22 Feb; Sat 2 and Sun 3 Jan moved to 5 Nov and 31 Dec
        2027: {date(2027, 2, 20), date(2027, 2, 22), date(2027, 11, 5), date(2027, 12, 31)},
    }
    for year in (2026, 2027):
        assert _days_off(cal, year) ^ official[year] == transfers[year]
    assert not cal.is_working(date(2027, 2, 20)) and cal.safe.is_working(date(2027, 2, 20))
    assert cal.safe.is_working(date(2027, 5, 3))  # an automatic day off a decree could move
    assert not cal.safe.is_working(date(2027, 5, 1))  # a Saturday that is a holiday
    assert not cal.safe.is_working(date(2027, 5, 2))  # Sundays stay days off


# -- for any dates ------------------------------------------------------------------------------

RU = WorkCalendar(CalendarSpec("ru", "RU"))


@given(day=st.dates(min_value=date(2026, 1, 1), max_value=date(2034, 12, 31)))
def test_the_safe_calendar_only_adds_working_days_and_only_in_undecreed_years(day: date) -> None:
    if RU.is_working(day):
        assert RU.safe.is_working(day)
    if RU.safe.is_working(day) != RU.is_working(day):
        assert RU.unconfirmed_years(day, day) == (day.year,)
        assert day.weekday() < 6  # a Saturday or an automatic day off, never a Sunday


@given(receipt=st.dates(min_value=date(2027, 10, 1), max_value=date(2032, 12, 31)))
def test_an_unconfirmed_appeal_is_flagged_and_its_safe_date_is_a_working_day_before_every_reading(
    receipt: date,
) -> None:
    data = case(*expulsion(receipt.isoformat()))
    d = one(run(data, receipt.isoformat()), "deadlines", kind="appeal")
    due = date.fromisoformat(d["due_date"])
    dates = [due, *(date.fromisoformat(a["due_date"]) for a in d["alternatives"])]
    touched = set(range(receipt.year, max(dates).year + 1)) - set(range(2000, 2028))
    assert set(d["calendar"]["unconfirmed_years"]) <= touched
    assert ("CALENDAR_UNCONFIRMED" in d["flags"]) == bool(d["calendar"]["unconfirmed_years"])
    if receipt.year >= 2028:
        assert "CALENDAR_UNCONFIRMED" in d["flags"]
    safe = date.fromisoformat(d["safe_due_date"])
    assert RU.is_working(safe) and safe <= min(dates)
