"""Encrypted fields: ciphertext in the column, plaintext on the attribute, bound to row, field and key."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from refuge.vault import crypto, state
from refuge.vault.models import CaseKey, VaultProbe

pytestmark = pytest.mark.django_db


def _raw(probe: VaultProbe, column: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM vault_vaultprobe WHERE id = %s", [probe.pk])  # noqa: S608  # test columns
        value = cursor.fetchone()[0]
    return bytes(value)


def _set_raw(probe: VaultProbe, column: str, value: bytes) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE vault_vaultprobe SET {column} = %s WHERE id = %s", [value, probe.pk])  # noqa: S608


def test_values_round_trip_through_the_database(probe: VaultProbe) -> None:
    loaded = VaultProbe.objects.get(pk=probe.pk)
    assert loaded.text == "Lives at 12 Hidden Lane"
    assert loaded.numbers == ["AB 123456"]
    assert loaded.day == date(1980, 1, 1)


def test_columns_hold_no_plaintext(probe: VaultProbe) -> None:
    assert b"Hidden Lane" not in _raw(probe, "text")
    assert b"AB 123456" not in _raw(probe, "numbers")
    assert b"1980" not in _raw(probe, "day")
    assert crypto.field_key_version(_raw(probe, "text")) == 1


def test_defaults_are_encrypted_too(dev_vault, case) -> None:
    probe = VaultProbe.objects.create(case=case)
    loaded = VaultProbe.objects.get(pk=probe.pk)
    assert (loaded.text, loaded.numbers, loaded.day) == ("", [], None)
    assert _raw(probe, "numbers") != b"[]"


def test_ciphertext_moved_to_another_row_fails(probe: VaultProbe, case) -> None:
    other = VaultProbe.objects.create(case=case, text="another client")
    _set_raw(other, "text", _raw(probe, "text"))
    with pytest.raises(crypto.DecryptionError):
        _ = VaultProbe.objects.get(pk=other.pk).text


def test_ciphertext_moved_to_another_field_fails(probe: VaultProbe) -> None:
    probe.numbers = ["Lives at 12 Hidden Lane"]
    probe.save()
    _set_raw(probe, "text", _raw(probe, "numbers"))
    with pytest.raises(crypto.DecryptionError):
        _ = VaultProbe.objects.get(pk=probe.pk).text


def test_tampered_ciphertext_raises(probe: VaultProbe) -> None:
    blob = bytearray(_raw(probe, "text"))
    blob[-1] ^= 0x80
    _set_raw(probe, "text", bytes(blob))
    with pytest.raises(crypto.DecryptionError):
        _ = VaultProbe.objects.get(pk=probe.pk).text


def test_reading_while_sealed_raises(probe: VaultProbe) -> None:
    state.seal(reason="test")
    loaded = VaultProbe.objects.get(pk=probe.pk)  # loading ciphertext needs no key
    with pytest.raises(state.VaultSealed):
        _ = loaded.text


def test_unread_values_are_saved_as_they_were(probe: VaultProbe) -> None:
    before = _raw(probe, "text")
    loaded = VaultProbe.objects.get(pk=probe.pk)
    loaded.day = date(1981, 2, 3)
    loaded.save()
    assert _raw(probe, "text") == before
    assert VaultProbe.objects.get(pk=probe.pk).day == date(1981, 2, 3)


def test_bulk_update_and_update_refuse_plaintext(probe: VaultProbe) -> None:
    probe.text = "new address"
    with pytest.raises(TypeError, match="encrypted"):
        VaultProbe.objects.bulk_update([probe], ["text"])
    with pytest.raises(TypeError, match="encrypted"):
        VaultProbe.objects.filter(pk=probe.pk).update(text="plain")


def test_deferred_field_loads_and_decrypts(probe: VaultProbe) -> None:
    loaded = VaultProbe.objects.only("id", "case", "code").get(pk=probe.pk)
    assert loaded.text == "Lives at 12 Hidden Lane"


def test_each_case_has_its_own_data_key(probe: VaultProbe, org) -> None:
    from refuge.cases.models import Case

    other_case = Case.objects.create(organisation=org, reference="TST-2026-002", host_state="RU")
    other = VaultProbe.objects.create(case=other_case, text="x")
    assert CaseKey.objects.count() == 2
    assert state.data_key(probe.case_id, 1) != state.data_key(other.case_id, 1)


def test_deleting_the_case_key_shreds_the_ciphertext(probe: VaultProbe) -> None:
    blob = _raw(probe, "text")
    CaseKey.objects.filter(case_id=probe.case_id).delete()
    with pytest.raises(state.KeyDestroyed):
        _ = VaultProbe.objects.get(pk=probe.pk).text
    # Not even a new process (no cache) with the root key reads it.
    state.reset_for_tests()
    state.unseal_with_dev_key()
    with pytest.raises(state.KeyDestroyed):
        state.data_key(probe.case_id, crypto.field_key_version(blob))


def test_deleting_a_case_deletes_its_key(probe: VaultProbe) -> None:
    case_id = probe.case_id
    probe.case.delete()
    assert not CaseKey.objects.filter(case_id=case_id).exists()


def test_a_copy_of_an_instance_keeps_its_own_value(probe: VaultProbe) -> None:
    import copy

    twin = copy.copy(probe)
    twin.text = "changed on the copy"
    assert probe.text == "Lives at 12 Hidden Lane"
