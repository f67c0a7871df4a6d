"""Account changes leave audit entries that name users by code, never by anything else."""

from __future__ import annotations

import pytest

from refuge.accounts import actions
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _last(kind: EventType) -> AuditEvent:
    entry = AuditEvent.objects.filter(type=kind).order_by("-id").first()
    assert entry is not None, f"no {kind.name} entry"
    return entry


def test_disabling_and_enabling_an_account_are_recorded(adam, bob) -> None:
    actions.set_active(user=bob, active=False, actor=adam)
    entry = _last(EventType.USER_DISABLED)
    assert entry is not None
    assert (entry.target_code, entry.actor_id) == (str(bob.code), adam.pk)
    actions.set_active(user=bob, active=True, actor=adam)
    assert _last(EventType.USER_ENABLED).target_code == str(bob.code)


def test_unlocking_ending_sessions_and_resetting_2fa_are_recorded(adam, bob) -> None:
    actions.unlock(username=bob.username, actor=adam)
    actions.end_user_sessions(user=bob, actor=adam)
    actions.reset_second_factor(user=bob, actor=adam)
    for kind in (EventType.USER_UNLOCKED, EventType.SESSIONS_ENDED, EventType.OTP_DISABLED):
        entry = _last(kind)
        assert entry is not None, kind
        assert entry.target_code == str(bob.code)
        assert "bob" not in str(entry.data)


def test_a_password_change_is_recorded(client, alice) -> None:
    from tests.conftest import PASSWORD  # the fixtures' password

    client.force_login(alice)
    new = "another long passphrase 9731"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code in (302, 303), response.content[:500]
    entry = _last(EventType.PASSWORD_CHANGED)
    assert entry is not None
    assert entry.fields == ["password"]
    assert new not in str(entry.data)
