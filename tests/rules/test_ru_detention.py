"""Russia, 115-FZ detention for deportation or readmission: the 48-hour court order and the term."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.support import case, find, one, run


def started(at: str, basis: str = "deportation") -> dict[str, Any]:
    return {"type": "detention_started", "at": at, "basis": basis}


@pytest.mark.parametrize("basis", ["deportation", "readmission"])
def test_court_order_is_due_48_hours_after_detention_with_a_reminder_12_hours_before(basis: str) -> None:
    d = one(
        run(case(started("2026-03-27T10:00:00+03:00", basis)), "2026-03-27"), "deadlines", kind="detention_court_order"
    )
    assert d["due_at"] == "2026-03-29T10:00:00+03:00"
    assert d["due_date"] == "2026-03-29"
    assert d["reminders"] == ["2026-03-28T22:00:00+03:00"]
    assert (d["status"], d["verified"], d["rule"]) == ("open", False, "ru.detention.court_order")


@pytest.mark.parametrize("basis", ["administrative", "extradition", "criminal"])
def test_no_48_hour_clock_for_other_detention(basis: str) -> None:
    report = run(case(started("2026-03-27T10:00:00+03:00", basis)), "2026-03-27")
    assert find(report["deadlines"], kind="detention_court_order") == []


def test_48_hours_are_real_hours_across_a_dst_change() -> None:
    # In a zone with summer time, 48 hours after Saturday 10:00 CET is Monday 11:00 CEST.
    data = case(started("2026-03-28T10:00:00+01:00"), tz="Europe/Berlin")
    d = one(run(data, "2026-03-28"), "deadlines", kind="detention_court_order")
    assert d["due_at"] == "2026-03-30T11:00:00+02:00"
    assert d["reminders"] == ["2026-03-29T23:00:00+02:00"]


def test_the_instant_is_shown_in_the_case_zone_whatever_offset_it_was_written_with() -> None:
    d = one(run(case(started("2026-03-27T07:00:00Z")), "2026-03-27"), "deadlines", kind="detention_court_order")
    assert d["due_at"] == "2026-03-29T10:00:00+03:00"


@pytest.mark.parametrize(
    ("then", "today", "status"),
    [
        (
            {"type": "detention_ordered", "at": "2026-03-28T16:00:00+03:00", "term_until": "2026-06-25"},
            "2026-04-01",
            "cancelled",
        ),
        ({"type": "released", "at": "2026-03-29T09:59:59+03:00"}, "2026-04-01", "cancelled"),
        ({"type": "detention_ordered", "at": "2026-03-29T10:00:01+03:00"}, "2026-04-01", "missed"),  # too late
        ({"type": "released", "at": "2026-03-30T12:00:00+03:00"}, "2026-04-01", "missed"),
        (None, "2026-03-29", "open"),
        (None, "2026-03-30", "missed"),
    ],
)
def test_court_order_clock_is_cancelled_only_by_an_order_or_release_in_time(
    then: dict[str, Any] | None, today: str, status: str
) -> None:
    events = [started("2026-03-27T10:00:00+03:00")] + ([then] if then else [])
    assert one(run(case(*events), today), "deadlines", kind="detention_court_order")["status"] == status


def test_an_order_from_an_earlier_detention_does_not_cancel_a_new_clock() -> None:
    data = case(
        {"type": "detention_ordered", "at": "2026-01-10T10:00:00+03:00"},
        {"type": "released", "at": "2026-02-01T10:00:00+03:00"},
        started("2026-03-27T10:00:00+03:00"),
    )
    assert one(run(data, "2026-04-01"), "deadlines", kind="detention_court_order")["status"] == "missed"


# -- the court-set term ---------------------------------------------------------------------------

ORDER: dict[str, Any] = {"type": "detention_ordered", "at": "2026-05-26T16:00:00+03:00", "term_until": "2026-08-24"}


def test_term_is_due_at_the_end_of_the_term_day_with_reminders_10_and_3_days_before() -> None:
    d = one(run(case(ORDER), "2026-06-01"), "deadlines", kind="detention_term")
    assert (d["due_date"], d["due_at"]) == ("2026-08-24", "2026-08-24T23:59:59+03:00")
    assert d["reminders"] == ["2026-08-14", "2026-08-21"]
    assert (d["status"], d["trigger"], d["verified"]) == ("open", "e1", False)


def test_an_order_without_a_term_has_no_term_deadline() -> None:
    data = case({"type": "detention_ordered", "at": "2026-05-26T16:00:00+03:00"})
    assert find(run(data, "2026-06-01")["deadlines"], kind="detention_term") == []


def test_extension_cancels_the_term_and_starts_a_new_one() -> None:
    data = case(ORDER, {"type": "detention_extended", "at": "2026-08-20T10:00:00+03:00", "term_until": "2026-11-20"})
    report = run(data, "2026-08-30")
    assert one(report, "deadlines", kind="detention_term", trigger="e1")["status"] == "cancelled"
    new = one(report, "deadlines", kind="detention_term", trigger="e2")
    assert (new["due_date"], new["status"], new["reminders"]) == ("2026-11-20", "open", ["2026-11-10", "2026-11-17"])
    assert report["conflicts"] == []


def test_release_cancels_the_term() -> None:
    data = case(ORDER, {"type": "released", "at": "2026-07-01T10:00:00+03:00"})
    report = run(data, "2026-09-01")
    assert one(report, "deadlines", kind="detention_term")["status"] == "cancelled"
    assert report["conflicts"] == []


@pytest.mark.parametrize(("today", "conflict"), [("2026-08-24", False), ("2026-08-25", True)])
def test_release_is_due_from_the_midnight_after_the_term(today: str, conflict: bool) -> None:
    report = run(case(ORDER), today)
    found = find(report["conflicts"], kind="release_due")
    assert bool(found) == conflict
    if conflict:
        (c,) = found
        assert (c["severity"], c["events"], c["since"]) == ("critical", ["e1"], "2026-08-25T00:00:00+03:00")
        assert c["rule"] == "ru.conflict.release_due"
        assert "detention_centre" in c["notify"]
        assert one(report, "deadlines", kind="detention_term")["status"] == "missed"


def test_a_late_release_ends_the_release_due_conflict() -> None:
    data = case(ORDER, {"type": "released", "at": "2026-08-27T10:00:00+03:00"})
    report = run(data, "2026-09-01")
    assert one(report, "deadlines", kind="detention_term")["status"] == "missed"
    assert find(report["conflicts"], kind="release_due") == []


def test_release_due_is_reported_in_the_case_zone() -> None:
    data = case({**ORDER, "at": "2026-05-26T16:00:00+07:00"}, tz="Asia/Novosibirsk")
    (c,) = find(run(data, "2026-08-25")["conflicts"], kind="release_due")
    assert c["since"] == "2026-08-25T00:00:00+07:00"
