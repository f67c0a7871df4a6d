"""Personal access tokens: shown once, stored hashed, scoped, limited, revocable, audited."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from refuge.api.models import ApiToken
from refuge.api.tokens import create_token, revoke_tokens_of
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from tests.api.conftest import ApiClient


def _page_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_account_page_shows_a_new_token_once_and_keeps_only_its_hash(alice):
    client = _page_client(alice)
    made = client.post(reverse("api_token_create"), {"name": "hotline app", "days": "30", "scopes": ["read", "write"]})
    assert made.status_code == 200
    secret = re.search(r'<code id="token-secret">(rfg_[A-Za-z0-9_-]+)</code>', made.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    assert token.scopes == ["read", "write"]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    account = client.get(reverse("account")).content.decode()
    assert "hotline app" in account and token.hint in account and secret not in account
    entry = AuditEvent.objects.get(type=EventType.API_TOKEN_CREATED)
    assert (entry.actor_id, entry.target_code) == (alice.pk, str(token.code))
    assert ApiClient(secret).get("/cases").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_lasts_at_most_a_year(alice):
    refused = _page_client(alice).post(reverse("api_token_create"), {"name": "x", "days": "366", "scopes": ["read"]})
    assert refused.status_code == 422
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused(alice):
    _, secret = create_token(user=alice, name="short", scopes=["read"], days=1)
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        refused = ApiClient(secret).get("/cases")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert refused["Content-Type"] == "application/problem+json"


def test_a_revoked_token_is_refused_and_the_revocation_is_on_record(alice, bob):
    token, secret = create_token(user=alice, name="script", scopes=["read"], days=30)
    url = reverse("api_token_revoke", args=[token.code])
    assert _page_client(bob).post(url).status_code == 404  # only its owner
    assert ApiClient(secret).get("/cases").status_code == 200
    assert _page_client(alice).post(url).status_code == 302
    assert ApiClient(secret).get("/cases").status_code == 401
    entry = AuditEvent.objects.get(type=EventType.API_TOKEN_REVOKED)
    assert (entry.actor_id, entry.target_code, entry.data) == (alice.pk, str(token.code), {"reason": "owner"})


def test_use_from_a_new_address_is_on_record_once_per_address(alice):
    token, secret = create_token(user=alice, name="script", scopes=["read"], days=30)
    api = ApiClient(secret)
    for address in ("192.0.2.1", "192.0.2.1", "198.51.100.7", "192.0.2.1"):
        assert api.get("/cases", REMOTE_ADDR=address).status_code == 200
    entries = AuditEvent.objects.filter(type=EventType.API_TOKEN_NEW_ADDRESS, target_code=str(token.code))
    assert entries.count() == 2
    assert len({e.ip_hash for e in entries}) == 2
    assert not any("192.0.2.1" in e.ip_hash for e in entries)


def test_tokens_end_when_the_account_is_disabled(alice, adam):
    from refuge.accounts.actions import set_active

    token, secret = create_token(user=alice, name="script", scopes=["read"], days=30)
    set_active(user=alice, active=False, actor=adam)
    token.refresh_from_db()
    assert token.revoked_reason == "disabled"
    set_active(user=alice, active=True, actor=adam)
    assert ApiClient(secret).get("/cases").status_code == 401  # enabling again does not revive it


def test_tokens_end_when_the_vault_is_sealed(alice):
    from refuge.vault import state

    token, secret = create_token(user=alice, name="script", scopes=["read"], days=30)
    state.seal(reason="test")
    token.refresh_from_db()
    assert token.revoked_reason == "sealed"
    state.unseal_with_dev_key()
    assert ApiClient(secret).get("/cases").status_code == 401


def test_an_organisations_tokens_can_be_ended_at_once(alice, bob, carol):
    """What an organisation's lock-down calls: every member's tokens end; other organisations' do not."""
    secrets = {u.username: create_token(user=u, name="s", scopes=["read"], days=30)[1] for u in (alice, bob, carol)}
    assert revoke_tokens_of(organisation=alice.membership().organisation, reason="lockdown") == 2
    answers = {name: ApiClient(s).get("/cases").status_code for name, s in secrets.items()}
    assert answers == {"alice": 401, "bob": 401, "carol": 200}
    assert AuditEvent.objects.filter(type=EventType.API_TOKEN_REVOKED, data={"reason": "lockdown"}).count() == 2


def test_a_token_over_its_rate_limit_waits_with_retry_after(alice, settings):
    settings.REFUGE_API_RATE_LIMIT = 2
    settings.REFUGE_API_RATE_WINDOW_SECONDS = 60
    _, first = create_token(user=alice, name="busy", scopes=["read"], days=30)
    _, second = create_token(user=alice, name="calm", scopes=["read"], days=30)
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start + timedelta(seconds=15), tick=False):
        busy = ApiClient(first)
        assert [busy.get("/cases").status_code for _ in range(3)] == [200, 200, 429]
        refused = busy.get("/cases")
        assert refused["Retry-After"] == "45"
        assert refused.json()["status"] == 429
        assert ApiClient(second).get("/cases").status_code == 200  # per token
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert busy.get("/cases").status_code == 200  # a new window


def test_the_token_command_prints_a_token_once(alice, capsys):
    from django.core.management import call_command

    call_command("apitoken", "create", "alice", "--scopes", "read,write", "--days", "7")
    secret = capsys.readouterr().out.strip()
    assert ApiClient(secret).get("/cases").status_code == 200
    assert ApiToken.objects.get().scopes == ["read", "write"]


def test_a_sealed_server_answers_the_api_with_a_problem(alice):
    from refuge.vault import state

    _, secret = create_token(user=alice, name="script", scopes=["read"], days=30)
    state.seal(reason="test")
    sealed = ApiClient(secret).get("/cases")
    assert sealed.status_code == 503
    assert sealed["Content-Type"] == "application/problem+json"
    assert sealed["Retry-After"] == "60"
    assert sealed.json()["type"] == "urn:refuge:problem:sealed"


def test_an_organisations_lock_down_ends_its_tokens(alice, carol, adam):
    from refuge.accounts.actions import lift_lock_down, lock_down_organisation

    _, mine = create_token(user=alice, name="s", scopes=["read"], days=30)
    _, theirs = create_token(user=carol, name="s", scopes=["read"], days=30)
    organisation = alice.membership().organisation
    assert lock_down_organisation(organisation=organisation, actor=adam)["api_tokens"] == 1
    assert ApiClient(mine).get("/cases").status_code == 401
    assert ApiClient(theirs).get("/cases").status_code == 200
    _, made_since = create_token(user=alice, name="s", scopes=["read"], days=30)  # e.g. by `refuge apitoken`
    assert ApiClient(made_since).get("/cases").status_code == 401
    lift_lock_down(organisation=organisation, actor=adam)
    assert ApiClient(mine).get("/cases").status_code == 401  # revoked for good
