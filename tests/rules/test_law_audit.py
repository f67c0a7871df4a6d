"""An audit of the engine against LAW.md: the fact patterns the other rules tests left out.

Every expected date here was counted by hand from LAW.md (the comment says which rule, which
days count and why); the last tests check the day arithmetic against an independent count
made straight from the holidays package over several years.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest

from tests.rules.support import case, find, one, run

EXPULSION: dict[str, Any] = {"type": "decision_issued", "decision": "expulsion"}


def cao(receipt: str, *more: dict[str, Any], tz: str | None = None) -> dict[str, Any]:
    decision = {**EXPULSION, "at": receipt}
    received = {"type": "decision_received", "at": receipt, "decision_event": "e1"}
    return case(decision, received, *more, tz=tz)


def asylum(event_type: str, at: str, kind: str = "refugee_status") -> dict[str, Any]:
    return {"type": event_type, "at": at, "kind": kind}


def removal(removal_at: str, at: str = "2026-01-01T10:00:00+03:00", destination: str = "TJ") -> dict[str, Any]:
    return {"type": "removal_scheduled", "at": at, "removal_at": removal_at, "destination": destination}


def echr_request(at: str) -> dict[str, Any]:
    return {"type": "interim_measure_requested", "at": at, "forum": "echr"}


def tr(*events: dict[str, Any]) -> dict[str, Any]:
    return case(*events, host="TR", tz="Europe/Istanbul", nationality="SY", languages=["ar"])


def alternatives(deadline: dict[str, Any]) -> dict[str, str]:
    return {a["code"]: a["due_date"] for a in deadline["alternatives"]}


# -- unconfirmed calendars (no decree yet: 2028 with holidays 0.109, decreed through 2027) -------


def test_a_cao_appeal_rolled_over_unity_day_in_an_undecreed_year() -> None:
    # Receipt Wed 25 Oct 2028: day 10 is Sat 4 Nov, Unity Day; Sun 5; Mon 6 is the day off that
    # art. 112(2) moves there (a holiday on a Saturday) -> due Tue 7 Nov, flagged, naming 2028.
    # Reading RU_4_8_3_1_TEXT, 10 working days: 26, 27, 30, 31 Oct, 1, 2, 3, 7, 8, 9 Nov.
    # Safe: on the safe calendar Mon 6 counts as working -> 6 Nov; the earliest of 7, 9 and 6
    # Nov, rolled back to a working day (6 is a day off, 4-5 too): Fri 3 Nov.
    report = run(cao("2028-10-25"), "2028-10-26")
    d = one(report, "deadlines", kind="appeal")
    assert (d["version"], d["due_date"], d["due_at"]) == (2, "2028-11-07", "2028-11-07T23:59:59+03:00")
    assert "CALENDAR_UNCONFIRMED" in d["flags"]
    assert d["calendar"]["unconfirmed_years"] == [2028]
    assert alternatives(d) == {"RU_4_8_3_1_TEXT": "2028-11-09"}
    assert d["alternatives"][0]["flags"] == ["CALENDAR_UNCONFIRMED"]
    assert d["safe_due_date"] == "2028-11-03"
    # CAO art. 31.1: final the day after the appeal deadline; art. 31.9: 2 years from then
    assert one(report, "milestones", kind="decision_final")["date"] == "2028-11-08"
    lapse = one(report, "deadlines", kind="enforcement_lapse")
    assert (lapse["due_date"], lapse["reminders"]) == ("2030-11-08", ["2030-10-09"])
    assert "CALENDAR_UNCONFIRMED" not in lapse["flags"]  # months, never rolled: no working-day data


def test_a_roll_from_a_decreed_day_off_into_an_undecreed_january() -> None:
    # Receipt 21 Dec 2027: day 10 is Fri 31 Dec 2027, a day off by the 2027 decree; 1-8 Jan 2028
    # are holidays (Sat 1 and Sat 8 Jan moved by no automatic rule), Sun 9 -> Mon 10 Jan 2028.
    # The roll touches 2028: flagged. Working-days reading: 22, 23, 24, 27, 28, 29, 30 Dec, then
    # 10, 11, 12 Jan. The safe calendar adds no working day (the Saturdays are holidays): 10 Jan.
    d = one(run(cao("2027-12-21"), "2027-12-22"), "deadlines", kind="appeal")
    assert d["due_date"] == "2028-01-10"
    assert "CALENDAR_UNCONFIRMED" in d["flags"]
    assert alternatives(d) == {"RU_4_8_3_1_TEXT": "2028-01-12"}
    assert d["safe_due_date"] == "2028-01-10"


def test_a_count_wholly_inside_a_decreed_year_is_confirmed() -> None:
    # Receipt 1 Dec 2027: day 10 is Sat 11 Dec 2027, rolled to Mon 13 Dec; nothing of 2028 is read.
    d = one(run(cao("2027-12-01"), "2027-12-02"), "deadlines", kind="appeal")
    assert d["due_date"] == "2027-12-13"
    assert "CALENDAR_UNCONFIRMED" not in d["flags"]
    assert d["calendar"]["unconfirmed_years"] == []


def test_working_day_counts_in_an_undecreed_year_and_their_safe_dates() -> None:
    # Leave (3 working days from the next day), notice Fri 3 Nov 2028: Sat 4 (Unity Day), Sun 5,
    # Mon 6 (art. 112(2) day off) do not count: Tue 7, Wed 8, Thu 9. Safe: Mon 6 counts, so 6, 7,
    # 8 -> Wed 8 Nov.
    d = one(run(case(asylum("asylum_appeal_rejected_received", "2028-11-03")), "2028-11-04"), "deadlines")
    assert (d["kind"], d["due_date"], d["safe_due_date"]) == ("leave_country", "2028-11-09", "2028-11-08")
    assert "CALENDAR_UNCONFIRMED" in d["flags"]
    # Preliminary consideration (5 working days), applied Wed 29 Dec 2027: Thu 30 Dec; 31 Dec off
    # (2027 decree); 1-8 Jan holidays, Sun 9; then 10, 11, 12, 13 Jan 2028. Safe: the Saturdays
    # 1 and 8 Jan are holidays, so nothing more counts: 13 Jan.
    d = one(run(case(asylum("asylum_applied", "2027-12-29")), "2027-12-30"), "deadlines", kind="authority_decision")
    assert (d["due_date"], d["safe_due_date"]) == ("2028-01-13", "2028-01-13")
    assert d["calendar"]["unconfirmed_years"] == [2028]


@pytest.mark.parametrize(
    ("refusal", "due", "unrolled", "safe"),
    [
        # 31 Jan 2028 + 1 month = 29 Feb 2028 (leap year), a Tuesday: no roll; the roll looked at
        # an undecreed day, so the deadline is flagged
        ("2028-01-31", "2028-02-29", "2028-02-29", "2028-02-29"),
        # 4 Oct 2028 + 1 month = Sat 4 Nov (Unity Day); Sun 5; Mon 6 art. 112(2) -> Tue 7 Nov; the
        # unrolled reading keeps Sat 4 Nov; safe: rolled back from 4 Nov to Fri 3 Nov
        ("2028-10-04", "2028-11-07", "2028-11-04", "2028-11-03"),
    ],
)
def test_an_asylum_appeal_month_in_an_undecreed_year(refusal: str, due: str, unrolled: str, safe: str) -> None:
    d = one(run(case(asylum("asylum_refusal_received", refusal)), "2028-01-01"), "deadlines", kind="asylum_appeal")
    assert (d["due_date"], alternatives(d), d["safe_due_date"]) == (due, {"RU_REF_MONTH_ROLL": unrolled}, safe)
    assert "CALENDAR_UNCONFIRMED" in d["flags"]
    no_roll = d["alternatives"][0]
    assert no_roll["flags"] == []  # a month that is not rolled reads no working-day data


# -- months: the same day-of-month, or the month's last day ---------------------------------------


@pytest.mark.parametrize(
    ("refusal", "due", "unrolled", "safe"),
    [
        # 31 Jan 2026 + 1 month: no 31 Feb -> Sat 28 Feb; rolled to Mon 2 Mar; safe: Fri 27 Feb
        ("2026-01-31", "2026-03-02", "2026-02-28", "2026-02-27"),
        # 1 Oct 2025 + 1 month = Sat 1 Nov 2025, a transferred working Saturday: not rolled
        ("2025-10-01", "2025-11-01", "2025-11-01", "2025-11-01"),
        # 1 Dec 2025 + 1 month = 1 Jan 2026; holidays to 8 Jan, 9 Jan a decree day off, 10-11
        # weekend -> Mon 12 Jan; safe: 1 Jan rolled back past the decree day off 31 Dec: 30 Dec
        ("2025-12-01", "2026-01-12", "2026-01-01", "2025-12-30"),
    ],
)
def test_asylum_appeal_month_ends(refusal: str, due: str, unrolled: str, safe: str) -> None:
    d = one(run(case(asylum("asylum_refusal_received", refusal)), "2020-01-01"), "deadlines", kind="asylum_appeal")
    assert (d["due_date"], alternatives(d), d["safe_due_date"]) == (due, {"RU_REF_MONTH_ROLL": unrolled}, safe)
    assert d["due_at"] == f"{due}T23:59:59+03:00"
    assert d["flags"] == []


def test_stateless_review_three_months_from_the_30th_of_november_ends_on_28_february() -> None:
    # 30 Nov 2025 + 3 months: no 30 Feb 2026 -> 28 Feb (a Saturday, never rolled); reminder 14
    # days before: 14 Feb.
    data = case(
        {**EXPULSION, "at": "2025-11-30T10:00:00+03:00", "detention": "foreigners_centre"},
        nationality=None,
        stateless=True,
    )
    d = one(run(data, "2025-12-01"), "deadlines", kind="detention_review")
    assert (d["due_date"], d["reminders"], d["alternatives"]) == ("2026-02-28", ["2026-02-14"], [])


@pytest.mark.parametrize(
    ("decided", "due", "version"),
    [
        ("2021-08-31", "2022-02-28", 1),  # six months; no 31 Feb
        ("2022-01-31", "2022-07-31", 1),  # the last day before Protocol 15: six months; a Sunday, kept
        ("2022-02-01", "2022-06-01", 2),  # four months from 1 Feb 2022
        ("2023-10-31", "2024-02-29", 2),  # four months into a leap February
        ("2022-01-31T23:30:00+00:00", "2022-06-01", 2),  # 1 Feb 02:30 in Istanbul, the case's zone
    ],
)
def test_echr_time_limit_month_ends_and_the_protocol_15_change(decided: str, due: str, version: int) -> None:
    d = one(run(tr({"type": "final_domestic_decision", "at": decided}), "2022-02-02"), "deadlines")
    assert (d["kind"], d["due_date"], d["version"]) == ("echr_application", due, version)
    assert d["due_at"] == f"{due}T23:59:59+03:00"  # never rolled, shown in the case's zone
    assert d["alternatives"] == []


def test_echr_time_limit_across_summer_time_is_shown_in_the_case_zone_offset_of_that_day() -> None:
    # Decided 29 Mar 2026 at 01:30 CET (Berlin); four months: 29 Jul 2026, 23:59:59 CEST. Posted
    # in New York at 23:59 on 29 Jul (its own offset): in time although 30 Jul in Berlin.
    data = case(
        {"type": "final_domestic_decision", "at": "2026-03-29T01:30:00+01:00"},
        {"type": "application_lodged", "at": "2026-07-29T23:59:00-05:00", "forum": "echr"},
        host="DE",
        tz="Europe/Berlin",
    )
    d = one(run(data, "2026-08-05"), "deadlines", kind="echr_application")
    assert (d["due_at"], d["status"], d["met_by"]) == ("2026-07-29T23:59:59+02:00", "met", "e2")


# -- transferred days off and working Saturdays ---------------------------------------------------


@pytest.mark.parametrize(
    ("receipt", "due", "working_days"),
    [
        # day 10 Sun 2 Nov 2025; Mon 3 Nov a decree day off, Tue 4 Unity Day -> Wed 5 Nov; 10
        # working days: 24, 27, 28, 29, 30, 31 Oct, Sat 1 Nov (working), 5, 6, 7 Nov
        ("2025-10-23", "2025-11-05", "2025-11-07"),
        # day 10 Fri 13 Jun 2025, a decree day off; weekend -> Mon 16 Jun; 10 working days: 4, 5,
        # 6, 9, 10, 11 Jun (12 Russia Day, 13 off), 16, 17, 18, 19 Jun
        ("2025-06-03", "2025-06-16", "2025-06-19"),
    ],
)
def test_cao_appeal_over_transferred_days_off(receipt: str, due: str, working_days: str) -> None:
    d = one(run(cao(receipt), "2025-01-01"), "deadlines", kind="appeal")
    assert (d["due_date"], alternatives(d), d["safe_due_date"]) == (due, {"RU_4_8_3_1_TEXT": working_days}, due)


def test_leave_counts_the_working_saturday_before_new_year() -> None:
    # Notice Thu 26 Dec 2024: Fri 27 (1), Sat 28 Dec, a transferred working Saturday (2); 30 and
    # 31 Dec are decree days off, 1-8 Jan holidays; Thu 9 Jan 2025 (3).
    d = one(run(case(asylum("asylum_appeal_rejected_received", "2024-12-26")), "2024-12-27"), "deadlines")
    assert (d["kind"], d["due_date"], d["flags"]) == ("leave_country", "2025-01-09", [])


# -- time zones and instants near midnight --------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "removal_at", "before_final"),
    [
        # appeal due Fri 13 Mar 2026 (received 3 Mar): final from 14 Mar 00:00 in the case's zone
        (None, "2026-03-13T23:30:00+03:00", True),
        (None, "2026-03-14T00:30:00+03:00", False),
        (None, "2026-03-13T22:30:00+02:00", True),  # 23:30 in Moscow
        ("Asia/Vladivostok", "2026-03-14T00:30:00+10:00", False),
        ("Asia/Vladivostok", "2026-03-13T20:00:00+03:00", False),  # 03:00 on 14 Mar in Vladivostok
        ("Asia/Vladivostok", "2026-03-13T16:00:00+03:00", True),  # 23:00 on 13 Mar in Vladivostok
    ],
)
def test_removal_before_final_compares_instants_in_the_case_zone(
    tz: str | None, removal_at: str, before_final: bool
) -> None:
    report = run(cao("2026-03-03", removal(removal_at, at="2026-03-05T10:00:00+03:00"), tz=tz), "2026-03-05")
    assert one(report, "milestones", kind="decision_final")["date"] == "2026-03-14"
    assert bool(find(report["conflicts"], kind="removal_before_final")) is before_final


def test_un_target_from_a_far_eastern_case_uses_the_removal_date_in_geneva() -> None:
    # 07:30 on Wed 10 Jun 2026 in Vladivostok is 23:30 on Tue 9 Jun in Geneva: three Geneva
    # working days before 9 Jun are 8, 5, 4 Jun -> Thu 4 Jun, 23:59:59 in Zurich.
    data = case(removal("2026-06-10T07:30:00+10:00", at="2026-06-01"), tz="Asia/Vladivostok")
    d = one(run(data, "2026-06-02"), "deadlines", kind="un_interim_request")
    assert (d["due_at"], d["timezone"]) == ("2026-06-04T23:59:59+02:00", "Europe/Zurich")


def test_moscow_summer_time_before_2011_is_kept_in_the_offsets() -> None:
    # Moscow kept summer time (+04:00) until 31 Oct 2010. Receipt 20 Oct 2010 (old CAO rule):
    # day 10 Sat 30 Oct, not rolled, 23:59:59+04:00. 48 hours from Sat 30 Oct 10:00+04:00 end
    # after the clocks went back: Mon 1 Nov 09:00+03:00.
    d = one(run(cao("2010-10-20"), "2010-10-21"), "deadlines", kind="appeal")
    assert (d["version"], d["due_at"]) == (1, "2010-10-30T23:59:59+04:00")
    started = {"type": "detention_started", "at": "2010-10-30T10:00:00+04:00", "basis": "deportation"}
    d = one(run(case(started), "2010-10-30"), "deadlines", kind="detention_court_order")
    assert d["due_at"] == "2010-11-01T09:00:00+03:00"


@pytest.mark.parametrize(
    ("removal_at", "due_at"),
    [
        # Tue 7 Apr 2026 10:00 Paris: Mon 6 Easter Monday, Fri 3 Good Friday (an Alsace holiday)
        ("2026-04-07T11:00:00+03:00", "2026-04-02T10:00:00+02:00"),
        # 00:30 Mon 16 Mar in Istanbul is 22:30 Sun 15 Mar in Strasbourg: the working day before
        # Sunday is Fri 13 Mar, the clock 22:30 clamped to 16:00
        ("2026-03-16T00:30:00+03:00", "2026-03-13T16:00:00+01:00"),
        # Mon 30 Mar 2026 09:00 CEST (the day after the change): Fri 27 Mar 09:00 CET
        ("2026-03-30T10:00:00+03:00", "2026-03-27T09:00:00+01:00"),
    ],
)
def test_r39_cutoff_holidays_midnight_and_summer_time(removal_at: str, due_at: str) -> None:
    d = one(run(tr(removal(removal_at, destination="SY")), "2026-01-02"), "deadlines", kind="r39_cutoff")
    assert d["due_at"] == due_at


@pytest.mark.parametrize(
    ("removal_at", "sent", "status", "late"),
    [
        # removal Tue 17 Mar 10:00 Paris -> cut-off Mon 16 Mar 10:00
        ("2026-03-17T12:00:00+03:00", "2026-03-13T17:00:00+01:00", "met", False),  # dealt with Mon 08:00
        ("2026-03-17T12:00:00+03:00", "2026-03-16T07:30:00+01:00", "met", False),  # dealt with Mon 08:00
        ("2026-03-17T12:00:00+03:00", "2026-03-16T12:00:00+01:00", "open", True),  # after the cut-off
        # removal Tue 17 Mar 07:00 Paris -> cut-off clamped to Mon 16 Mar 08:00
        ("2026-03-17T09:00:00+03:00", "2026-03-16T08:00:00+01:00", "met", False),  # exactly at it
        ("2026-03-17T09:00:00+03:00", "2026-03-15T20:00:00+01:00", "met", False),  # Sunday: Mon 08:00
        ("2026-03-17T09:00:00+03:00", "2026-03-16", "met", False),  # 00:00 Istanbul = Sun 22:00 Paris
        ("2026-03-17T09:00:00+03:00", "2026-03-16T08:00:01+01:00", "open", True),
    ],
)
def test_r39_processing_against_the_cutoff(removal_at: str, sent: str, status: str, late: bool) -> None:
    report = run(tr(removal(removal_at, destination="SY"), echr_request(sent)), "2026-03-16")
    d = one(report, "deadlines", kind="r39_cutoff")
    assert d["status"] == status
    assert bool(find(report["conflicts"], kind="r39_late")) is late


# -- asylum: pending until a final negative outcome -----------------------------------------------


@pytest.mark.parametrize(
    ("removal_at", "conflict"),
    [
        ("2026-04-02T23:00:00+03:00", True),  # refusal received 2 Mar: appeal month ends 2 Apr 23:59:59
        ("2026-04-03T01:00:00+03:00", False),
    ],
)
def test_removal_during_the_asylum_appeal_period_ends_with_the_period(removal_at: str, conflict: bool) -> None:
    data = case(
        asylum("asylum_applied", "2026-02-01"),
        asylum("asylum_refusal_received", "2026-03-02"),
        removal(removal_at, at="2026-03-05T10:00:00+03:00"),
    )
    assert bool(find(run(data, "2026-03-05")["conflicts"], kind="removal_during_asylum")) is conflict


def test_protection_ends_the_day_after_three_working_days_over_an_observed_holiday() -> None:
    # Notice Thu 5 Mar 2026: Fri 6 (1); Mon 9 Mar is the observed 8 March holiday; Tue 10 (2),
    # Wed 11 (3). protection_ended from 12 Mar 00:00; the rejected appeal is the final negative
    # outcome, so a removal after it is not removal_during_asylum.
    data = case(
        asylum("asylum_applied", "2026-02-01"),
        asylum("asylum_appeal_rejected_received", "2026-03-05"),
        removal("2026-03-11T23:00:00+03:00", at="2026-03-05T10:00:00+03:00"),
    )
    report = run(data, "2026-03-12")
    assert one(report, "deadlines", kind="leave_country")["due_date"] == "2026-03-11"
    assert one(report, "conflicts", kind="protection_ended")["since"] == "2026-03-12T00:00:00+03:00"
    assert find(report["conflicts"], kind="removal_during_asylum") == []


# -- the day arithmetic against an independent count ----------------------------------------------

_RU = holidays.country_holidays("RU", years=range(2024, 2028))
_RU_SATURDAYS = set(getattr(_RU, "weekend_workdays", ()))


def _ru_working(day: date) -> bool:
    return day in _RU_SATURDAYS or (day.weekday() < 5 and day not in _RU)


def _forward(day: date, count: int, working: Any) -> date:
    seen = 0
    while seen < count:
        day += timedelta(days=1)
        seen += working(day)
    return day


def _backward(day: date, count: int, working: Any) -> date:
    seen = 0
    while seen < count:
        day -= timedelta(days=1)
        seen += working(day)
    return day


def _roll(day: date) -> date:
    while not _ru_working(day):
        day += timedelta(days=1)
    return day


def test_russian_counts_match_a_count_made_from_the_holidays_package() -> None:
    # 2024-11 to 2027-11, every fourth day: CAO appeal (10 days rolled; 10 working days), the
    # preliminary consideration (5 working days) and leave (3 working days), all from the next day.
    day = date(2024, 11, 1)
    while day < date(2027, 11, 20):
        text = day.isoformat()
        data = cao(
            text,
            asylum("asylum_applied", text),
            asylum("asylum_appeal_rejected_received", text, kind="temporary_asylum"),
        )
        report = run(data, "2020-01-01")
        appeal = one(report, "deadlines", kind="appeal")
        due, literal = _roll(day + timedelta(days=10)), _forward(day, 10, _ru_working)
        assert (appeal["due_date"], alternatives(appeal)) == (due.isoformat(), {"RU_4_8_3_1_TEXT": literal.isoformat()})
        preliminary = one(report, "deadlines", kind="authority_decision")
        assert preliminary["due_date"] == _forward(day, 5, _ru_working).isoformat()
        leave = one(report, "deadlines", kind="leave_country")
        assert leave["due_date"] == _forward(day, 3, _ru_working).isoformat()
        day += timedelta(days=4)


def test_geneva_and_registry_counts_match_a_count_made_from_the_holidays_package() -> None:
    geneva = holidays.country_holidays("CH", subdiv="GE", years=range(2025, 2028))
    alsace = holidays.country_holidays("FR", subdiv="6AE", years=range(2025, 2028))

    def geneva_working(day: date) -> bool:
        return day.weekday() < 5 and day not in geneva

    def registry_working(day: date) -> bool:
        return day.weekday() < 5 and day not in alsace and (day.month, day.day) not in ((12, 24), (12, 31))

    zurich, paris = ZoneInfo("Europe/Zurich"), ZoneInfo("Europe/Paris")
    first = datetime(2025, 12, 1, tzinfo=ZoneInfo("Europe/Moscow"))
    for hours in range(0, 24 * 400, 29):  # every 29 hours: every clock time comes round
        at = first + timedelta(hours=hours)
        scheduled = removal(at.isoformat(), at="2025-11-01", destination="SY")
        un = one(run(case(scheduled), "2025-11-02"), "deadlines", kind="un_interim_request")
        target = _backward(at.astimezone(zurich).date(), 3, geneva_working)
        assert un["due_at"] == datetime.combine(target, time(23, 59, 59), zurich).isoformat(), at
        cutoff = one(run(tr(scheduled), "2025-11-02"), "deadlines", kind="r39_cutoff")
        local = at.astimezone(paris)
        clock = min(max(local.time().replace(tzinfo=None), time(8)), time(16))
        expected = datetime.combine(_backward(local.date(), 1, registry_working), clock, paris)
        assert cutoff["due_at"] == expected.isoformat(), at


# LAW.md, "Unconfirmed calendars", made again from its words: the fixed holidays (1-8 January,
# 23 February, 8 March, 1 and 9 May, 12 June, 4 November) and art. 112(2) — a holiday on a
# Saturday or Sunday moves the day off to the next working day, except 1-8 January; the safe
# calendar also counts every Saturday that is not a holiday and every moved day off as working.
_FIXED = [(1, d) for d in range(1, 9)] + [(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)]


def _undecreed(year: int) -> tuple[set[date], set[date]]:
    fixed = {date(year, m, d) for m, d in _FIXED}
    moved: set[date] = set()
    for holiday in sorted(fixed):
        if holiday.weekday() >= 5 and not (holiday.month == 1 and holiday.day <= 8):
            day = holiday + timedelta(days=1)
            while day.weekday() >= 5 or day in fixed or day in moved:
                day += timedelta(days=1)
            moved.add(day)
    return fixed, moved


_UNDECREED = {year: _undecreed(year) for year in range(2028, 2032)}


def _estimate_working(day: date) -> bool:
    fixed, moved = _UNDECREED[day.year]
    return day.weekday() < 5 and day not in fixed and day not in moved


def _safe_working(day: date) -> bool:
    fixed, moved = _UNDECREED[day.year]
    return _estimate_working(day) or day in moved or (day.weekday() == 5 and day not in fixed)


def _rolled(day: date, working: Any) -> date:
    while not working(day):
        day += timedelta(days=1)
    return day


def _rolled_back(day: date) -> date:
    while not _estimate_working(day):
        day -= timedelta(days=1)
    return day


def test_undecreed_years_match_the_labour_code_count_made_from_law_md() -> None:
    # 2028-2030 (no decree in holidays 0.109), every third day: the CAO appeal and its
    # working-days reading, leave (3 working days) and the asylum appeal (a month, rolled), each
    # flagged, with the safe date: the same counts on the safe calendar, the earliest of all,
    # rolled back to a working day.
    day = date(2028, 1, 2)
    while day < date(2030, 12, 1):
        text = day.isoformat()
        data = cao(
            text,
            asylum("asylum_appeal_rejected_received", text),
            asylum("asylum_refusal_received", text, kind="temporary_asylum"),
        )
        report = run(data, "2020-01-01")
        appeal = one(report, "deadlines", kind="appeal")
        due, literal = _rolled(day + timedelta(days=10), _estimate_working), _forward(day, 10, _estimate_working)
        safe = min(due, literal, _rolled(day + timedelta(days=10), _safe_working), _forward(day, 10, _safe_working))
        assert (appeal["due_date"], alternatives(appeal), appeal["safe_due_date"]) == (
            due.isoformat(),
            {"RU_4_8_3_1_TEXT": literal.isoformat()},
            _rolled_back(safe).isoformat(),
        ), text
        leave = one(report, "deadlines", kind="leave_country")
        safe = _rolled_back(_forward(day, 3, _safe_working))
        assert leave["due_date"] == _forward(day, 3, _estimate_working).isoformat()
        assert leave["safe_due_date"] == safe.isoformat()
        month = one(report, "deadlines", kind="asylum_appeal")
        year, next_month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
        end = date(year, next_month, min(day.day, calendar.monthrange(year, next_month)[1]))
        safe = _rolled_back(min(end, _rolled(end, _safe_working)))  # the unrolled reading is the earliest
        assert month["due_date"] == _rolled(end, _estimate_working).isoformat()
        assert month["safe_due_date"] == safe.isoformat()
        for deadline in (appeal, leave, month):
            assert "CALENDAR_UNCONFIRMED" in deadline["flags"], (text, deadline["kind"])
            assert deadline["calendar"]["unconfirmed_years"], text
        day += timedelta(days=3)


# -- which request meets a UN target (LAW.md, "When a removal is protected", conditions 2 and 3) --


def _un(at: str, kind: str = "interim_measure_requested", forum: str = "un_cat", **attrs: Any) -> dict[str, Any]:
    return {"type": kind, "at": at, "forum": forum, **attrs}


_TO_UZ = removal("2026-03-20T10:00:00+03:00", at="2026-03-02T10:00:00+03:00", destination="UZ")
_CAT_UZ = _un("2026-02-02T10:00:00+01:00", "interim_measure_granted", destination="UZ")
_CAT_LIFTED = _un("2026-03-01T10:00:00+01:00", "interim_measure_lifted")


@pytest.mark.parametrize(
    ("events", "today", "status", "met_by"),
    [
        # the target of the removal on Fri 20 Mar 2026 is Tue 17 Mar (Thu 19, Wed 18, Tue 17)
        # 2: a request sent after the measure ended (its until) is a new request: it meets, whatever
        # it says it extends
        (
            [
                _un("2026-02-01T10:00:00+01:00"),
                _un("2026-02-02T10:00:00+01:00", "interim_measure_granted", until="2026-03-01T00:00:00+01:00"),
                _un("2026-03-02T10:00:00+01:00", extends="e2"),
                _TO_UZ,
            ],
            "2026-03-05",
            "met",
            "e3",
        ),
        # 2: a refusal after the removal's instant is no barrier for it ...
        (
            [
                removal("2026-03-09T10:00:00+03:00", at="2026-03-02T10:00:00+03:00", destination="UZ"),
                _un("2026-03-03T10:00:00+01:00"),
                _un("2026-03-10T10:00:00+01:00", "interim_measure_refused"),
            ],
            "2026-03-11",
            "met",
            "e2",
        ),
        # ... but one before it is: the request sent before the refusal meets nothing
        ([_TO_UZ, _un("2026-03-03T10:00:00+01:00"), _un("2026-03-10T10:00:00+01:00", "interim_measure_refused")],
         "2026-03-11", "open", None),
        # 2: only a lifting of the same forum bars: the CAT's does not bar an earlier HRC request
        ([_CAT_UZ, _un("2026-02-20T10:00:00+01:00", forum="un_hrc"), _CAT_LIFTED, _TO_UZ], "2026-03-05", "met", "e2"),
        # 2: sent at the very instant of the lifting ("at or after"): it meets
        ([_CAT_UZ, _CAT_LIFTED, _un("2026-03-01T12:00:00+03:00"), _TO_UZ], "2026-03-05", "met", "e3"),
        # ... a minute before it, it does not
        ([_CAT_UZ, _CAT_LIFTED, _un("2026-03-01T11:59:00+03:00"), _TO_UZ], "2026-03-05", "open", None),
        # 3: a null destination is that of each removal pending when it was sent (Kazakhstan), not
        # that of a removal scheduled later (Uzbekistan)
        (
            [
                removal("2026-03-25T10:00:00+03:00", at="2026-02-01", destination="KZ"),
                _un("2026-02-20T10:00:00+01:00"),
                _TO_UZ,
            ],
            "2026-03-05",
            "open",
            None,
        ),
        # 3: a request naming another destination meets nothing
        ([_TO_UZ, _un("2026-03-03T10:00:00+01:00", destination="KZ")], "2026-03-05", "open", None),
    ],
)
def test_which_request_meets_the_un_target(
    events: list[dict[str, Any]], today: str, status: str, met_by: str | None
) -> None:
    data = case(*events)
    uz = next(e["id"] for e in data["events"] if e["type"] == "removal_scheduled" and e["destination"] == "UZ")
    d = one(run(data, today), "deadlines", kind="un_interim_request", trigger=uz)
    assert (d["status"], d["met_by"]) == (status, met_by)
