"""Alerts that belong to no case: a failed attempt to unseal the vault reaches the admins."""

from __future__ import annotations

import pytest

from refuge.alerts.models import Alert, AlertKind, Delivery, Notification
from refuge.vault import state

pytestmark = pytest.mark.django_db


def test_a_failed_unseal_alerts_every_organisations_admins(adam, alice, carol, emails) -> None:
    state.reset_for_tests()
    with pytest.raises(state.UnsealError):
        state.unseal(root_key=b"\x07" * 32, source="dev")
    alerts = Alert.objects.filter(kind=AlertKind.SYSTEM)
    assert alerts.count() == 2  # alice's organisation and carol's
    assert all(a.severity == "high" and a.case is None and "(1 so far)" in a.subject for a in alerts)
    told = set(Notification.objects.filter(alert__in=alerts).values_list("user__username", flat=True))
    assert told == {"adam"}  # carol's organisation has no admin; lawyers are not told
    assert Delivery.objects.filter(alert__in=alerts, user=adam, channel="email").exists()
    # A second failure within the hour adds nothing; the fifth is critical, and escalates.
    for _ in range(4):
        with pytest.raises(state.UnsealError):
            state.unseal(root_key=b"\x07" * 32, source="dev")
    assert Alert.objects.filter(kind=AlertKind.SYSTEM, severity="high").count() == 2  # as before
    critical = Alert.objects.get(
        kind=AlertKind.SYSTEM, severity="critical", organisation=adam.membership().organisation
    )
    assert "(5 so far)" in critical.subject and critical.escalate_at is not None
