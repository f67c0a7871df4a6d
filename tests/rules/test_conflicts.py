"""Conflicts in every jurisdiction (LAW.md): measures, finality, interpreters, consuls, expiry."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.support import case, find, one, run

NOTIFY = ["executing_authority", "detention_centre", "forum_registry"]


def granted(
    at: str, *, until: str | None = None, destination: str | None = "KP", forum: str = "un_hrc"
) -> dict[str, Any]:
    return {"type": "interim_measure_granted", "at": at, "forum": forum, "until": until, "destination": destination}


def removal(removal_at: str, at: str = "2026-06-05T12:00:00+03:00", destination: str | None = "KP") -> dict[str, Any]:
    event = {"type": "removal_scheduled", "at": at, "removal_at": removal_at}
    return event if destination is None else {**event, "destination": destination}


def kinds(report: dict[str, Any], kind: str) -> list[list[str]]:
    return [c["events"] for c in find(report["conflicts"], kind=kind)]


# -- removal during an interim measure --------------------------------------------------------------


def test_removal_while_a_measure_is_in_force_is_critical_and_names_who_to_notify() -> None:
    data = case(granted("2026-06-02T10:00:00+02:00"), removal("2026-06-10T06:00:00+03:00"))
    c = one(run(data, "2026-06-05"), "conflicts", kind="removal_during_interim_measure")
    assert (c["severity"], c["events"], c["notify"], c["flags"]) == ("critical", ["e2", "e1"], NOTIFY, [])
    assert c["rule"] == "common.conflict.removal_during_interim_measure"
    assert "Mamatkulov" in c["basis"]


@pytest.mark.parametrize(
    ("measure", "removal_destination", "conflict"),
    [
        ({"destination": "KP"}, "KP", True),
        ({"destination": None}, "CN", True),  # a measure for any destination
        ({"destination": "KP"}, "CN", False),  # a measure about another country
        ({"destination": "KP"}, None, False),  # a removal with no destination is not to North Korea
        ({"destination": None}, None, True),
        ({"until": "2026-06-10T05:30:00+02:00"}, "KP", True),  # 03:30 UTC: the 03:00 UTC removal is inside
        ({"until": "2026-06-10T04:30:00+02:00"}, "KP", False),  # 02:30 UTC: it ended before the removal
    ],
)
def test_measure_covers_a_removal_by_destination_and_by_instant(
    measure: dict[str, Any], removal_destination: str | None, conflict: bool
) -> None:
    data = case(
        granted("2026-06-02T10:00:00+02:00", **measure),
        removal("2026-06-10T06:00:00+03:00", destination=removal_destination),
    )
    assert kinds(run(data, "2026-06-05"), "removal_during_interim_measure") == ([["e2", "e1"]] if conflict else [])


@pytest.mark.parametrize(
    ("extra", "conflict"),
    [
        ({"type": "interim_measure_lifted", "at": "2026-06-08T10:00:00+02:00", "forum": "un_hrc"}, False),
        ({"type": "interim_measure_lifted", "at": "2026-06-11T10:00:00+02:00", "forum": "un_hrc"}, True),
        ({"type": "interim_measure_lifted", "at": "2026-06-08T10:00:00+02:00", "forum": "un_cat"}, True),
        ({"type": "removal_cancelled", "at": "2026-06-06", "removal_event": "e2"}, False),
        ({"type": "removal_executed", "at": "2026-06-10T06:10:00+03:00", "removal_event": "e2"}, True),
        ({"type": "interim_measure_refused", "at": "2026-06-03", "forum": "un_hrc"}, True),
    ],
)
def test_lifting_cancelling_and_executing(extra: dict[str, Any], conflict: bool) -> None:
    data = case(granted("2026-06-02T10:00:00+02:00"), removal("2026-06-10T06:00:00+03:00"), extra)
    assert bool(kinds(run(data, "2026-06-12"), "removal_during_interim_measure")) is conflict


def test_a_measure_granted_after_the_removal_is_no_conflict() -> None:
    data = case(removal("2026-06-01T06:00:00+03:00"), granted("2026-06-02T10:00:00+02:00"))
    assert kinds(run(data, "2026-06-05"), "removal_during_interim_measure") == []


def test_executed_removal_at_a_different_time_is_judged_at_its_real_instant() -> None:
    data = case(
        granted("2026-06-02T10:00:00+02:00"),
        removal("2026-06-10T06:00:00+03:00"),
        {"type": "removal_executed", "at": "2026-06-01T06:00:00+03:00", "removal_event": "e2"},
    )
    assert kinds(run(data, "2026-06-12"), "removal_during_interim_measure") == []


def test_echr_measure_in_a_party_state() -> None:
    data = case(
        granted("2026-03-05T15:00:00+01:00", forum="echr", destination="SY"),
        removal("2026-03-16T09:00:00+03:00", at="2026-03-02", destination="SY"),
        host="TR",
        tz="Europe/Istanbul",
    )
    assert kinds(run(data, "2026-03-10"), "removal_during_interim_measure") == [["e2", "e1"]]


# -- removal before the decision is final ------------------------------------------------------------

EXPULSION: dict[str, Any] = {"type": "decision_issued", "at": "2026-03-03T10:00:00+03:00", "decision": "expulsion"}
RECEIVED: dict[str, Any] = {"type": "decision_received", "at": "2026-03-03", "decision_event": "e1"}


@pytest.mark.parametrize(
    ("removal_at", "conflict"),
    [
        ("2026-03-10T10:00:00+03:00", True),
        ("2026-03-13T23:59:00+03:00", True),  # the last minute of the appeal period
        ("2026-03-14T00:00:00+03:00", False),  # final from the start of 14 March
        ("2026-03-13T22:00:00+00:00", False),  # 01:00 on 14 March in Moscow
    ],
)
def test_removal_before_the_unappealed_decision_is_final(removal_at: str, conflict: bool) -> None:
    data = case(EXPULSION, RECEIVED, removal(removal_at, at="2026-03-05"))
    found = kinds(run(data, "2026-03-06"), "removal_before_final")
    assert found == ([["e3", "e1"]] if conflict else [])


def test_removal_while_the_appeal_is_pending_is_before_final() -> None:
    data = case(
        EXPULSION,
        RECEIVED,
        {"type": "appeal_lodged", "at": "2026-03-10", "decision_event": "e1"},
        removal("2026-04-10T10:00:00+03:00", at="2026-03-20"),
    )
    c = one(run(data, "2026-03-21"), "conflicts", kind="removal_before_final")
    assert (c["events"], c["severity"], c["rule"]) == (["e4", "e1"], "critical", "ru.conflict.removal_before_final")


def test_removal_after_the_appeal_is_dismissed_is_fine() -> None:
    data = case(
        EXPULSION,
        RECEIVED,
        {"type": "appeal_lodged", "at": "2026-03-10", "decision_event": "e1"},
        {"type": "appeal_decided", "at": "2026-03-24T11:00:00+03:00", "decision_event": "e1", "outcome": "upheld"},
        removal("2026-04-10T10:00:00+03:00", at="2026-03-25"),
    )
    assert kinds(run(data, "2026-03-26"), "removal_before_final") == []


def test_removal_on_a_decision_not_yet_received_is_before_final() -> None:
    data = case(EXPULSION, removal("2026-06-10T10:00:00+03:00", at="2026-03-25"))
    assert kinds(run(data, "2026-03-26"), "removal_before_final") == [["e2", "e1"]]


def test_no_finality_conflict_without_a_host_pack_describing_finality() -> None:
    data = case(EXPULSION, removal("2026-03-10T10:00:00+03:00", at="2026-03-05"), host="TR", tz="Europe/Istanbul")
    assert kinds(run(data, "2026-03-06"), "removal_before_final") == []


# -- documents signed without an interpreter ------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "interpreter", "languages", "conflict"),
    [
        ("ru", False, ["ko"], True),
        ("ru", None, ["ko"], True),  # interpreter not recorded
        ("ru", True, ["ko"], False),
        ("ru", False, ["uz", "ru"], False),
        ("ru-RU", False, ["ru"], False),
        ("ko", False, [], True),
    ],
)
def test_document_in_a_language_the_client_does_not_read(
    language: str, interpreter: bool | None, languages: list[str], conflict: bool
) -> None:
    doc: dict[str, Any] = {"type": "document_signed", "at": "2026-05-28T11:00:00+03:00", "language": language}
    if interpreter is not None:
        doc["interpreter"] = interpreter
    report = run(case(doc, languages=languages), "2026-05-29")
    assert kinds(report, "document_signed_without_interpreter") == ([["e1"]] if conflict else [])
    if conflict:
        assert one(report, "conflicts", kind="document_signed_without_interpreter")["severity"] == "high"


# -- consular contact while protected ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("contact", "conflict"),
    [
        ({"type": "consular_contact", "at": "2026-06-03T10:00:00+03:00", "country": "KP"}, [["e2", "e1"]]),
        ({"type": "travel_document_issued", "at": "2026-06-03T10:00:00+03:00", "country": "RU"}, [["e2", "e1"]]),
        ({"type": "consular_contact", "at": "2026-06-01T10:00:00+03:00", "country": "KP"}, []),  # before the measure
        ({"type": "consular_contact", "at": "2026-06-03T10:00:00+03:00", "country": "FR"}, []),  # another country
    ],
)
def test_contact_with_the_country_of_origin_while_a_measure_protects_him(
    contact: dict[str, Any], conflict: list[list[str]]
) -> None:
    data = case(granted("2026-06-02T10:00:00+02:00"), contact)
    report = run(data, "2026-06-04")
    assert kinds(report, "consular_contact_while_protected") == conflict
    for c in find(report["conflicts"], kind="consular_contact_while_protected"):
        assert c["severity"] == "high"


def test_contact_while_an_asylum_application_is_pending() -> None:
    data = case(
        {"type": "asylum_applied", "at": "2026-03-02", "kind": "refugee_status"},
        {"type": "consular_contact", "at": "2026-03-10T10:00:00+03:00", "country": "KP"},
    )
    assert kinds(run(data, "2026-03-11"), "consular_contact_while_protected") == [["e2", "e1"]]


# -- measures about to expire -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("until", "conflict"),
    [
        ("2026-06-12T23:59:00+03:00", True),  # within 7 days after 5 June
        ("2026-06-05T08:00:00+03:00", True),  # today
        ("2026-06-13T00:00:00+03:00", False),  # 8 days
        ("2026-06-04T23:00:00+03:00", False),  # already ended
        (None, False),  # until further notice
    ],
)
def test_time_limited_measure_ending_within_7_days(until: str | None, conflict: bool) -> None:
    report = run(case(granted("2026-06-02T10:00:00+02:00", until=until)), "2026-06-05")
    assert kinds(report, "interim_measure_expiring") == ([["e1"]] if conflict else [])


def test_a_lifted_measure_is_not_expiring() -> None:
    data = case(
        granted("2026-06-02T10:00:00+02:00", until="2026-06-08T00:00:00+02:00"),
        {"type": "interim_measure_lifted", "at": "2026-06-04", "forum": "un_hrc"},
    )
    assert kinds(run(data, "2026-06-05"), "interim_measure_expiring") == []


# -- ordering ------------------------------------------------------------------------------------------


def test_conflicts_are_ordered_by_severity_then_first_event() -> None:
    data = case(
        {"type": "document_signed", "at": "2026-05-28T11:00:00+03:00", "language": "ru", "interpreter": False},
        granted("2026-06-02T10:00:00+02:00", until="2026-06-08T00:00:00+02:00"),
        removal("2026-06-07T06:00:00+03:00"),
        {"type": "consular_contact", "at": "2026-06-03T10:00:00+03:00", "country": "KP"},
    )
    report = run(data, "2026-06-05")
    assert [(c["severity"], c["kind"]) for c in report["conflicts"]] == [
        ("critical", "removal_during_interim_measure"),
        ("high", "document_signed_without_interpreter"),
        ("high", "interim_measure_expiring"),
        ("high", "consular_contact_while_protected"),
    ]
