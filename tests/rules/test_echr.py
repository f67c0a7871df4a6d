"""The European Court of Human Rights: availability, Rule 39 cut-off and processing, time-limit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.support import case, find, one, run


def decision(at: str) -> dict[str, Any]:
    return {"type": "decision_issued", "at": at, "decision": "expulsion"}


def removal(removal_at: str, at: str = "2020-01-01", destination: str = "SY") -> dict[str, Any]:
    return {"type": "removal_scheduled", "at": at, "removal_at": removal_at, "destination": destination}


def request(at: str, forum: str = "echr") -> dict[str, Any]:
    return {"type": "interim_measure_requested", "at": at, "forum": forum}


def tr(*events: dict[str, Any]) -> dict[str, Any]:
    return case(*events, host="TR", tz="Europe/Istanbul", nationality="SY", languages=["ar"])


# -- availability ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "available"),
    [
        ("2022-09-16", True),
        ("2022-09-16T23:30:00+03:00", True),
        ("2022-09-17", False),
        ("2022-09-17T00:30:00+03:00", False),  # still 16 Sep in Strasbourg, but the act is Russian: 17 Sep
        ("2021-05-01", True),
    ],
)
def test_echr_covers_russian_acts_up_to_16_september_2022(at: str, available: bool) -> None:
    forum = one(run(case(decision(at)), "2026-01-01"), "forums", forum="echr")
    assert forum["available"] is available
    assert forum["suggest"] == ([] if available else ["un_cat", "un_hrc"])
    assert ("art. 58" in forum["basis"]) is not available


@pytest.mark.parametrize(("today", "available"), [("2022-09-16", True), ("2022-09-17", False)])
def test_without_acts_availability_is_judged_on_today(today: str, available: bool) -> None:
    assert one(run(case(), today), "forums", forum="echr")["available"] is available


def test_the_latest_act_decides_availability() -> None:
    data = case(decision("2022-09-01"), removal("2022-09-20T10:00:00+03:00", at="2022-09-02"))
    assert one(run(data, "2022-09-03"), "forums", forum="echr")["available"] is False
    cancelled = case(*data["events"], {"type": "removal_cancelled", "at": "2022-09-05", "removal_event": "e2"})
    assert one(run(cancelled, "2022-09-06"), "forums", forum="echr")["available"] is True


def test_any_party_state_is_covered_and_a_non_party_is_not() -> None:
    assert one(run(tr(), "2026-01-01"), "forums", forum="echr")["available"] is True
    kz = one(run(case(host="KZ", tz="Asia/Almaty"), "2026-01-01"), "forums", forum="echr")
    assert (kz["available"], kz["suggest"]) == (False, ["un_cat", "un_hrc"])
    assert "not a party" in kz["basis"]


def test_forums_list_only_the_echr() -> None:
    assert [f["forum"] for f in run(case(), "2026-01-01")["forums"]] == ["echr"]


# -- Rule 39 cut-off --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("removal_at", "cutoff"),
    [
        ("2026-03-16T09:00:00+03:00", "2026-03-13T08:00:00+01:00"),  # example 04: 07:00 clamped to 08:00
        ("2026-03-18T14:30:00+03:00", "2026-03-17T12:30:00+01:00"),  # within Registry hours: same clock
        ("2026-03-18T22:00:00+03:00", "2026-03-17T16:00:00+01:00"),  # 20:00 clamped to 16:00
        ("2026-03-16T01:30:00+03:00", "2026-03-13T16:00:00+01:00"),  # Sunday 23:30 in Strasbourg
        ("2026-03-30T11:00:00+03:00", "2026-03-27T10:00:00+01:00"),  # DST: 10:00 CEST, cut-off at 10:00 CET
        ("2026-04-07T11:00:00+03:00", "2026-04-02T10:00:00+02:00"),  # Easter Monday, Good Friday (Alsace)
        ("2026-05-15T12:00:00+03:00", "2026-05-13T11:00:00+02:00"),  # Ascension Thursday 14 May
    ],
)
def test_r39_cutoff_is_the_registry_working_day_before_at_the_clamped_strasbourg_clock(
    removal_at: str, cutoff: str
) -> None:
    d = one(run(tr(removal(removal_at)), "2026-01-01"), "deadlines", kind="r39_cutoff")
    assert d["due_at"] == cutoff
    assert d["due_date"] == cutoff[:10]
    assert d["timezone"] == "Europe/Paris"
    assert d["flags"] == ["R39_CUTOFF_READING"]
    assert (d["rule"], d["trigger"], d["severity"]) == ("echr.r39.cutoff", "e1", "critical")


@pytest.mark.parametrize(
    ("removal_at", "cutoff"),
    [
        ("2025-12-29T12:00:00+03:00", "2025-12-23T10:00:00+01:00"),  # 26, 25 Dec holidays; 24 Dec approximated
        ("2026-01-02T12:00:00+03:00", "2025-12-30T10:00:00+01:00"),  # 1 Jan holiday; 31 Dec approximated
    ],
)
def test_r39_cutoff_flags_the_approximate_registry_closing_days(removal_at: str, cutoff: str) -> None:
    d = one(run(tr(removal(removal_at)), "2025-12-01"), "deadlines", kind="r39_cutoff")
    assert d["due_at"] == cutoff
    assert d["flags"] == ["R39_CUTOFF_READING", "REGISTRY_CALENDAR_APPROXIMATION"]


def test_r39_cutoff_exists_for_a_russian_removal_only_up_to_16_september_2022() -> None:
    before = run(case(removal("2022-09-12T10:00:00+03:00", destination="UZ")), "2022-09-01")
    assert one(before, "deadlines", kind="r39_cutoff")["due_at"] == "2022-09-09T09:00:00+02:00"
    assert find(before["deadlines"], kind="un_interim_request") == []
    after = run(case(removal("2022-09-20T10:00:00+03:00", destination="UZ")), "2022-09-01")
    assert find(after["deadlines"], kind="r39_cutoff") == []
    assert len(find(after["deadlines"], kind="un_interim_request")) == 1


@pytest.mark.parametrize(
    ("sent", "today", "status", "late"),
    [
        ("2026-03-13T08:30:00+01:00", "2026-03-20", "met", False),
        ("2026-03-12T20:00:00+01:00", "2026-03-20", "met", False),  # processed Friday 08:00
        ("2026-03-13T09:00:00+01:00", "2026-03-20", "met", False),  # at the cut-off itself
        ("2026-03-13T17:00:00+01:00", "2026-03-20", "missed", True),  # processed Monday 08:00
        ("2026-03-13T17:00:00+01:00", "2026-03-13", "open", True),
    ],
)
def test_r39_request_meets_the_cutoff_when_the_registry_processes_it_in_time(
    sent: str, today: str, status: str, late: bool
) -> None:
    data = tr(removal("2026-03-16T11:00:00+03:00"), request(sent))  # 09:00 in Strasbourg
    report = run(data, today)
    d = one(report, "deadlines", kind="r39_cutoff")
    assert d["due_at"] == "2026-03-13T09:00:00+01:00"
    assert (d["status"], d["met_by"]) == (status, "e2" if status == "met" else None)
    conflicts = find(report["conflicts"], kind="r39_late")
    assert [c["events"] for c in conflicts] == ([["e2", "e1"]] if late else [])
    if late:
        assert conflicts[0]["severity"] == "critical"


def test_cancelled_removal_cancels_the_cutoff_and_no_request_is_late() -> None:
    data = tr(
        removal("2026-03-16T11:00:00+03:00"),
        {"type": "removal_cancelled", "at": "2026-03-10", "removal_event": "e1"},
        request("2026-03-13T17:00:00+01:00"),
    )
    report = run(data, "2026-03-20")
    assert one(report, "deadlines", kind="r39_cutoff")["status"] == "cancelled"
    assert report["conflicts"] == []


# -- Rule 39 processing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "processed"),
    [
        ("2026-03-17T10:00:00+01:00", "2026-03-17T10:00:00+01:00"),  # in hours
        ("2026-03-17T16:00:00+01:00", "2026-03-17T16:00:00+01:00"),  # closing time is still in hours
        ("2026-03-17T07:00:00+01:00", "2026-03-17T08:00:00+01:00"),  # before opening: 08:00 that day
        ("2026-03-17T09:30:00+03:00", "2026-03-17T08:00:00+01:00"),  # 07:30 in Strasbourg
        ("2026-03-13T17:00:00+01:00", "2026-03-16T08:00:00+01:00"),  # Friday evening: Monday
        ("2026-03-14T11:00:00+01:00", "2026-03-16T08:00:00+01:00"),  # Saturday
        ("2026-04-02T18:00:00+02:00", "2026-04-07T08:00:00+02:00"),  # Good Friday, Easter Monday
    ],
)
def test_registry_processes_a_request_in_hours_or_at_the_next_opening(sent: str, processed: str) -> None:
    m = one(run(tr(request(sent)), "2026-03-01"), "milestones", kind="r39_processing")
    assert (m["event"], m["at"], m["date"], m["timezone"]) == ("e1", processed, processed[:10], "Europe/Paris")
    assert m["rule"] == "echr.r39.processing"


def test_processing_over_christmas_is_flagged_as_approximate() -> None:
    m = one(run(tr(request("2025-12-23T17:00:00+01:00")), "2025-12-01"), "milestones", kind="r39_processing")
    assert m["at"] == "2025-12-29T08:00:00+01:00"
    assert m["flags"] == ["REGISTRY_CALENDAR_APPROXIMATION"]


def test_un_requests_have_no_registry_processing_milestone() -> None:
    assert run(tr(request("2026-03-17T10:00:00+01:00", "un_cat")), "2026-03-01")["milestones"] == []


# -- application time-limit -------------------------------------------------------------------------


def final(at: str) -> dict[str, Any]:
    return {"type": "final_domestic_decision", "at": at}


@pytest.mark.parametrize(
    ("at", "due", "version"),
    [
        ("2022-02-01", "2022-06-01", 2),  # Protocol 15: four months from 1 Feb 2022
        ("2022-01-31", "2022-07-31", 1),  # six months before; a Sunday, never rolled
        ("2021-08-31", "2022-02-28", 1),  # last day of the month
        ("2023-10-31", "2024-02-29", 2),  # leap year
        ("2025-10-31", "2026-02-28", 2),  # example 04: a Saturday, never rolled
    ],
)
def test_echr_time_limit_is_4_months_from_1_february_2022_and_6_before(at: str, due: str, version: int) -> None:
    d = one(run(tr(final(at)), "2020-01-01"), "deadlines", kind="echr_application")
    assert (d["due_date"], d["version"], d["alternatives"]) == (due, version, [])
    assert d["due_at"] == f"{due}T23:59:59+03:00"  # shown in the case's zone (Istanbul)
    assert d["timezone"] == "Europe/Istanbul"
    assert d["rule"] == "echr.application"


def test_the_decision_date_is_the_local_date_of_the_domestic_decision() -> None:
    # 1 Feb 2022 00:30 in Istanbul is still 31 Jan in Strasbourg; the decision is of 1 Feb.
    d = one(run(tr(final("2022-02-01T00:30:00+03:00")), "2022-02-02"), "deadlines", kind="echr_application")
    assert (d["due_date"], d["version"]) == ("2022-06-01", 2)


@pytest.mark.parametrize(
    ("lodged", "status"),
    [
        ("2022-06-01T23:30:00+03:00", "met"),
        ("2022-06-02T00:30:00+02:00", "missed"),
        ("2022-06-02T00:30:00+03:00", "missed"),  # still 1 June in Strasbourg, but posted on 2 June
        ("2022-06-01T23:30:00-05:00", "met"),  # 2 June in Istanbul, posted on 1 June where it was posted
        ("2022-06-01", "met"),
    ],
)
def test_echr_application_is_in_time_by_the_local_date_where_it_was_posted(lodged: str, status: str) -> None:
    data = tr(final("2022-02-01"), {"type": "application_lodged", "at": lodged, "forum": "echr"})
    assert one(run(data, "2022-07-01"), "deadlines", kind="echr_application")["status"] == status


def test_russian_final_decision_after_16_september_2022_has_no_echr_time_limit() -> None:
    assert find(run(case(final("2022-10-01")), "2022-10-02")["deadlines"], kind="echr_application") == []
    d = one(run(case(final("2022-09-01")), "2022-09-02"), "deadlines", kind="echr_application")
    assert (d["due_date"], d["safe_due_date"]) == ("2023-01-01", "2022-12-30")  # Russian calendar for the safe date


# -- forum unavailable, measures across the end of the Court's jurisdiction ----------------------------


def test_echr_request_for_a_russian_removal_after_16_september_2022_is_forum_unavailable() -> None:
    data = case(removal("2023-06-10T10:00:00+03:00", destination="UZ"), request("2023-06-01T10:00:00+03:00"))
    (c,) = find(run(data, "2023-06-02")["conflicts"], kind="forum_unavailable")
    assert (c["severity"], c["events"]) == ("high", ["e2"])


def test_echr_application_after_a_2023_final_decision_in_russia_is_forum_unavailable() -> None:
    data = case(final("2023-03-01"), {"type": "application_lodged", "at": "2023-05-01", "forum": "echr"})
    (c,) = find(run(data, "2023-05-02")["conflicts"], kind="forum_unavailable")
    assert c["events"] == ["e2"]


def test_echr_requests_where_the_court_covers_the_act_are_fine() -> None:
    assert (
        run(tr(removal("2026-03-16T11:00:00+03:00"), request("2026-03-10T10:00:00+01:00")), "2026-03-11")["conflicts"]
        == []
    )
    ru = case(removal("2022-09-12T10:00:00+03:00", destination="UZ"), request("2022-09-08T10:00:00+03:00"))
    assert find(run(ru, "2022-09-09")["conflicts"], kind="forum_unavailable") == []


@pytest.mark.parametrize(
    ("removal_at", "flags"),
    [("2022-10-01T10:00:00+03:00", ["IM_EFFECT_AFTER_TERMINATION_UNCERTAIN"]), ("2022-09-15T10:00:00+03:00", [])],
)
def test_echr_measure_granted_before_16_september_2022_still_forbids_a_later_removal(
    removal_at: str, flags: list[str]
) -> None:
    data = case(
        {"type": "interim_measure_granted", "at": "2022-09-05T12:00:00+02:00", "forum": "echr", "destination": "UZ"},
        removal(removal_at, at="2022-09-10", destination="UZ"),
    )
    (c,) = find(run(data, "2022-09-11")["conflicts"], kind="removal_during_interim_measure")
    assert (c["events"], c["flags"], c["severity"]) == (["e2", "e1"], flags, "critical")


def test_a_removal_on_24_december_itself_does_not_flag_the_approximation() -> None:
    d = one(run(tr(removal("2026-12-24T12:00:00+03:00")), "2026-12-01"), "deadlines", kind="r39_cutoff")
    assert d["due_at"] == "2026-12-23T10:00:00+01:00"
    assert d["flags"] == ["R39_CUTOFF_READING"]
