"""`refuge vault rotate`: case keys re-wrapped and blind indexes recomputed under a new root key."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from refuge.vault import blindindex, keys, rotation, state
from refuge.vault.models import BlindIndexEntry, CaseKey, RootKey, VaultProbe
from tests.vault.conftest import mnemonics_from

pytestmark = pytest.mark.django_db


def _rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("vault", "rotate", *args, stdout=out)
    return out.getvalue()


def test_rotation_to_shares_rewraps_everything_and_retires_the_dev_key(probe: VaultProbe) -> None:
    wrapped_before = bytes(CaseKey.objects.get().wrapped)
    old_key = keys.read_dev_keys()[0]
    shares = mnemonics_from(_rotate("--shares", "3", "--threshold", "2"))
    assert len(shares) == 3
    case_key = CaseKey.objects.get()
    assert case_key.root_version == 2 and bytes(case_key.wrapped) != wrapped_before
    assert set(BlindIndexEntry.objects.values_list("root_version", flat=True)) == {2}
    assert list(RootKey.objects.values_list("version", "status")) == [(1, "retired"), (2, "active")]
    assert bytes(RootKey.objects.get(version=1).verifier) == b""
    assert not keys.dev_key_exists()

    state.reset_for_tests()
    with pytest.raises(state.UnsealError):
        state.unseal(root_key=old_key, source="dev")
    state.submit_shares(shares[1:])
    loaded = VaultProbe.objects.get(pk=probe.pk)
    assert loaded.text == "Lives at 12 Hidden Lane"
    assert [p.pk for p in blindindex.search(VaultProbe, "numbers", "AB123456")] == [probe.pk]


def test_a_live_process_keeps_reading_through_a_rotation(probe: VaultProbe, case) -> None:
    new = keys.new_root_key(source="dev")
    rotation.begin(new)
    # Half-done: this process holds both keys and reads and writes throughout.
    assert VaultProbe.objects.get(pk=probe.pk).text == "Lives at 12 Hidden Lane"
    created = VaultProbe.objects.create(case=case, numbers=["XY 1"])
    assert [p.pk for p in blindindex.search(VaultProbe, "numbers", "XY1")] == [created.pk]
    assert [p.pk for p in blindindex.search(VaultProbe, "numbers", "AB123456")] == [probe.pk]
    with pytest.raises(rotation.RotationError):
        rotation.begin(keys.new_root_key(source="dev"))
    out = _rotate()
    assert "resuming the rotation to root key v2" in out
    state.reset_for_tests()
    state.unseal(root_key=new.key, source="dev")
    assert VaultProbe.objects.get(pk=created.pk).numbers == ["XY 1"]


def test_rotation_to_a_passphrase(probe: VaultProbe, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a brand new vault passphrase\n"))
    _rotate("--passphrase", "--scrypt-n", str(2**14))
    state.reset_for_tests()
    state.unseal_with_passphrase("a brand new vault passphrase")
    assert VaultProbe.objects.get(pk=probe.pk).day.year == 1980


def test_rotate_needs_the_current_key(db, monkeypatch) -> None:
    call_command("vault", "init", "--shares", "3", "--threshold", "2", stdout=io.StringIO())
    other, _ = keys.split_into_shares(b"\x02" * 32, shares=3, threshold=2)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(other[:2]) + "\n"))
    with pytest.raises(CommandError, match="not unsealed"):
        _rotate()
    assert not RootKey.objects.filter(status="pending").exists()


def test_unseal_check_verifies_shares_without_a_server(db, monkeypatch) -> None:
    out = io.StringIO()
    call_command("vault", "init", "--shares", "3", "--threshold", "2", stdout=out)
    shares = mnemonics_from(out.getvalue())
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{shares[0]}\n{shares[2]}\n"))
    result = io.StringIO()
    call_command("unseal", "--check", stdout=result)
    assert "opens this vault" in result.getvalue()
