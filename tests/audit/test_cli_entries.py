"""Account and role changes made on the host's command line are audited like the pages' own."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from refuge.accounts.models import User
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_createuser_is_audited_in_the_organisation_s_chain(org, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password 7\n"))
    call_command(
        "createuser",
        "nadia",
        "--organisation",
        org.name,
        "--role",
        "lawyer",
        "--password-stdin",
        "--last-name",
        "Fiktiv\u202eova",
        stdout=io.StringIO(),
    )
    user = User.objects.get(username="nadia")
    assert user.last_name == "Fiktivova"  # the right-to-left override is gone
    entry = AuditEvent.objects.get(type=EventType.USER_CREATED)
    assert entry.actor_id is None and entry.target_code == str(user.code)
    assert entry.chain == org.pk and entry.data == {"role": "lawyer"}


def test_a_role_change_is_audited_and_ends_the_sessions(bob) -> None:
    from django.test import Client

    client = Client()
    client.force_login(bob)
    out = io.StringIO()
    call_command("role", "bob", "analyst", stdout=out)
    assert "is now analyst" in out.getvalue()
    entry = AuditEvent.objects.get(type=EventType.ROLE_CHANGED)
    assert entry.data == {"from": "caseworker", "to": "analyst"} and entry.target_code == str(bob.code)
    assert client.get("/cases/").status_code == 302  # logged out
    call_command("role", "bob", "analyst", stdout=out)
    assert AuditEvent.objects.filter(type=EventType.ROLE_CHANGED).count() == 1
