"""An organisation's admin locks down her own organisation: its sessions, feeds and logins stop; no other's."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.vault import state
from tests.accounts.conftest import verified_client
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _login_hardening_off(settings, monkeypatch) -> None:
    """The second factor is not under test here (force_login stands for a full login)."""
    settings.REFUGE_REQUIRE_2FA = False
    monkeypatch.setenv("REFUGE_REQUIRE_2FA", "false")


def _can_log_in(username: str) -> bool:
    client = Client()
    client.post(reverse("login"), {"username": username, "password": PASSWORD})
    return client.get(reverse("case_list")).status_code == 200


def _logged_in(user) -> Client:
    return verified_client(user)


def test_a_lock_down_stops_her_organisation_and_not_another(adam, alice, carol, case) -> None:
    alice_client, carol_client, adam_client = _logged_in(alice), _logged_in(carol), _logged_in(adam)
    assert alice_client.get(reverse("case_list")).status_code == 200
    response = adam_client.post(reverse("organisation_lock_down"), {"confirm": "lock-down"})
    assert response.status_code == 302
    # Her organisation: every session ended, and no login until it is lifted.
    assert alice_client.get(reverse("case_list")).status_code == 302
    assert adam_client.get(reverse("user_list")).status_code == 302
    assert not _can_log_in("alice")
    # The other organisation works on, and the server stays unsealed.
    assert carol_client.get(reverse("case_list")).status_code == 200
    assert _can_log_in("carol")
    assert not state.is_sealed()
    entry = AuditEvent.objects.filter(type=EventType.ORGANISATION_LOCKED_DOWN).get()
    assert entry.actor_id == adam.pk and entry.chain == adam.membership().organisation_id


def test_a_lock_down_revokes_the_organisation_s_calendar_feeds_only(adam, alice, carol, case) -> None:
    from django.utils import timezone

    from refuge.alerts.models import FeedToken

    FeedToken.objects.create(user=alice, digest="a" * 64, hint="aaaa", created_at=timezone.now())
    FeedToken.objects.create(user=carol, digest="c" * 64, hint="cccc", created_at=timezone.now())
    _logged_in(adam).post(reverse("organisation_lock_down"), {"confirm": "lock-down"})
    assert FeedToken.objects.get(user=alice).revoked_at is not None
    assert FeedToken.objects.get(user=carol).revoked_at is None


def test_a_lock_down_needs_its_confirmation(adam, alice) -> None:
    client = _logged_in(adam)
    client.post(reverse("organisation_lock_down"))
    assert _can_log_in("alice")


def test_an_operator_lifts_the_lock_down_on_the_host(adam, alice) -> None:
    out = io.StringIO()
    call_command("lockdown", alice.membership().organisation.name, stdout=out)
    assert "Locked down" in out.getvalue()
    assert not _can_log_in("alice")
    call_command("lockdown", alice.membership().organisation.name, "--lift", stdout=out)
    assert _can_log_in("alice")
    kinds = list(AuditEvent.objects.order_by("id").values_list("type", flat=True))
    assert kinds.index(EventType.ORGANISATION_LOCKED_DOWN) < kinds.index(EventType.ORGANISATION_LOCKDOWN_LIFTED)
