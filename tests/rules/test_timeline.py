"""The one reading of a case's timeline (refuge.rules.timeline): what the engine, filings and pages ask."""

from __future__ import annotations

from datetime import datetime

from refuge.rules import timeline
from tests.rules.support import case


def _ts(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def test_a_rescheduled_removal_is_replaced_and_no_longer_pending() -> None:
    t = timeline(
        case(
            {
                "type": "removal_scheduled",
                "at": "2026-03-01",
                "removal_at": "2026-03-20T10:00:00+03:00",
                "destination": "UZ",
            },
            {
                "type": "removal_scheduled",
                "at": "2026-03-05",
                "removal_at": "2026-03-25T10:00:00+03:00",
                "destination": "UZ",
                "replaces": "e1",
            },
        )
    )
    first, second = t.removals
    assert second.status == "scheduled"
    assert (first.status, first.pending, first.happens) == ("replaced", False, False)
    assert first.pending_at(_ts("2026-03-04T00:00:00+03:00")) and not first.pending_at(_ts("2026-03-06T00:00:00+03:00"))
    assert [r.id for r in t.pending_removals()] == ["e2"]


def test_an_executed_removal_happened_at_its_recorded_time_and_is_not_pending() -> None:
    t = timeline(
        case(
            {
                "type": "removal_scheduled",
                "at": "2026-03-01",
                "removal_at": "2026-03-20T10:00:00+03:00",
                "destination": "UZ",
            },
            {"type": "removal_executed", "at": "2026-03-20T11:30:00+03:00", "removal_event": "e1"},
        )
    )
    (removal,) = t.removals
    assert (removal.status, removal.pending, removal.happens) == ("executed", False, True)
    assert removal.instant.isoformat() == "2026-03-20T11:30:00+03:00"
    assert t.next_removal() is None


def test_a_measure_is_in_force_until_its_until_or_its_lifting_only() -> None:
    t = timeline(
        case(
            {
                "type": "interim_measure_granted",
                "at": "2026-03-01T12:00:00+01:00",
                "forum": "un_cat",
                "until": "2026-04-01T00:00:00+02:00",
                "destination": "UZ",
            },
            {"type": "interim_measure_granted", "at": "2026-03-02T12:00:00+01:00", "forum": "un_hrc", "until": None},
            {"type": "interim_measure_lifted", "at": "2026-03-10T12:00:00+01:00", "forum": "un_hrc"},
        )
    )
    assert [m.id for m in t.measures_in_force(_ts("2026-03-05T00:00:00+00:00"), "UZ")] == ["e1", "e2"]
    assert [m.id for m in t.measures_in_force(_ts("2026-03-05T00:00:00+00:00"), "KZ")] == ["e2"]
    assert [m.id for m in t.measures_in_force(_ts("2026-03-11T00:00:00+00:00"), "UZ")] == ["e1"]
    assert t.measures_in_force(_ts("2026-04-01T00:00:00+02:00"), "UZ") == []


def test_an_echr_grant_for_a_russian_act_after_16_september_2022_is_recorded_but_in_force_nowhere() -> None:
    t = timeline(
        case(
            {
                "type": "removal_scheduled",
                "at": "2026-03-01",
                "removal_at": "2026-03-20T10:00:00+03:00",
                "destination": "UZ",
            },
            {"type": "interim_measure_granted", "at": "2026-03-02T12:00:00+01:00", "forum": "echr", "until": None},
        )
    )
    (measure,) = t.measures
    assert not measure.valid
    assert t.protection(t.removals[0]) is None


def test_the_detention_going_on_has_its_place_and_court_term() -> None:
    t = timeline(
        case(
            {
                "type": "detention_started",
                "at": "2026-03-01T09:00:00+03:00",
                "basis": "deportation",
                "place": "Centre A",
            },
            {"type": "released", "at": "2026-03-03T09:00:00+03:00"},
            {
                "type": "detention_started",
                "at": "2026-03-05T09:00:00+03:00",
                "basis": "readmission",
                "place": "Centre B",
            },
            {"type": "detention_ordered", "at": "2026-03-06T09:00:00+03:00", "term_until": "2026-05-06"},
        )
    )
    first, second = t.detentions()
    assert first.ended_by is not None and not first.ongoing_at(_ts("2026-03-04T00:00:00+03:00"))
    current = t.detention()
    assert current == second
    assert (current.place, current.basis, str(current.term_until)) == ("Centre B", "readmission", "2026-05-06")
