"""Calm, truthful alerts: closed cases are quiet, a standing conflict is one alert, the bell groups
by case and says who was told and who acknowledged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from refuge.alerts.actions import acknowledge_alert, create_feed
from refuge.alerts.models import Alert, AlertKind, Level
from refuge.alerts.queue import queue_recomputed
from refuge.cases.actions import record_event
from refuge.cases.derived import Conflict, DerivedChange
from refuge.cases.models import CaseStatus
from refuge.cases.recompute import Recomputed, recompute_case
from refuge.cases.urgent import urgent_items
from tests.alerts.helpers import critical_alert

pytestmark = pytest.mark.django_db
MARCH_4 = datetime(2026, 3, 4, 7, 0, tzinfo=UTC)
REMOVAL = {"removal_at": "2026-03-06T10:00:00+03:00", "destination": "KP"}


def _schedule_removal(case, user):
    record_event(case=case, user=user, type="removal_scheduled", at="2026-03-05T10:00:00+03:00", attributes=REMOVAL)


def _close(case):
    case.status = CaseStatus.CLOSED
    case.save(update_fields=["status"])


def _conflict(case, kind="removal_before_final", severity="critical"):
    return Conflict.objects.create(
        case=case,
        organisation=case.organisation,
        key=f"{kind}|e2,e4",
        kind=kind,
        severity=severity,
        severity_rank=0,
        events=["e4", "e2"],
        basis="(fictional basis)",
        raised_at=MARCH_4,
    )


def test_a_closed_case_is_never_urgent(case, alice) -> None:
    with time_machine.travel(MARCH_4, tick=False):
        _conflict(case)
        assert any(item.reference == case.reference for item in urgent_items(alice, now=timezone.now()))
        _close(case)
        assert [item for item in urgent_items(alice, now=timezone.now()) if item.reference == case.reference] == []


def test_a_closed_case_raises_no_alerts_and_leaves_the_calendar(case, alice) -> None:
    with time_machine.travel(MARCH_4, tick=False):
        _, token = create_feed(user=alice, case=case)
        before = Client().get(reverse("calendar_feed", args=[token])).content
        assert b"BEGIN:VEVENT" in before
        _close(case)
        Alert.objects.all().delete()
        _schedule_removal(case, alice)
        assert Alert.objects.count() == 0
        after = Client().get(reverse("calendar_feed", args=[token])).content
        assert b"BEGIN:VEVENT" not in after


def test_a_closed_cases_alert_stops_escalating(case, alice) -> None:
    from refuge.alerts.clock import escalate_due

    alert = critical_alert(case, [alice])
    _close(case)
    assert escalate_due(now=timezone.now() + timedelta(days=1)) == 0
    alert.refresh_from_db()
    assert alert.escalate_at is None and alert.level == Level.TEAM


def test_a_conflict_listed_in_another_order_is_the_same_conflict(case, alice) -> None:
    with time_machine.travel(MARCH_4, tick=False):
        _schedule_removal(case, alice)
    conflicts = list(case.conflicts.all())
    assert any(len(c.events) > 1 for c in conflicts), "a removal before the decision is final reads two events"
    for row in conflicts:  # as stored before keys were order-free: the engine's order
        assert row.key == f"{row.kind}|{','.join(sorted(row.events))}"
        row.key = f"{row.kind}|{','.join(sorted(row.events, reverse=True))}"
        row.save(update_fields=["key"])
    DerivedChange.objects.all().delete()
    Alert.objects.all().delete()
    with time_machine.travel(MARCH_4 + timedelta(minutes=5), tick=False):
        recompute_case(case=case, cause="recompute")
    assert DerivedChange.objects.filter(item="conflict").count() == 0
    assert Alert.objects.count() == 0
    assert sorted(c.key for c in case.conflicts.all()) == sorted(
        f"{c.kind}|{','.join(sorted(c.events))}" for c in conflicts
    )


def _reshuffle(case, before: str, after: str) -> Recomputed:
    kind = "removal_during_interim_measure"
    changes = [
        DerivedChange(case=case, item="conflict", key=f"{kind}|e4,e6", kind=kind, change="removed",
                      before={"severity": before}, after=None, cause="event_added", at=MARCH_4),
        DerivedChange(case=case, item="conflict", key=f"{kind}|e4,e6,e9", kind=kind, change="added",
                      before=None, after={"severity": after}, cause="event_added", at=MARCH_4),
    ]
    return Recomputed(case=case, report={}, now=MARCH_4, changes=changes)


def test_a_conflict_that_stands_with_other_events_is_neither_cleared_nor_raised_again(case) -> None:
    Alert.objects.all().delete()
    queue_recomputed(_reshuffle(case, "critical", "critical"))
    assert Alert.objects.count() == 0


def test_a_conflict_that_comes_back_more_severe_is_raised_once(case) -> None:
    Alert.objects.all().delete()
    queue_recomputed(_reshuffle(case, "high", "critical"))
    assert list(Alert.objects.values_list("kind", "severity")) == [(AlertKind.CONFLICT_RAISED, "critical")]


def test_the_bell_groups_by_case_and_names_who_was_told_and_who_acknowledged(case, alice, bob) -> None:
    first = critical_alert(case, [alice, bob], what="First (fictional)")
    critical_alert(case, [alice], what="Second (fictional)")
    acknowledge_alert(alert=first, user=bob, via="page")
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("alert_list")).content.decode()
    assert page.count('class="group-head"') == 1
    assert f">{case.reference}</a> <span class=\"muted\">2 alerts, 2 unread</span>" in page
    assert f"Told {alice}, {bob}" in page and f"Acknowledged by {bob}" in page
    assert "Not acknowledged" in page


def test_a_case_opened_closed_alerts_no_one(org, alice) -> None:
    from refuge.cases.actions import create_case

    Alert.objects.all().delete()
    closed = create_case(
        organisation=org,
        user=alice,
        reference="TST-2023-CLOSED",
        host_state="RU",
        timezone="Europe/Moscow",
        status=CaseStatus.CLOSED,
        person={"nationality": "UZ", "stateless": False, "languages": ["uz"], "names": []},
        events=[
            {"id": "e1", "type": "decision_issued", "at": "2023-04-01T10:00:00+03:00", "decision": "expulsion",
             "detention": "foreigners_centre", "authority": "District court (fictional)"},
            {"id": "e2", "type": "removal_scheduled", "at": "2023-04-10T10:00:00+03:00",
             "removal_at": "2023-04-12T05:00:00+03:00", "destination": "UZ"},
        ],
    )
    assert closed.status == CaseStatus.CLOSED and closed.conflicts.exists()
    assert Alert.objects.count() == 0
