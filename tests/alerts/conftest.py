from __future__ import annotations

from collections.abc import Iterator

import pytest

from refuge.alerts.mailsink import start
from tests.alerts.receivers import HoldingSinkHandler, WebhookReceiver


@pytest.fixture
def smtp(settings) -> Iterator[HoldingSinkHandler]:
    """A real SMTP server on 127.0.0.1 that the e-mail channel is pointed at."""
    handler = HoldingSinkHandler()
    controller = start(handler)
    settings.REFUGE_SMTP_HOST = "127.0.0.1"
    settings.REFUGE_SMTP_PORT = controller.port  # set by start()
    settings.REFUGE_SMTP_TIMEOUT = 5
    yield handler
    handler.release.set()
    controller.stop()


@pytest.fixture
def webhook(settings) -> Iterator[WebhookReceiver]:
    """A real HTTP receiver on 127.0.0.1 (private addresses allowed for it)."""
    settings.REFUGE_WEBHOOK_ALLOW_PRIVATE = True
    settings.REFUGE_WEBHOOK_TIMEOUT = 5
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def emails(alice, bob, adam):
    """Give the fixture users (fictional) e-mail addresses."""
    for user in (alice, bob, adam):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return {u.username: u.email for u in (alice, bob, adam)}
