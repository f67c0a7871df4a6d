"""An alert e-mail is written in its recipient's language: Russian for a Russian-speaking lawyer, English otherwise."""

from __future__ import annotations

import pytest

from refuge.alerts.worker import Worker
from tests.alerts.conftest import emails, smtp  # noqa: F401  # the real SMTP server and the users' addresses
from tests.alerts.helpers import critical_alert

pytestmark = pytest.mark.django_db


def _mail_to(smtp, address: str):  # type: ignore[no-untyped-def]  # noqa: F811  # the fixture's handler
    (got,) = [m for m in smtp.received if m.rcpt_tos == [address]]
    return got.message


def test_each_recipient_reads_the_alert_email_in_their_own_language(case, alice, bob, emails, smtp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
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


def test_the_language_of_one_email_does_not_leak_into_the_next(case, alice, bob, emails, smtp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
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
