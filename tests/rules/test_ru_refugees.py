"""Russia, Law "On Refugees": authority's deadline, appeal, leaving, no return, temporary asylum."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.support import case, find, one, run


def applied(at: str, kind: str = "refugee_status") -> dict[str, Any]:
    return {"type": "asylum_applied", "at": at, "kind": kind}


def refused(at: str, kind: str = "refugee_status") -> dict[str, Any]:
    return {"type": "asylum_refusal_received", "at": at, "kind": kind}


def rejected(at: str, kind: str = "refugee_status") -> dict[str, Any]:
    return {"type": "asylum_appeal_rejected_received", "at": at, "kind": kind}


def removal(at: str, removal_at: str, destination: str = "KP") -> dict[str, Any]:
    return {"type": "removal_scheduled", "at": at, "removal_at": removal_at, "destination": destination}


# -- preliminary consideration ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "due"),
    [
        ("2026-03-02T10:00:00+03:00", "2026-03-10"),  # Tue..Fri, then 9 March observed holiday
        ("2024-04-24", "2024-05-03"),  # counts the working Saturday 27 April 2024
        ("2025-10-29", "2025-11-06"),  # working Saturday 1 Nov 2025; 3-4 Nov off
    ],
)
def test_authority_decides_on_a_refugee_application_within_5_working_days(at: str, due: str) -> None:
    d = one(run(case(applied(at)), "2020-01-01"), "deadlines", kind="authority_decision")
    assert (d["due_date"], d["rule"], d["severity"]) == (due, "ru.refugees.preliminary", "medium")


def test_no_authority_deadline_for_temporary_asylum() -> None:
    report = run(case(applied("2026-03-02", "temporary_asylum")), "2026-03-03")
    assert find(report["deadlines"], kind="authority_decision") == []


def test_authority_decision_is_met_by_the_refusal_of_the_same_kind() -> None:
    data = case(applied("2026-03-02"), refused("2026-03-06"))
    d = one(run(data, "2026-03-20"), "deadlines", kind="authority_decision")
    assert (d["status"], d["met_by"]) == ("met", "e2")


# -- appeal against refusal -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "due", "unrolled", "safe"),
    [
        ("2025-01-31", "2025-02-28", "2025-02-28", "2025-02-28"),  # 31 Jan + 1 month: last day of February
        ("2024-01-31", "2024-02-29", "2024-02-29", "2024-02-29"),  # leap year
        ("2026-02-09", "2026-03-10", "2026-03-09", "2026-03-06"),  # 9 March 2026 observed holiday: rolled
        ("2024-03-27", "2024-04-27", "2024-04-27", "2024-04-27"),  # a working Saturday needs no roll
        ("2026-04-09T18:00:00+03:00", "2026-05-12", "2026-05-09", "2026-05-08"),  # Victory Day weekend
    ],
)
def test_asylum_appeal_is_one_month_rolled_with_the_unrolled_reading_as_alternative(
    at: str, due: str, unrolled: str, safe: str
) -> None:
    d = one(run(case(refused(at)), "2020-01-01"), "deadlines", kind="asylum_appeal")
    assert d["due_date"] == due
    assert [(a["code"], a["due_date"]) for a in d["alternatives"]] == [("RU_REF_MONTH_ROLL", unrolled)]
    assert d["safe_due_date"] == safe
    assert d["rule"] == "ru.refugees.appeal"


def test_asylum_appeal_is_met_by_an_appeal_against_that_refusal() -> None:
    data = case(
        refused("2026-02-09"), {"type": "appeal_lodged", "at": "2026-03-10T18:00:00+03:00", "decision_event": "e1"}
    )
    d = one(run(data, "2026-04-01"), "deadlines", kind="asylum_appeal")
    assert (d["status"], d["met_by"]) == ("met", "e2")


# -- leaving after the appeal is rejected ---------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "due"),
    [
        ("2025-10-29", "2025-11-01"),
        ("2026-03-05T17:00:00+03:00", "2026-03-11"),
        ("2024-12-26", "2025-01-09"),
    ],  # Sat 28 Dec works
)
def test_leave_within_3_working_days_of_the_rejection_notice(at: str, due: str) -> None:
    d = one(run(case(rejected(at)), "2020-01-01"), "deadlines", kind="leave_country")
    assert (d["due_date"], d["verified"], d["status"]) == (due, False, "open")


@pytest.mark.parametrize(("today", "conflict"), [("2025-11-01", False), ("2025-11-02", True)])
def test_protection_ends_the_day_after_the_leave_deadline(today: str, conflict: bool) -> None:
    report = run(case(rejected("2025-10-29")), today)
    found = find(report["conflicts"], kind="protection_ended")
    assert bool(found) == conflict
    if conflict:
        assert found[0]["severity"] == "critical"
        assert found[0]["events"] == ["e1"]
        assert found[0]["since"] == "2025-11-02T00:00:00+03:00"


def test_a_new_application_in_time_cancels_leaving_and_keeps_protection() -> None:
    data = case(rejected("2025-10-29"), applied("2025-10-31", "temporary_asylum"))
    report = run(data, "2025-11-10")
    assert one(report, "deadlines", kind="leave_country")["status"] == "cancelled"
    assert find(report["conflicts"], kind="protection_ended") == []


# -- no return while pending ----------------------------------------------------------------------


def test_removal_while_the_application_is_pending_is_critical() -> None:
    data = case(applied("2026-03-02"), removal("2026-03-05", "2026-03-20T06:00:00+03:00"))
    (c,) = find(run(data, "2026-03-06")["conflicts"], kind="removal_during_asylum")
    assert (c["severity"], c["events"]) == ("critical", ["e2", "e1"])
    assert c["rule"] == "ru.conflict.removal_during_asylum"
    assert "10(1)" in c["basis"]


def test_removal_during_the_appeal_period_is_a_conflict_but_not_after_it() -> None:
    inside = case(applied("2026-01-10"), refused("2026-02-09"), removal("2026-02-20", "2026-03-10T10:00:00+03:00"))
    (c,) = find(run(inside, "2026-02-21")["conflicts"], kind="removal_during_asylum")
    assert c["events"] == ["e3", "e2"]
    after = case(applied("2026-01-10"), refused("2026-02-09"), removal("2026-02-20", "2026-03-11T10:00:00+03:00"))
    assert find(run(after, "2026-02-21")["conflicts"], kind="removal_during_asylum") == []


def test_removal_while_the_appeal_is_pending_is_a_conflict_until_it_is_rejected() -> None:
    events = [
        applied("2026-01-10"),
        refused("2026-02-09"),
        {"type": "appeal_lodged", "at": "2026-02-20", "decision_event": "e2"},
        removal("2026-03-01", "2026-05-20T10:00:00+03:00"),
    ]
    (c,) = find(run(case(*events), "2026-03-02")["conflicts"], kind="removal_during_asylum")
    assert c["events"] == ["e4", "e3"]
    final = case(*events, rejected("2026-05-01"))
    assert find(run(final, "2026-05-02")["conflicts"], kind="removal_during_asylum") == []


def test_cancelled_removal_is_no_conflict() -> None:
    data = case(
        applied("2026-03-02"),
        removal("2026-03-05", "2026-03-20T06:00:00+03:00"),
        {"type": "removal_cancelled", "at": "2026-03-06", "removal_event": "e2"},
    )
    assert find(run(data, "2026-03-07")["conflicts"], kind="removal_during_asylum") == []


def test_removal_before_the_application_is_no_asylum_conflict() -> None:
    data = case(removal("2026-03-01", "2026-03-02T06:00:00+03:00"), applied("2026-03-02T09:00:00+03:00"))
    assert find(run(data, "2026-03-03")["conflicts"], kind="removal_during_asylum") == []


# -- temporary asylum -----------------------------------------------------------------------------


def test_temporary_asylum_renewal_is_due_at_expiry_with_a_reminder_30_days_before() -> None:
    data = case({"type": "asylum_granted", "at": "2025-10-01", "kind": "temporary_asylum", "until": "2026-09-30"})
    d = one(run(data, "2026-01-01"), "deadlines", kind="temporary_asylum_renewal")
    assert (d["due_date"], d["reminders"], d["status"]) == ("2026-09-30", ["2026-08-31"], "open")


def test_temporary_asylum_without_an_end_date_lasts_one_year() -> None:
    data = case({"type": "asylum_granted", "at": "2024-02-29", "kind": "temporary_asylum"})
    d = one(run(data, "2024-03-01"), "deadlines", kind="temporary_asylum_renewal")
    assert d["due_date"] == "2025-02-28"


def test_renewal_application_meets_the_renewal_deadline() -> None:
    data = case(
        {"type": "asylum_granted", "at": "2025-10-01", "kind": "temporary_asylum", "until": "2026-09-30"},
        applied("2026-09-01", "temporary_asylum"),
    )
    d = one(run(data, "2026-10-01"), "deadlines", kind="temporary_asylum_renewal")
    assert (d["status"], d["met_by"]) == ("met", "e2")


def test_refugee_status_grant_has_no_renewal_deadline() -> None:
    data = case({"type": "asylum_granted", "at": "2025-10-01", "kind": "refugee_status"})
    assert find(run(data, "2026-01-01")["deadlines"], kind="temporary_asylum_renewal") == []


def test_removal_while_temporary_asylum_is_in_force_is_a_conflict() -> None:
    data = case(
        {"type": "asylum_granted", "at": "2025-10-01", "kind": "temporary_asylum", "until": "2026-09-30"},
        removal("2026-03-01", "2026-09-30T23:00:00+03:00"),
        removal("2026-03-01", "2026-10-01T08:00:00+03:00"),
    )
    found = find(run(data, "2026-03-02")["conflicts"], kind="removal_during_asylum")
    assert [c["events"] for c in found] == [["e2", "e1"]]
