"""The acceptance walk on the demo: a critical conflict reaches a local SMTP server, climbs when
left alone, and stops climbing once acknowledged from the e-mail's link."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from refuge.alerts import clock
from refuge.alerts.models import Alert, Level, Notification
from refuge.alerts.worker import Worker
from refuge.demo.load import build_demo
from refuge.demo.manifest import read_manifest

pytestmark = pytest.mark.django_db


def test_a_demo_conflict_is_mailed_escalated_and_stopped_from_the_email_link(smtp) -> None:
    now = timezone.now()
    build_demo(today=now.astimezone(ZoneInfo(read_manifest().zone)).date(), now=now)
    alert = Alert.objects.filter(case__reference="DEMO-01", severity="critical").order_by("id").first()
    assert alert is not None, "DEMO-01 (the story) should raise a critical conflict"
    Worker().drain()
    mails = [m for m in smtp.received if m.message["Subject"].endswith(alert.subject)]
    assert mails, "the critical conflict's e-mail reached the SMTP server"
    first_told = set(Notification.objects.filter(alert=alert).values_list("user__username", flat=True))

    # Left alone for 31 minutes: it climbs (to demo-lawyer2 on call, or the admins).
    with time_machine.travel(alert.created_at + timedelta(minutes=31)):
        clock.escalate_due(now=timezone.now())
        alert.refresh_from_db()
        assert alert.level > Level.TEAM
        climbed = set(Notification.objects.filter(alert=alert).values_list("user__username", flat=True)) - first_told
        assert climbed
        Worker().drain()
    assert any(
        m.rcpt_tos[0].split("@")[0] in climbed for m in smtp.received if m.message["Subject"].endswith(alert.subject)
    )

    # Acknowledged from the link in the first e-mail: no further level is reached.
    text = mails[0].message.get_body(("plain",)).get_content()
    link = next(line.strip() for line in text.splitlines() if "/alerts/ack/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert Client().post("/" + path).status_code == 200
    alert.refresh_from_db()
    assert alert.acknowledged_via == "email" and alert.escalate_at is None
    told = Notification.objects.filter(alert=alert).count()
    clock.escalate_due(now=alert.created_at + timedelta(hours=3))
    assert Notification.objects.filter(alert=alert).count() == told
