"""The worker tells each organisation's admins once when deadlines are counted without a decree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from refuge.alerts import clock
from refuge.alerts.models import Alert, AlertKind, Notification
from refuge.cases.actions import create_case

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _case(organisation, user, reference: str, applied: str):
    return create_case(
        organisation=organisation,
        user=user,
        reference=reference,
        host_state="RU",
        timezone=None,
        person={"nationality": "KP", "stateless": False, "languages": ["ko"]},
        events=[{"id": "e1", "type": "asylum_applied", "at": applied, "kind": "refugee_status"}],
    )


def test_admins_are_told_once_naming_the_years(org, alice, adam, carol) -> None:
    _case(org, alice, "TST-CAL-A", "2030-06-03")
    _case(org, alice, "TST-CAL-B", "2030-09-02")
    _case(carol.membership().organisation, carol, "TST-CAL-C", "2026-06-01")  # confirmed: nothing to say
    assert clock.alert_unconfirmed_calendars(now=NOW) == 1
    alert = Alert.objects.get(kind=AlertKind.SYSTEM)
    assert alert.organisation == org and alert.case is None and alert.severity == "high"
    assert "2030" in alert.subject and "2 case(s)" in alert.body and "CALENDAR_UNCONFIRMED" in alert.body
    assert set(Notification.objects.filter(alert=alert).values_list("user__username", flat=True)) == {"adam"}
    assert clock.alert_unconfirmed_calendars(now=NOW) == 0  # once
    # a deadline in another undecreed year: one more alert, naming only the new year
    _case(org, alice, "TST-CAL-D", "2031-03-03")
    assert clock.alert_unconfirmed_calendars(now=NOW) == 1
    latest = Alert.objects.filter(kind=AlertKind.SYSTEM).latest("pk")
    assert "2031" in latest.subject and "2030" not in latest.subject
    assert clock.alert_unconfirmed_calendars(now=NOW) == 0


def test_no_alert_when_no_open_deadline_is_unconfirmed(org, alice, adam) -> None:
    _case(org, alice, "TST-CAL-E", "2026-06-01")
    assert clock.alert_unconfirmed_calendars(now=NOW) == 0
    assert not Alert.objects.filter(kind=AlertKind.SYSTEM).exists()
