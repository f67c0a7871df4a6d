"""The organisation's totals follow every change of a case: added, changed, deleted."""

from __future__ import annotations

from django.db.models import Count

from refuge.cases.actions import delete_case, record_event
from refuge.stats.models import StatCount, StatTotal


def _totals(org) -> dict[tuple, int]:
    return {
        tuple(r[:-1]): r[-1]
        for r in StatTotal.objects.filter(organisation=org, n__gt=0).values_list(
            "table", "row", "year", "quarter", "host_state", "nationality", "n"
        )
    }


def _counted(org) -> dict[tuple, int]:
    rows = (
        StatCount.objects.filter(organisation=org)
        .values_list("table", "row", "year", "quarter", "host_state", "nationality")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {tuple(r[:-1]): r[-1] for r in rows}


def test_totals_follow_a_new_event_and_the_deletion_of_the_case(org, case, alice, adam) -> None:
    assert _totals(org) == _counted(org) != {}
    record_event(case=case, user=alice, type="asylum_applied", at="2026-03-04", attributes={"kind": "refugee_status"})
    assert ("asylum", "refugee_status.applied", 2026, 1, "RU", "KP") in _totals(org)
    assert _totals(org) == _counted(org)
    delete_case(case=case, actor=adam, confirm_reference=case.reference)
    assert _totals(org) == {}
