"""What one case adds to the statistics, through the engine's public functions (no database)."""

from __future__ import annotations

from datetime import date
from typing import Any

from refuge.rules import evaluate, parse_facts, timeline
from refuge.rules.outcomes import case_counts


def _counts(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    case = {
        "format": "refuge.case/1",
        "reference": "TST-1",
        "host_state": "RU",
        "timezone": "Europe/Moscow",
        "person": {"nationality": "UZ", "stateless": False, "languages": []},
        "events": events,
    }
    facts = parse_facts(case)
    report = evaluate(facts, date(2026, 12, 5))
    return sorted((c.table, c.row, c.day.isoformat()) for c in case_counts(facts, timeline(facts), report))


def test_removal_carried_out_while_a_measure_was_in_force_is_counted_as_such() -> None:
    counts = _counts(
        [
            {
                "id": "e1",
                "type": "removal_scheduled",
                "at": "2026-03-01T10:00:00+03:00",
                "removal_at": "2026-03-10T06:00:00+03:00",
                "destination": "UZ",
            },
            {"id": "e2", "type": "interim_measure_requested", "at": "2026-03-02T10:00:00+03:00", "forum": "un_cat"},
            {"id": "e3", "type": "interim_measure_granted", "at": "2026-03-03T10:00:00+01:00", "forum": "un_cat"},
            {"id": "e4", "type": "removal_executed", "at": "2026-03-10T06:00:00+03:00", "removal_event": "e1"},
        ]
    )
    assert ("removals", "executed", "2026-03-10") in counts
    assert ("removals", "executed_during_measure", "2026-03-10") in counts
    assert ("measures", "un_cat.requested", "2026-03-02") in counts
    assert ("measures", "un_cat.granted", "2026-03-03") in counts


def test_removal_after_the_measure_was_lifted_is_not_counted_as_during_a_measure() -> None:
    counts = _counts(
        [
            {"id": "e1", "type": "interim_measure_granted", "at": "2026-03-03T10:00:00+01:00", "forum": "un_cat"},
            {"id": "e2", "type": "interim_measure_lifted", "at": "2026-03-05T10:00:00+01:00", "forum": "un_cat"},
            {
                "id": "e3",
                "type": "removal_scheduled",
                "at": "2026-03-06T10:00:00+03:00",
                "removal_at": "2026-03-10T06:00:00+03:00",
                "destination": "UZ",
            },
            {"id": "e4", "type": "removal_executed", "at": "2026-03-10T06:00:00+03:00", "removal_event": "e3"},
        ]
    )
    assert ("removals", "executed", "2026-03-10") in counts
    assert not [c for c in counts if c[1] == "executed_during_measure"]
    assert ("measures", "un_cat.lifted", "2026-03-05") in counts


def test_refused_application_appealed_in_vain_counts_in_the_year_applied() -> None:
    counts = _counts(
        [
            {"id": "e1", "type": "asylum_applied", "at": "2024-11-20", "kind": "refugee_status"},
            {"id": "e2", "type": "asylum_refusal_received", "at": "2025-02-10", "kind": "refugee_status"},
            {"id": "e3", "type": "asylum_appeal_rejected_received", "at": "2025-06-01", "kind": "refugee_status"},
            {"id": "e4", "type": "asylum_applied", "at": "2025-07-01", "kind": "temporary_asylum"},
        ]
    )
    asylum = [c for c in counts if c[0] == "asylum"]
    assert asylum == [
        ("asylum", "refugee_status.appealed", "2024-11-20"),
        ("asylum", "refugee_status.applied", "2024-11-20"),
        ("asylum", "refugee_status.refused", "2024-11-20"),
        ("asylum", "temporary_asylum.applied", "2025-07-01"),
        ("asylum", "temporary_asylum.pending", "2025-07-01"),
    ]


def test_rejected_appeal_without_a_refusal_is_not_an_appeal_of_the_application() -> None:
    counts = _counts(
        [
            {"id": "e1", "type": "asylum_applied", "at": "2025-01-10", "kind": "refugee_status"},
            {"id": "e2", "type": "asylum_appeal_rejected_received", "at": "2025-06-01", "kind": "refugee_status"},
        ]
    )
    assert [c[1] for c in counts if c[0] == "asylum"] == ["refugee_status.applied", "refugee_status.pending"]


def test_detention_length_is_counted_in_a_bucket_never_as_a_value() -> None:
    counts = _counts(
        [
            {"id": "e1", "type": "detention_started", "at": "2026-01-10T09:00:00+03:00", "basis": "administrative"},
            {"id": "e2", "type": "released", "at": "2026-02-20T09:00:00+03:00"},
            {"id": "e3", "type": "detention_started", "at": "2026-05-01T09:00:00+03:00", "basis": "administrative"},
        ]
    )
    detentions = [c[1] for c in counts if c[0] == "detentions"]
    assert sorted(detentions) == ["days_31_90", "detained", "detained", "ongoing"]
