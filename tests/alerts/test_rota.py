"""The on-call rota and the escalation time: admins only, eight weeks on the rota's clock, audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from refuge.alerts.models import EscalationPolicy, OnCallShift
from refuge.alerts.queue import escalate_after, oncall_of, raise_alert
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent

# Sunday 8 March 2026, 22:30 UTC: already Monday 9 March on the rota's clock (Europe/Moscow).
SUNDAY_NIGHT = datetime(2026, 3, 8, 22, 30, tzinfo=UTC)
MONDAY = date(2026, 3, 9)


@pytest.fixture(autouse=True)
def _clock(settings) -> Iterator[Any]:
    settings.REFUGE_ROTA_TIMEZONE = "Europe/Moscow"
    with time_machine.travel(SUNDAY_NIGHT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def adam_client(adam) -> Client:
    client = Client()
    client.force_login(adam)
    return client


def _shift(client: Client, week: date, user: Any, op: str = "add") -> Any:
    return client.post(reverse("oncall_shift"), {"week": week.isoformat(), "user": str(user.code), "op": op})


def test_the_rota_shows_eight_weeks_from_this_monday_on_the_rotas_clock(adam_client) -> None:
    response = adam_client.get(reverse("oncall_rota"))
    assert response.status_code == 200
    weeks = [row["week"] for row in response.context["rows"]]
    assert weeks == [MONDAY + timedelta(weeks=n) for n in range(8)]
    assert all(week.weekday() == 0 for week in weeks)


def test_only_admins_see_or_change_the_rota(alice, bob, ana, carol, adam) -> None:
    for user in (alice, bob, ana, carol):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("oncall_rota")).status_code == 404
        assert _shift(client, MONDAY, alice).status_code == 404
        assert client.post(reverse("escalation_policy"), {"minutes": "5"}).status_code == 404
    assert not OnCallShift.objects.exists()
    assert not EscalationPolicy.objects.exists()


def test_an_admin_puts_people_on_call_and_escalation_reaches_them(adam_client, adam, alice, bob, case) -> None:
    assert _shift(adam_client, MONDAY, bob).status_code == 302
    assert _shift(adam_client, MONDAY + timedelta(weeks=1), alice).status_code == 302
    assert list(OnCallShift.objects.values_list("user__username", "week_start")) == [
        ("bob", MONDAY),
        ("alice", MONDAY + timedelta(weeks=1)),
    ]
    assert oncall_of(adam.membership().organisation, SUNDAY_NIGHT) == [bob]
    page = adam_client.get(reverse("oncall_rota")).content.decode()
    assert 'Remove<span class="visually-hidden"> Bob from the week of 9 Mar 2026' in page
    entries = AuditEvent.objects.filter(type=EventType.ONCALL_CHANGED).order_by("id")
    assert [(e.actor_id, e.target_code, e.data) for e in entries] == [
        (adam.pk, str(bob.code), {"week": "2026-03-09", "on_call": True}),
        (adam.pk, str(alice.code), {"week": "2026-03-16", "on_call": True}),
    ]


def test_taking_someone_off_call(adam_client, bob) -> None:
    _shift(adam_client, MONDAY, bob)
    assert _shift(adam_client, MONDAY, bob, op="remove").status_code == 302
    assert not OnCallShift.objects.exists()
    last = AuditEvent.objects.filter(type=EventType.ONCALL_CHANGED).order_by("-id").first()
    assert last is not None
    assert last.data == {"week": "2026-03-09", "on_call": False}


@pytest.mark.parametrize(
    ("week", "why"),
    [
        (MONDAY - timedelta(weeks=1), "Choose one of the weeks shown"),
        (MONDAY + timedelta(weeks=8), "Choose one of the weeks shown"),
        (MONDAY + timedelta(days=2), "Choose one of the weeks shown"),
    ],
)
def test_weeks_outside_the_rota_are_refused(adam_client, bob, week, why) -> None:
    response = _shift(adam_client, week, bob)
    assert response.status_code == 422
    assert why in response.content.decode()
    assert not OnCallShift.objects.exists()


def test_analysts_and_outsiders_are_never_on_call(adam_client, ana, carol) -> None:
    page = adam_client.get(reverse("oncall_rota")).content.decode()
    assert str(ana.code) not in page
    assert str(carol.code) not in page
    for user in (ana, carol):
        response = _shift(adam_client, MONDAY, user)
        assert response.status_code == 422
        assert "Choose someone of your organisation who may be on call" in response.content.decode()
    assert not OnCallShift.objects.exists()
    assert not AuditEvent.objects.filter(type=EventType.ONCALL_CHANGED).exists()


def test_the_escalation_time_is_set_checked_and_used(adam_client, adam, alice, case) -> None:
    organisation = adam.membership().organisation
    page = adam_client.get(reverse("oncall_rota")).content.decode()
    assert 'value="30"' in page  # the server's default
    for typed, why in (("0", "at least 1 minute"), ("1441", "at most 1440 minutes"), ("soon", "whole number")):
        response = adam_client.post(reverse("escalation_policy"), {"minutes": typed})
        assert response.status_code == 422
        assert why in response.content.decode()
        assert f'value="{typed}"' in response.content.decode()  # what was typed stays
    assert not EscalationPolicy.objects.exists()
    assert adam_client.post(reverse("escalation_policy"), {"minutes": "12"}).status_code == 302
    assert EscalationPolicy.objects.get(organisation=organisation).escalate_after_minutes == 12
    assert escalate_after(organisation) == timedelta(minutes=12)
    alert = raise_alert(
        organisation=organisation,
        case=case,
        kind="conflict_raised",
        severity="critical",
        subject=f"{case.reference}: Conflict (fictional)",
        recipients=[alice],
    )
    assert alert is not None
    assert alert.escalate_at == SUNDAY_NIGHT + timedelta(minutes=12)
    entry = AuditEvent.objects.get(type=EventType.ONCALL_CHANGED)
    assert entry.fields == ["escalate_after_minutes"]
    assert entry.data == {"minutes": 12}
    assert (entry.target_kind, entry.target_code) == ("organisation", str(organisation.code))
    # The same again changes nothing and records nothing.
    assert adam_client.post(reverse("escalation_policy"), {"minutes": "12"}).status_code == 302
    assert AuditEvent.objects.filter(type=EventType.ONCALL_CHANGED).count() == 1
