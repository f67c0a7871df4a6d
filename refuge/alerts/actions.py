"""Changes people make to alerts: acknowledging, reading. Each is audited where it matters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from refuge.alerts.models import Alert, Notification
from refuge.audit.actions import record
from refuge.audit.events import EventType

if TYPE_CHECKING:
    from django.http import HttpRequest

    from refuge.accounts.models import User

VIA = ("page", "email")


@transaction.atomic
def acknowledge_alert(*, alert: Alert, user: User, via: str, request: HttpRequest | None = None) -> bool:
    """Acknowledge an alert for everyone and stop its escalation; False if it already was."""
    if via not in VIA:
        raise ValueError(f"unknown acknowledgement channel {via!r}")
    now = timezone.now()
    won = Alert.objects.filter(pk=alert.pk, acknowledged_at=None).update(
        acknowledged_at=now, acknowledged_by=user, acknowledged_via=via, escalate_at=None
    )
    Notification.objects.filter(alert=alert, user=user, read_at=None).update(read_at=now)
    if not won:
        return False
    record(
        type=EventType.ALERT_ACKNOWLEDGED,
        actor=user,
        target=("alert", alert.code),
        data={"via": via, "level": int(alert.level), "severity": alert.severity},
        request=request,
        organisation=alert.organisation,
    )
    alert.refresh_from_db(fields=["acknowledged_at", "acknowledged_by", "acknowledged_via", "escalate_at"])
    return True


def mark_read(*, user: User, alerts: list[Alert] | None = None) -> int:
    """Mark the user's notifications (of these alerts, or all) read; how many were unread."""
    rows = Notification.objects.filter(user=user, read_at=None)
    if alerts is not None:
        rows = rows.filter(alert__in=alerts)
    return rows.update(read_at=timezone.now())
