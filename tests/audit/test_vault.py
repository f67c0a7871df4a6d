"""The vault's key operations are on record: initialised, unsealed, a failed unseal, sealed, rotated."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.audit.verify import verify
from refuge.vault import keys, rotation, state
from tests.audit.conftest import audit_refuses_inserts, head, types

pytestmark = pytest.mark.django_db


def _last(kind: EventType) -> AuditEvent:
    entry = AuditEvent.objects.filter(type=kind).order_by("-id").first()
    assert entry is not None, f"no {kind.name} entry"
    return entry


def test_initialising_the_vault_is_recorded() -> None:
    entry = _last(EventType.VAULT_INITIALISED)  # the suite's own dev vault, made for this test
    assert (entry.actor_id, entry.target_kind, entry.data) == (None, "vault", {"source": "dev"})


def test_unsealing_is_recorded() -> None:
    state.reset_for_tests()
    before = head()
    state.unseal_with_dev_key()
    assert types(before) == [EventType.VAULT_UNSEALED]
    assert _last(EventType.VAULT_UNSEALED).data == {"source": "dev", "root_key": 1}


def test_a_failed_unseal_is_recorded_without_what_was_offered() -> None:
    state.reset_for_tests()
    before = head()
    offered = b"\x07" * 32
    with pytest.raises(state.UnsealError):
        state.unseal(root_key=offered, source="dev")
    assert types(before) == [EventType.VAULT_UNSEAL_FAILED]
    entry = _last(EventType.VAULT_UNSEAL_FAILED)
    assert entry.data == {"failed_unseals": 1}
    assert offered.hex() not in str(entry.data)


def test_a_vault_the_log_cannot_record_stays_sealed() -> None:
    state.reset_for_tests()
    with audit_refuses_inserts(), pytest.raises(Exception, match="refused"):
        state.unseal_with_dev_key()
    assert state.is_sealed()


def test_sealing_is_recorded_with_who_sealed(adam, client) -> None:
    client.force_login(adam)
    before = head()
    state.seal(reason="test", actor=adam)
    assert types(before) == [EventType.VAULT_SEALED]
    assert _last(EventType.VAULT_SEALED).actor_id == adam.pk
    call_command("seal")
    assert _last(EventType.VAULT_SEALED).actor_id is None  # `refuge seal`: the system


def test_sealing_wins_over_a_broken_log(adam, client) -> None:
    client.force_login(adam)
    assert Session.objects.exists()
    before = head()
    with audit_refuses_inserts():
        state.seal(reason="test", actor=adam)
    assert state.is_sealed() and not Session.objects.exists()
    assert head() == before


def test_a_rotation_is_recorded_when_it_starts_and_when_it_ends(case) -> None:
    assert state.try_dev_unseal()
    before = head()
    pending = rotation.begin(keys.new_root_key(source="dev"))
    rotation.run()
    assert types(before) == [EventType.VAULT_ROTATION_STARTED, EventType.VAULT_ROTATED]
    assert _last(EventType.VAULT_ROTATION_STARTED).data == {"source": "dev", "root_key": pending.version}
    assert _last(EventType.VAULT_ROTATED).data == {"root_key": pending.version}
    assert verify().ok
