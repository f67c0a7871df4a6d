"""UN treaty bodies: the interim-measures target (policy) and forum overlap."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.support import case, find, one, run


def removal(removal_at: str, at: str = "2026-01-01") -> dict[str, Any]:
    return {"type": "removal_scheduled", "at": at, "removal_at": removal_at, "destination": "KP"}


@pytest.mark.parametrize(
    ("removal_at", "due"),
    [
        ("2026-06-10T06:00:00+03:00", "2026-06-05"),  # example 03: Wednesday; Tue, Mon, Fri
        ("2026-06-10T01:30:00+03:00", "2026-06-05"),  # 00:30 on 10 June in Geneva
        ("2026-06-10T00:30:00+03:00", "2026-06-04"),  # 23:30 on 9 June in Geneva
        ("2026-04-07T10:00:00+03:00", "2026-03-31"),  # Easter Monday and Good Friday
        ("2026-09-14T10:00:00+03:00", "2026-09-08"),  # Jeûne genevois, Thursday 10 Sept
        ("2027-01-04T10:00:00+03:00", "2026-12-28"),  # 1 Jan; 31 Dec is Restoration Day in Geneva
    ],
)
def test_un_request_target_is_3_geneva_working_days_before_removal(removal_at: str, due: str) -> None:
    d = one(run(case(removal(removal_at)), "2026-01-02"), "deadlines", kind="un_interim_request")
    assert d["due_date"] == due
    assert d["due_at"] in (f"{due}T23:59:59+01:00", f"{due}T23:59:59+02:00")
    assert d["timezone"] == "Europe/Zurich"
    assert (d["nature"], d["verified"], d["rule"]) == ("policy", True, "un.interim_request")


def test_un_target_shows_summer_time_in_geneva() -> None:
    d = one(run(case(removal("2026-04-07T10:00:00+03:00")), "2026-01-02"), "deadlines", kind="un_interim_request")
    assert d["due_at"] == "2026-03-31T23:59:59+02:00"


@pytest.mark.parametrize(
    ("extra", "today", "status", "met_by"),
    [
        (
            {"type": "interim_measure_requested", "at": "2026-06-05T20:00:00+02:00", "forum": "un_cat"},
            "2026-06-08",
            "met",
            "e2",
        ),
        (
            {"type": "interim_measure_requested", "at": "2026-06-06T00:30:00+02:00", "forum": "un_hrc"},
            "2026-06-08",
            "missed",
            None,
        ),
        (
            {"type": "interim_measure_requested", "at": "2026-06-01T10:00:00+02:00", "forum": "echr"},
            "2026-06-08",
            "missed",
            None,
        ),
        ({"type": "removal_cancelled", "at": "2026-06-02", "removal_event": "e1"}, "2026-06-08", "cancelled", None),
        (None, "2026-06-05", "open", None),
    ],
)
def test_un_request_target_status(extra: dict[str, Any] | None, today: str, status: str, met_by: str | None) -> None:
    events = [removal("2026-06-10T06:00:00+03:00")] + ([extra] if extra else [])
    d = one(run(case(*events), today), "deadlines", kind="un_interim_request")
    assert (d["status"], d["met_by"]) == (status, met_by)


def test_no_un_target_where_the_echr_is_available() -> None:
    data = case(removal("2026-03-16T09:00:00+03:00"), host="TR", tz="Europe/Istanbul")
    assert find(run(data, "2026-03-01")["deadlines"], kind="un_interim_request") == []


def test_un_target_where_the_host_state_is_not_an_echr_party() -> None:
    data = case(removal("2026-06-10T09:00:00+05:00"), host="KZ", tz="Asia/Almaty")
    d = one(run(data, "2026-06-01"), "deadlines", kind="un_interim_request")
    assert d["due_date"] == "2026-06-05"
    assert d["safe_due_date"] == "2026-06-05"  # Kazakhstan's calendar from the holidays package


# -- forum overlap ------------------------------------------------------------------------------------


def lodged(at: str, forum: str) -> dict[str, Any]:
    return {"type": "application_lodged", "at": at, "forum": forum}


def test_cat_communication_after_an_echr_application_is_a_forum_overlap_for_legal_review() -> None:
    data = case(lodged("2026-01-10", "echr"), lodged("2026-02-01", "un_cat"), host="TR", tz="Europe/Istanbul")
    (c,) = find(run(data, "2026-02-02")["conflicts"], kind="forum_overlap")
    assert (c["severity"], c["events"], c["flags"]) == ("high", ["e2", "e1"], ["LEGAL_REVIEW"])
    assert "22(5)(a)" in c["basis"]


def test_cat_interim_request_after_an_echr_application_is_an_overlap_too() -> None:
    data = case(
        lodged("2026-01-10", "echr"),
        {"type": "interim_measure_requested", "at": "2026-02-01", "forum": "un_cat"},
        host="TR",
        tz="Europe/Istanbul",
    )
    assert [c["events"] for c in find(run(data, "2026-02-02")["conflicts"], kind="forum_overlap")] == [["e2", "e1"]]


@pytest.mark.parametrize(
    "events",
    [
        [lodged("2026-02-01", "un_cat"), lodged("2026-03-01", "echr")],  # the CAT came first
        [lodged("2026-02-01", "un_hrc"), lodged("2026-03-01", "echr")],  # the HRC came first
    ],
)
def test_no_forum_overlap_otherwise(events: list[dict[str, Any]]) -> None:
    data = case(*events, host="TR", tz="Europe/Istanbul")
    assert find(run(data, "2026-03-02")["conflicts"], kind="forum_overlap") == []


def test_hrc_communication_while_the_echr_examines_the_matter_is_an_overlap_for_review() -> None:
    data = case(lodged("2026-01-10", "echr"), lodged("2026-02-01", "un_hrc"), host="TR", tz="Europe/Istanbul")
    (c,) = find(run(data, "2026-02-02")["conflicts"], kind="forum_overlap")
    assert (c["severity"], c["events"]) == ("high", ["e2", "e1"])
    assert c["flags"] == ["LEGAL_REVIEW", "HRC_AFTER_ECHR_REVIEW"]
    assert "5(2)(a)" in c["basis"]


@pytest.mark.parametrize(("first", "second"), [("un_cat", "un_hrc"), ("un_hrc", "un_cat")])
def test_cat_and_hrc_communications_on_the_same_matter_overlap(first: str, second: str) -> None:
    data = case(
        {"type": "interim_measure_requested", "at": "2026-02-01", "forum": first},
        lodged("2026-02-03", second),
    )
    (c,) = find(run(data, "2026-02-04")["conflicts"], kind="forum_overlap")
    assert (c["events"], c["flags"]) == (["e2", "e1"], ["LEGAL_REVIEW"])
