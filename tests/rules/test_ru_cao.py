"""Russia, administrative expulsion (CAO): appeal, finality, enforcement lapse, stateless review."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.support import case, find, one, run

EXPULSION: dict[str, Any] = {"type": "decision_issued", "decision": "expulsion", "detention": "foreigners_centre"}


def received(at: str, decision: str = "e1") -> dict[str, Any]:
    return {"type": "decision_received", "at": at, "decision_event": decision}


def appeal_case(receipt: str, *more: dict[str, Any], tz: str | None = None, **person: Any) -> dict[str, Any]:
    return case({**EXPULSION, "at": receipt}, received(receipt), *more, tz=tz, **person)


# -- the appeal period --------------------------------------------------------------------------

APPEALS = [
    # receipt, due date, alternatives {code: date}, safe date — computed by hand from LAW.md
    ("2023-05-03", "2023-05-13", {}, "2023-05-12"),  # old rule: Saturday stays (example 01)
    ("2024-10-16", "2024-10-26", {}, "2024-10-25"),  # old rule: day 10 Saturday 26 Oct, before 29 Oct
    ("2024-10-18", "2024-10-28", {}, "2024-10-28"),  # old rule: ends Monday 28 Oct, the day before
    # transition: starts before 29 Oct, ends on it — new rule primary, old rule as alternative
    ("2024-10-19", "2024-10-29", {"RU_CAO_TRANSITION": "2024-10-29", "RU_4_8_3_1_TEXT": "2024-11-01"}, "2024-10-29"),
    # transition: day 10 Sunday 3 Nov; 4 Nov Unity Day; rolled to Tuesday 5 Nov; the safe date is
    # the transferred working Saturday 2 Nov; the working-days reading counts that Saturday
    ("2024-10-24", "2024-11-05", {"RU_CAO_TRANSITION": "2024-11-03", "RU_4_8_3_1_TEXT": "2024-11-07"}, "2024-11-02"),
    # day 10 is the working Saturday 2 Nov 2024: no roll needed
    ("2024-10-23", "2024-11-02", {"RU_CAO_TRANSITION": "2024-11-02", "RU_4_8_3_1_TEXT": "2024-11-06"}, "2024-11-02"),
    # new rule only (starts 30 Oct): day 10 Friday 8 Nov; working days count Saturday 2 Nov
    ("2024-10-29", "2024-11-08", {"RU_4_8_3_1_TEXT": "2024-11-12"}, "2024-11-08"),
    # working Saturday 28 Dec 2024, then the New Year holidays for the working-days reading
    ("2024-12-18", "2024-12-28", {"RU_4_8_3_1_TEXT": "2025-01-10"}, "2024-12-28"),
    # working Saturday 1 Nov 2025
    ("2025-10-22", "2025-11-01", {"RU_4_8_3_1_TEXT": "2025-11-06"}, "2025-11-01"),
    # CASEFILE.md's example: Friday 13 March; 9 March 2026 is the observed 8 March holiday
    ("2026-03-03", "2026-03-13", {"RU_4_8_3_1_TEXT": "2026-03-18"}, "2026-03-13"),
    # example 02: Victory Day on Saturday, observed Monday 11 May
    ("2026-04-29", "2026-05-12", {"RU_4_8_3_1_TEXT": "2026-05-15"}, "2026-05-12"),
    # New Year: day 10 Saturday 3 Jan 2026, holidays to 8 Jan, decree days off 31 Dec and 9 Jan
    ("2025-12-24", "2026-01-12", {"RU_4_8_3_1_TEXT": "2026-01-19"}, "2026-01-12"),
]


@pytest.mark.parametrize(("receipt", "due", "alternatives", "safe"), APPEALS)
def test_appeal_period_follows_the_rule_in_force_when_it_ends(
    receipt: str, due: str, alternatives: dict[str, str], safe: str
) -> None:
    d = one(run(appeal_case(receipt), "2020-01-01"), "deadlines", kind="appeal")
    assert d["due_date"] == due
    assert d["due_at"] == f"{due}T23:59:59+03:00"
    assert {a["code"]: a["due_date"] for a in d["alternatives"]} == alternatives
    assert d["safe_due_date"] == safe
    assert d["rule"] == "ru.cao.appeal"
    assert d["verified"] is True
    assert d["trigger"] == "e2"
    assert d["basis"]


def test_old_rule_before_29_october_2024_is_version_1_and_never_rolled() -> None:
    d = one(run(appeal_case("2024-10-16"), "2024-10-17"), "deadlines", kind="appeal")
    assert d["version"] == 1
    assert d["due_date"] == "2024-10-26"  # a Saturday, kept


def test_transition_alternative_says_which_rule_it_is() -> None:
    d = one(run(appeal_case("2024-10-24"), "2024-10-25"), "deadlines", kind="appeal")
    assert d["version"] == 2
    transition = next(a for a in d["alternatives"] if a["code"] == "RU_CAO_TRANSITION")
    assert transition["due_at"] == "2024-11-03T23:59:59+03:00"
    assert "1.7" in transition["basis"]


def test_receipt_is_read_in_the_case_time_zone() -> None:
    # 20:00 in Moscow on 3 March is 03:00 on 4 March in Vladivostok: day 10 is Saturday 14 March,
    # rolled to Monday 16 March, at the end of the day in Vladivostok.
    data = case(
        {**EXPULSION, "at": "2026-03-03T15:00:00+03:00"},
        received("2026-03-03T20:00:00+03:00"),
        tz="Asia/Vladivostok",
    )
    d = one(run(data, "2026-03-04"), "deadlines", kind="appeal")
    assert (d["due_date"], d["due_at"], d["timezone"]) == (
        "2026-03-16",
        "2026-03-16T23:59:59+10:00",
        "Asia/Vladivostok",
    )
    moscow = one(run(case(*data["events"]), "2026-03-04"), "deadlines", kind="appeal")
    assert moscow["due_date"] == "2026-03-13"


def test_a_bare_date_receipt_counts_from_the_next_day() -> None:
    d = one(run(appeal_case("2026-03-03"), "2026-03-04"), "deadlines", kind="appeal")
    assert d["due_date"] == "2026-03-13"


def test_the_period_runs_from_the_first_receipt_only() -> None:
    data = appeal_case("2026-03-03", received("2026-03-10"))
    deadlines = find(run(data, "2026-03-04")["deadlines"], kind="appeal")
    assert [(d["trigger"], d["due_date"]) for d in deadlines] == [("e2", "2026-03-13")]


@pytest.mark.parametrize("decision", ["deportation", "readmission", "extradition", "refugee_refusal"])
def test_only_expulsion_decisions_have_the_cao_appeal(decision: str) -> None:
    data = case({"type": "decision_issued", "at": "2026-03-03", "decision": decision}, received("2026-03-03"))
    report = run(data, "2026-03-04")
    assert find(report["deadlines"], kind="appeal") == []
    assert find(report["milestones"], kind="decision_final") == []


@pytest.mark.parametrize(
    ("lodged", "today", "status", "met_by"),
    [
        ("2026-03-13T23:00:00+03:00", "2026-03-20", "met", "e3"),
        ("2026-03-13T23:59:59+03:00", "2026-03-20", "met", "e3"),
        ("2026-03-13T22:30:00+02:00", "2026-03-20", "met", "e3"),  # 23:30 in Moscow: in time
        ("2026-03-13T23:30:00+02:00", "2026-03-20", "missed", None),  # 00:30 on the 14th in Moscow
        ("2026-03-14T09:00:00+03:00", "2026-03-20", "missed", None),
        ("2026-03-14T09:00:00+03:00", "2026-03-13", "open", None),
        (None, "2026-03-13", "open", None),
        (None, "2026-03-14", "missed", None),
    ],
)
def test_appeal_status_uses_instants_and_today(lodged: str | None, today: str, status: str, met_by: str | None) -> None:
    more = [{"type": "appeal_lodged", "at": lodged, "decision_event": "e1"}] if lodged else []
    d = one(run(appeal_case("2026-03-03", *more), today), "deadlines", kind="appeal")
    assert (d["status"], d["met_by"]) == (status, met_by)


def test_an_appeal_against_another_decision_does_not_meet_the_deadline() -> None:
    data = case(
        {**EXPULSION, "at": "2026-03-03"},
        received("2026-03-03"),
        {"type": "decision_issued", "at": "2026-03-03", "decision": "expulsion"},
        {"type": "appeal_lodged", "at": "2026-03-05", "decision_event": "e3"},
    )
    d = one(run(data, "2026-03-20"), "deadlines", kind="appeal", trigger="e2")
    assert d["status"] == "missed"


# -- finality -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "status"), [("2026-03-13", "expected"), ("2026-03-14", "final")])
def test_unappealed_decision_is_final_the_day_after_the_appeal_deadline(today: str, status: str) -> None:
    m = one(run(appeal_case("2026-03-03"), today), "milestones", kind="decision_final")
    assert (m["event"], m["date"], m["status"]) == ("e1", "2026-03-14", status)
    assert m["rule"] == "ru.cao.finality"
    assert m["basis"]


def test_finality_follows_the_primary_deadline_not_the_alternatives() -> None:
    m = one(run(appeal_case("2024-10-24"), "2024-10-25"), "milestones", kind="decision_final")
    assert m["date"] == "2024-11-06"


def test_appealed_decision_is_pending_until_the_appeal_is_decided() -> None:
    data = appeal_case("2026-03-03", {"type": "appeal_lodged", "at": "2026-03-10", "decision_event": "e1"})
    m = one(run(data, "2026-04-01"), "milestones", kind="decision_final")
    assert (m["date"], m["status"]) == (None, "pending_appeal")


def test_upheld_decision_is_final_on_the_day_of_the_appeal_decision() -> None:
    data = appeal_case(
        "2026-03-03",
        {"type": "appeal_lodged", "at": "2026-03-10", "decision_event": "e1"},
        {"type": "appeal_decided", "at": "2026-03-24T11:00:00+03:00", "decision_event": "e1", "outcome": "upheld"},
    )
    m = one(run(data, "2026-04-01"), "milestones", kind="decision_final")
    assert (m["date"], m["status"]) == ("2026-03-24", "final")
    lapse = one(run(data, "2026-04-01"), "deadlines", kind="enforcement_lapse")
    assert lapse["due_date"] == "2028-03-24"


@pytest.mark.parametrize("outcome", ["quashed", "remitted"])
def test_a_quashed_decision_never_becomes_final(outcome: str) -> None:
    data = appeal_case(
        "2026-03-03",
        {"type": "appeal_lodged", "at": "2026-03-10", "decision_event": "e1"},
        {"type": "appeal_decided", "at": "2026-03-24", "decision_event": "e1", "outcome": outcome},
    )
    report = run(data, "2026-04-01")
    assert find(report["milestones"], kind="decision_final") == []
    assert find(report["deadlines"], kind="enforcement_lapse") == []


def test_decision_not_yet_received_has_no_finality_date() -> None:
    data = case({**EXPULSION, "at": "2026-03-03"})
    m = one(run(data, "2026-04-01"), "milestones", kind="decision_final")
    assert (m["date"], m["status"]) == (None, "expected")


# -- enforcement lapse ----------------------------------------------------------------------------


def test_enforcement_lapses_two_years_after_finality_with_a_reminder_30_days_before() -> None:
    d = one(run(appeal_case("2026-03-03"), "2026-03-20"), "deadlines", kind="enforcement_lapse")
    assert (d["trigger"], d["due_date"], d["reminders"]) == ("e1", "2028-03-14", ["2028-02-13"])
    assert d["rule"] == "ru.cao.enforcement_lapse"


def test_enforcement_lapse_from_29_february_ends_on_28_february() -> None:
    # receipt 2024-02-18: day 10 is 28 Feb (Wednesday), final 29 Feb 2024
    report = run(appeal_case("2024-02-18"), "2024-03-01")
    assert one(report, "milestones", kind="decision_final")["date"] == "2024-02-29"
    assert one(report, "deadlines", kind="enforcement_lapse")["due_date"] == "2026-02-28"


@pytest.mark.parametrize(("today", "status"), [("2028-03-14", "open"), ("2028-03-15", "missed")])
def test_enforcement_lapse_passes_when_not_enforced(today: str, status: str) -> None:
    d = one(run(appeal_case("2026-03-03"), today), "deadlines", kind="enforcement_lapse")
    assert d["status"] == status


def test_enforcement_within_two_years_meets_the_lapse_deadline() -> None:
    data = appeal_case(
        "2026-03-03",
        {
            "type": "removal_scheduled",
            "at": "2026-04-01",
            "removal_at": "2026-04-10T10:00:00+03:00",
            "destination": "KP",
        },
        {"type": "removal_executed", "at": "2026-04-10T10:00:00+03:00", "removal_event": "e3"},
    )
    d = one(run(data, "2029-01-01"), "deadlines", kind="enforcement_lapse")
    assert (d["status"], d["met_by"]) == ("met", "e4")


# -- stateless detention review -------------------------------------------------------------------


def test_stateless_detention_is_reviewed_within_3_months_with_a_reminder_14_days_before() -> None:
    data = case({**EXPULSION, "at": "2025-11-30T12:00:00+03:00"}, nationality=None, stateless=True)
    d = one(run(data, "2025-12-01"), "deadlines", kind="detention_review")
    assert (d["trigger"], d["due_date"], d["reminders"]) == ("e1", "2026-02-28", ["2026-02-14"])
    assert d["rule"] == "ru.cao.stateless_detention_review"
    assert d["verified"] is True


@pytest.mark.parametrize(
    ("detention", "person"),
    [("foreigners_centre", {"stateless": False}), ("none", {"stateless": True, "nationality": None})],
)
def test_no_stateless_review_without_detention_or_statelessness(detention: str, person: dict[str, Any]) -> None:
    data = case({**EXPULSION, "at": "2025-11-30", "detention": detention}, **person)
    assert find(run(data, "2025-12-01")["deadlines"], kind="detention_review") == []


def test_release_cancels_the_stateless_review() -> None:
    data = case(
        {**EXPULSION, "at": "2025-11-30"}, {"type": "released", "at": "2026-01-10"}, nationality=None, stateless=True
    )
    assert one(run(data, "2026-03-01"), "deadlines", kind="detention_review")["status"] == "cancelled"
