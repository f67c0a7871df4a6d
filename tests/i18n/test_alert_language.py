"""An alert e-mail is written in its recipient's language: Russian for a Russian-speaking lawyer, English otherwise."""

from __future__ import annotations

import re

import pytest

from refuge.alerts.worker import Worker
from tests.alerts.conftest import emails, smtp  # noqa: F401  # the real SMTP server and the users' addresses
from tests.alerts.helpers import critical_alert

pytestmark = pytest.mark.django_db


def _mail_to(smtp, address: str):  # noqa: F811  # the fixture's handler
    (got,) = [m for m in smtp.received if m.rcpt_tos == [address]]
    return got.message


def test_each_recipient_reads_the_alert_email_in_their_own_language(case, alice, bob, emails, smtp) -> None:  # noqa: F811
    alice.language = "ru"
    alice.save(update_fields=["language"])
    critical_alert(case, [alice, bob])
    Worker().drain()

    russian = _mail_to(smtp, "alice@example.org")
    text = russian.get_body(("plain",)).get_content()
    html = russian.get_body(("html",)).get_content()
    assert russian["Subject"].strip().startswith("[Refuge] КРИТИЧЕСКОЕ: TST-2026-001")
    assert "Подтвердить получение (остановит передачу другим):" in text
    assert "Refuge. В этом сообщении дело названо только по номеру." in text
    assert "Acknowledge" not in text and "Case:" not in text
    assert '<html lang="ru">' in html and "Открыть оповещение в Refuge" in html

    english = _mail_to(smtp, "bob@example.org")
    text = english.get_body(("plain",)).get_content()
    assert english["Subject"].startswith("[Refuge] CRITICAL: TST-2026-001")
    assert "Acknowledge (stops escalation to others):" in text
    assert "Refuge. This message names the case by its reference only." in text
    assert '<html lang="en">' in english.get_body(("html",)).get_content()


def test_the_language_of_one_email_does_not_leak_into_the_next(case, alice, bob, emails, smtp) -> None:  # noqa: F811
    bob.language = "ko"
    bob.save(update_fields=["language"])
    critical_alert(case, [bob, alice])
    Worker().drain()
    assert (
        "확인하기(다른 사람에게 넘어가지 않게 함):"
        in _mail_to(smtp, "bob@example.org").get_body(("plain",)).get_content()
    )
    assert (
        "Acknowledge (stops escalation to others):"
        in _mail_to(smtp, "alice@example.org").get_body(("plain",)).get_content()
    )


def test_an_alert_raised_by_a_russian_request_is_stored_in_english(case, alice) -> None:
    """Stored once for every recipient, an alert's text never takes the language of the change's author."""
    from django.utils import translation

    from refuge.alerts.models import Alert, AlertKind
    from refuge.cases.actions import update_event

    Alert.objects.all().delete()
    with translation.override("ru"):
        update_event(
            event=case.events.get(key="e3"),
            user=alice,
            at="2026-03-04T16:00:00+03:00",
            attributes={"decision_event": "e2"},
            source="",
            note="",
        )
    moved = Alert.objects.filter(kind=AlertKind.DEADLINE_MOVED).first()
    assert moved is not None
    assert " MSK" in moved.subject
    for alert in Alert.objects.all():
        assert not re.search("[а-яё]", alert.subject + alert.body, flags=re.I), alert.subject
