"""An alert e-mail is written in its recipient's language: Russian for a Russian-speaking lawyer, English otherwise."""

from __future__ import annotations

import re

import pytest

from refuge.alerts.worker import Worker
from tests.alerts.conftest import emails, smtp, webhook  # noqa: F401  # real SMTP and HTTP receivers, addresses
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


EVERY_CHANNEL = {s: ["inapp", "email", "webhook"] for s in ("critical", "high", "medium", "info")}
LATIN = re.compile(r"[A-Za-z]{3,}")


def _moved_by_the_engine(case, alice, bob):
    """A real alert: the engine moves a deadline when an event changes, and tells the case team (alice and bob)."""
    from refuge.alerts.models import Alert, AlertKind
    from refuge.cases.actions import set_team, update_event

    set_team(case=case, users=[alice, bob], actor=alice)
    Alert.objects.all().delete()
    update_event(
        event=case.events.get(key="e3"),
        user=alice,
        at="2026-03-04T16:00:00+03:00",
        attributes={"decision_event": "e2"},
        source="",
        note="",
    )
    moved = Alert.objects.filter(kind=AlertKind.DEADLINE_MOVED).order_by("id").first()
    assert moved is not None
    return moved


def _english(text: str, case) -> list[str]:
    from tests.i18n.test_pages_translated import ENGLISH, NAMES

    text = re.sub(r"https?://\S+", " ", text.replace(case.reference, " "))  # links are addresses, not words
    return sorted({w for w in LATIN.findall(text) if w.lower() in ENGLISH and w not in NAMES})


@pytest.mark.usefixtures("emails")
def test_an_alert_raised_by_the_engine_reaches_each_lawyer_in_their_language(case, alice, bob, smtp, webhook) -> None:  # noqa: F811
    from refuge.alerts.models import AlertSettings

    alice.language = "ru"
    alice.save(update_fields=["language"])
    AlertSettings.objects.create(user=alice, channels=EVERY_CHANNEL, webhook_url=webhook.url)
    AlertSettings.objects.create(user=bob, channels=EVERY_CHANNEL)
    moved = _moved_by_the_engine(case, alice, bob)
    assert moved.facts["code"] and "due_at" in moved.facts  # what it is about, in no language
    Worker().drain()

    to_alice = [m.message for m in smtp.received if m.rcpt_tos == ["alice@example.org"]]
    to_bob = [m.message for m in smtp.received if m.rcpt_tos == ["bob@example.org"]]
    assert len(to_alice) == len(to_bob) >= 1
    for russian in to_alice:
        text = russian.get_body(("plain",)).get_content()
        subject = " ".join(russian["Subject"].split())
        assert subject.startswith("[Refuge] ") and f"{case.reference}: Срок перенесён: " in subject
        assert "Причина: событие e3 (изменено событие)." in text and "Прежний срок:" in text
        assert _english(subject, case) == [] and _english(text, case) == [], (subject, text)
    for english in to_bob:
        text = english.get_body(("plain",)).get_content()
        assert f"{case.reference}: Deadline moved: " in " ".join(english["Subject"].split())
        assert "Caused by event e3 (event changed)." in text and "Was due " in text
        assert not re.search("[а-яё]", english["Subject"] + text, flags=re.I)

    assert webhook.wait_for(1, timeout=10)
    payload = webhook.received[0].json
    assert payload["kind"] == "deadline_moved" and payload["item"] == moved.item_key  # machine fields as they were
    assert payload["subject"].startswith(f"{case.reference}: Срок перенесён: ")
    assert _english(payload["subject"] + payload["body"], case) == []


def test_the_alert_page_speaks_the_readers_language_and_old_alerts_keep_their_text(client, case, alice, bob) -> None:
    from django.urls import reverse

    from refuge.alerts.queue import raise_alert
    from tests.conftest import login

    moved = _moved_by_the_engine(case, alice, bob)
    old = raise_alert(  # an alert stored before alerts kept their facts: its English text is all there is
        organisation=case.organisation, case=case, kind="system", severity="info", subject="Stored subject (old)"
    )
    assert old is not None and old.facts == {}
    alice.language = "ru"
    alice.save(update_fields=["language"])
    login(client, alice)
    page = client.get(reverse("alert_detail", args=[moved.code])).content.decode()
    assert f"{case.reference}: Срок перенесён: " in page and "Причина: событие e3" in page
    assert "Deadline moved" not in page and "Caused by" not in page
    listed = client.get(reverse("alert_list")).content.decode()
    assert "Срок перенесён" in listed and "Stored subject (old)" in listed
    alice.language = "en"
    alice.save(update_fields=["language"])
    assert "Deadline moved: " in client.get(reverse("alert_detail", args=[moved.code])).content.decode()


def test_a_calendar_feed_speaks_its_owners_language(case, alice) -> None:
    import icalendar
    from django.test import Client
    from django.urls import reverse

    from refuge.alerts.actions import create_feed

    alice.language = "ko"
    alice.save(update_fields=["language"])
    _, token = create_feed(user=alice)
    body = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("calendar_feed", args=[token])).content
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Refuge 마감일"
    events = list(calendar.walk("VEVENT"))
    assert events
    for event in events:
        texts = [str(event["SUMMARY"]), str(event["DESCRIPTION"])]
        texts += [str(alarm["DESCRIPTION"]) for alarm in event.walk("VALARM")]
        for text in texts:
            assert re.search("[가-힣]", text), text
            assert _english(text, case) == [], text
    alice.language = "en"
    alice.save(update_fields=["language"])
    english = icalendar.Calendar.from_ical(Client().get(reverse("calendar_feed", args=[token])).content)
    assert str(english["X-WR-CALNAME"]) == "Refuge deadlines"
