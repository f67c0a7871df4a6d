"""Acknowledging from the alert's page and from the e-mail's signed link: audited, once, stops escalation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from refuge.alerts.links import ack_token, ack_url
from refuge.alerts.models import Alert
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from tests.alerts.helpers import critical_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(case, alice):
    return critical_alert(case, [alice])


def test_the_email_link_shows_a_button_and_only_the_post_acknowledges(alert: Alert, alice) -> None:
    with time_machine.travel(timezone.now(), tick=False):  # the token holds the second it was made in
        url = reverse("alert_ack_link", args=[ack_token(alert, alice)])
        assert ack_url(alert, alice).endswith(url)
    client = Client()  # not logged in: the link is the key
    page = client.get(url)
    assert page.status_code == 200
    assert b"Acknowledge" in page.content and b"TST-2026-001" in page.content
    alert.refresh_from_db()
    assert alert.acknowledged_at is None  # a GET (a mail scanner's prefetch) changes nothing
    done = client.post(url)
    assert done.status_code == 200 and b"acknowledged" in done.content
    alert.refresh_from_db()
    assert alert.acknowledged_by == alice and alert.acknowledged_via == "email" and alert.escalate_at is None
    entry = AuditEvent.objects.get(type=EventType.ALERT_ACKNOWLEDGED)
    assert entry.actor_id == alice.pk and entry.data["via"] == "email"
    again = client.post(url)
    assert again.status_code == 200 and b"already acknowledged" in again.content
    assert AuditEvent.objects.filter(type=EventType.ALERT_ACKNOWLEDGED).count() == 1


def test_a_changed_or_expired_link_is_refused(alert: Alert, alice, settings) -> None:
    token = ack_token(alert, alice)
    client = Client()
    assert client.post(reverse("alert_ack_link", args=[token[:-2] + "xx"])).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=settings.REFUGE_ACK_LINK_DAYS, minutes=1)):
        assert client.post(reverse("alert_ack_link", args=[token])).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_a_link_for_someone_the_alert_was_not_sent_to_is_refused(alert: Alert, bob) -> None:
    assert Client().post(reverse("alert_ack_link", args=[ack_token(alert, bob)])).status_code == 404


def test_a_disabled_users_link_no_longer_works(alert: Alert, alice) -> None:
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert Client().post(reverse("alert_ack_link", args=[ack_token(alert, alice)])).status_code == 404


def test_the_team_acknowledges_from_the_page_and_others_cannot(alert: Alert, alice, bob) -> None:
    url = reverse("alert_ack", args=[alert.code])
    outsider = Client()
    outsider.force_login(bob)
    assert outsider.post(url).status_code == 404
    member = Client()
    member.force_login(alice)
    page = member.get(reverse("alert_detail", args=[alert.code]))
    assert page.status_code == 200 and b"Acknowledge" in page.content
    assert member.post(url).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == alice and alert.acknowledged_via == "page"
    listing = member.get(reverse("alert_list"))
    assert b"Acknowledged" in listing.content
