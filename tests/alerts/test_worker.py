"""The worker against a real SMTP server and a real webhook receiver: sent once, retried, refused."""

from __future__ import annotations

import hmac
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from refuge.alerts.channels.webhook import signature, signing_key
from refuge.alerts.links import read_ack_token
from refuge.alerts.models import AlertSettings, Delivery, DeliveryState
from refuge.alerts.worker import Worker, claim
from tests.alerts.helpers import critical_alert

pytestmark = pytest.mark.django_db


def test_an_email_reaches_the_smtp_server_once_with_its_acknowledge_link(case, alice, emails, smtp) -> None:
    alert = critical_alert(case, [alice])
    Worker().drain()
    assert len(smtp.received) == 1
    got = smtp.received[0]
    row = Delivery.objects.get(alert=alert)
    assert row.state == DeliveryState.SENT and row.attempts == 1 and row.sent_at is not None
    assert got.rcpt_tos == ["alice@example.org"]
    assert got.message["Message-ID"] == f"<{row.idempotency_key}@refuge.alerts>"
    assert got.key == str(row.idempotency_key)
    assert got.message["Subject"].startswith("[Refuge] CRITICAL: TST-2026-001")
    text = got.message.get_body(("plain",)).get_content()
    html = got.message.get_body(("html",)).get_content()
    link = next(line for line in text.splitlines() if "/alerts/ack/" in line).strip()
    assert link in html
    token = link.rsplit("/alerts/ack/", 1)[1].strip("/")
    assert read_ack_token(token) == (str(alert.code), str(alice.code))
    for name in ("Testov", "Fiktiv", "Тестов", "Фиктив"):
        assert name not in text and name not in html
    Worker().drain()
    assert len(smtp.received) == 1  # sent rows are never sent again


def test_a_webhook_is_signed_and_carries_its_idempotency_key(case, alice, webhook) -> None:
    AlertSettings.objects.create(user=alice, webhook_url=webhook.url, channels={"critical": ["webhook"]})
    alert = critical_alert(case, [alice])
    Worker().drain()
    assert len(webhook.received) == 1
    hook = webhook.received[0]
    row = Delivery.objects.get(alert=alert)
    assert row.state == DeliveryState.SENT
    assert hook.headers["Idempotency-Key"] == str(row.idempotency_key)
    expected = signature(signing_key(alice, 1), hook.body)
    assert hmac.compare_digest(hook.headers["X-Refuge-Signature"], expected)
    assert hook.json["case"] == "TST-2026-001" and hook.json["severity"] == "critical"
    assert hook.json["alert"] == str(alert.code)
    # Another key version signs differently: raising it replaces the key.
    assert signature(signing_key(alice, 2), hook.body) != expected


def test_a_refused_webhook_is_retried_with_back_off_until_accepted(case, alice, webhook, settings) -> None:
    settings.REFUGE_ALERT_RETRY_SECONDS = 10
    AlertSettings.objects.create(user=alice, webhook_url=webhook.url, channels={"critical": ["webhook"]})
    webhook.statuses = [503, 429]
    alert = critical_alert(case, [alice])
    start = timezone.now()
    Worker().drain()
    row = Delivery.objects.get(alert=alert)
    assert row.state == DeliveryState.PENDING and row.attempts == 1
    assert "503" in row.last_error
    assert timedelta(seconds=9) <= row.next_attempt_at - start <= timedelta(seconds=12)
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        Worker().drain()
    row.refresh_from_db()
    assert row.state == DeliveryState.PENDING and row.attempts == 2  # the second try
    first_wait = row.next_attempt_at
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        Worker().drain()
        row.refresh_from_db()
        assert row.next_attempt_at == first_wait  # sent: not rescheduled
    assert row.state == DeliveryState.SENT and row.attempts == 3  # the third try
    assert len(webhook.received) == 1


def test_a_permanent_refusal_is_not_retried(case, alice, webhook) -> None:
    AlertSettings.objects.create(user=alice, webhook_url=webhook.url, channels={"critical": ["webhook"]})
    webhook.statuses = [410]
    alert = critical_alert(case, [alice])
    Worker().drain()
    row = Delivery.objects.get(alert=alert)
    assert row.state == DeliveryState.FAILED and "410" in row.last_error


def test_a_private_webhook_address_is_refused_unless_allowed(case, alice, webhook, settings) -> None:
    settings.REFUGE_WEBHOOK_ALLOW_PRIVATE = False
    AlertSettings.objects.create(user=alice, webhook_url=webhook.url, channels={"critical": ["webhook"]})
    alert = critical_alert(case, [alice])
    Worker().drain()
    row = Delivery.objects.get(alert=alert)
    assert row.state == DeliveryState.FAILED and "private" in row.last_error
    assert not webhook.received


def test_a_mail_server_that_is_down_means_a_retry(case, alice, emails, settings) -> None:
    import socket

    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        settings.REFUGE_SMTP_PORT = probe.getsockname()[1]
    settings.REFUGE_SMTP_HOST = "127.0.0.1"
    alert = critical_alert(case, [alice])
    Worker().drain()
    row = Delivery.objects.get(alert=alert)
    assert row.state == DeliveryState.PENDING and row.attempts == 1 and "no mail server" in row.last_error


def test_smtp_5xx_fails_for_good_and_4xx_is_retried(case, alice, emails, smtp) -> None:
    smtp.refuse_codes = ["550 No such mailbox", "451 Try again later"]
    first = critical_alert(case, [alice], "first")
    Worker().drain()
    second = critical_alert(case, [alice], "second")
    Worker().drain()
    assert Delivery.objects.get(alert=first).state == DeliveryState.FAILED
    assert Delivery.objects.get(alert=second).state == DeliveryState.PENDING
    assert not smtp.received


def test_two_workers_never_claim_the_same_row(case, alice, emails) -> None:
    for i in range(5):
        critical_alert(case, [alice], f"conflict {i}")
    now = timezone.now()
    lease = timedelta(seconds=60)
    first = claim(worker="w1", now=now, batch=3, lease=lease)
    second = claim(worker="w2", now=now, batch=10, lease=lease)
    assert len(first) == 3 and len(second) == 2  # five rows in all
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert claim(worker="w3", now=now, batch=10, lease=lease) == []
    # Once the leases run out (the workers died), the rows are claimed again.
    again = claim(worker="w3", now=now + lease + timedelta(seconds=1), batch=10, lease=lease)
    assert len(again) == 5  # all five
    assert all(r.attempts == 2 and r.leased_by == "w3" for r in again)  # second claim


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://hooks.example.org/x", "http://"),
        ("https:///nohost", "http://"),
        ("http://hooks.example.org/x", "https://"),
        ("https://127.0.0.1/x", "private"),
        ("https://[::1]/x", "private"),
        ("https://10.1.2.3/x", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),
        ("https://192.168.0.10/x", "private"),
        ("https://localhost/x", "private"),
    ],
)
def test_webhook_urls_that_cannot_be_used_are_named(url: str, why: str, settings) -> None:
    from refuge.alerts.channels.webhook import check_url

    settings.REFUGE_WEBHOOK_ALLOW_PRIVATE = False
    problem = check_url(url)
    assert problem is not None and why in problem


def test_a_public_address_is_accepted_and_a_reserved_one_is_not(settings) -> None:
    from refuge.alerts.channels.webhook import check_url

    settings.REFUGE_WEBHOOK_ALLOW_PRIVATE = False
    assert check_url("https://192.0.2.1/x") is not None  # TEST-NET-1 is reserved: not global
    assert check_url("https://8.8.8.8/hook") is None
