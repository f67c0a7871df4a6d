"""Root key sources: dev key file, SLIP-39 k-of-n shares, passphrase; wrong keys are counted and logged."""

from __future__ import annotations

import io
import itertools
import logging
import stat
import sys

import pytest
from django.core.management import CommandError, call_command

from refuge.vault import keys, state
from refuge.vault.models import RootKey, VaultControl
from tests.vault.conftest import mnemonics_from

pytestmark = pytest.mark.django_db

PASSPHRASE = "seven lanterns over a frozen river"


def _failed() -> int:
    return VaultControl.objects.get(pk=state.CONTROL_PK).failed_unseals


def _init_shares(n: int, k: int) -> list[str]:
    out = io.StringIO()
    call_command("vault", "init", "--shares", str(n), "--threshold", str(k), stdout=out)
    shares = mnemonics_from(out.getvalue())
    assert len(shares) == n
    return shares


def test_dev_init_writes_an_owner_only_key_file_and_unseals(db) -> None:
    call_command("vault", "init", "--dev")
    path = keys.dev_key_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "INSECURE" in path.read_text()
    assert state.is_sealed()
    state.unseal_with_dev_key()
    assert not state.is_sealed()


def test_the_dev_key_unseals_by_itself_once_and_warns(db, capsys) -> None:
    call_command("vault", "init", "--dev")
    assert state.try_dev_unseal()
    assert "DEVELOPMENT KEY FILE" in capsys.readouterr().err
    state.seal(reason="test")
    assert not state.try_dev_unseal()  # a seal is not undone by the key file


def test_init_twice_is_refused(db) -> None:
    call_command("vault", "init", "--dev")
    with pytest.raises(CommandError, match="already initialised"):
        call_command("vault", "init", "--dev")


def test_any_k_of_n_shares_unseal(db) -> None:
    shares = _init_shares(5, 3)
    assert RootKey.objects.get().params["threshold"] == 3
    for combination in itertools.combinations(shares, 3):
        state.reset_for_tests()
        assert state.submit_shares(list(combination)) == (0, 3)
        assert not state.is_sealed()


def test_k_minus_one_shares_do_not_unseal(db) -> None:
    shares = _init_shares(5, 3)
    assert state.submit_shares(shares[:2]) == (2, 3)
    assert state.is_sealed()
    assert state.submit_shares([shares[1]]) == (2, 3)  # the same share twice counts once
    assert state.is_sealed()
    # Operators may come one after another: the third share opens it.
    assert state.submit_shares([shares[4]]) == (0, 3)
    assert not state.is_sealed()


def test_shares_of_another_vault_fail_and_are_counted(db, caplog) -> None:
    _init_shares(3, 2)
    stranger, _ = keys.split_into_shares(b"\x01" * 32, shares=3, threshold=2)
    with caplog.at_level(logging.WARNING, logger="refuge.vault"), pytest.raises(state.UnsealError):
        state.submit_shares(stranger[:2])
    assert state.is_sealed()
    assert _failed() == 1
    assert "failed unseal attempt" in caplog.text
    for word in stranger[0].split()[:5]:
        assert word not in caplog.text.split()


def test_a_mistyped_share_fails_and_is_counted(db) -> None:
    shares = _init_shares(3, 2)
    words = shares[0].split()
    words[5] = "academic" if words[5] != "academic" else "acid"
    with pytest.raises(state.UnsealError, match="checksum"):
        state.submit_shares([" ".join(words), shares[1]])
    assert state.is_sealed()
    assert _failed() == 1


def test_passphrase_unseals_and_a_wrong_one_is_counted(db, monkeypatch, caplog) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    call_command("vault", "init", "--passphrase", "--scrypt-n", str(2**14))
    params = RootKey.objects.get().params
    assert params["kdf"] == "scrypt" and params["n"] == 2**14 and len(params["salt"]) == 32
    with caplog.at_level(logging.WARNING, logger="refuge.vault"), pytest.raises(state.UnsealError):
        state.unseal_with_passphrase("seven lanterns over a frozen rivers")
    assert state.is_sealed()
    assert _failed() == 1
    assert "lanterns" not in caplog.text
    state.unseal_with_passphrase(PASSPHRASE)
    assert not state.is_sealed()


def test_short_passphrase_is_refused(db, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="at least"):
        call_command("vault", "init", "--passphrase")
    assert not RootKey.objects.exists()


@pytest.mark.parametrize(
    "weak", ["aaaaaaaaaaaaaaaa", "passwordpassword1234", "1234567890123456", "qwertyuiopasdfgh", "iloveyouiloveyou"]
)
def test_a_long_but_guessable_passphrase_is_refused(db, monkeypatch, weak: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(weak + "\n"))
    with pytest.raises(CommandError, match="too easy to guess"):
        call_command("vault", "init", "--passphrase")
    assert not RootKey.objects.exists()


def test_wrong_root_key_fails_is_counted_and_logged_without_secrets(dev_vault, caplog) -> None:
    state.seal(reason="test")
    wrong = bytes(range(32))
    with caplog.at_level(logging.WARNING, logger="refuge.vault"), pytest.raises(state.UnsealError):
        state.unseal(root_key=wrong, source="shares")
    with pytest.raises(state.UnsealError):
        state.unseal(root_key=wrong, source="shares")
    assert state.is_sealed()
    control = VaultControl.objects.get(pk=state.CONTROL_PK)
    assert control.failed_unseals == 2
    assert control.last_failed_unseal_at is not None
    assert "2 failed attempts" in caplog.text
    assert wrong.hex() not in caplog.text


def test_status_describes_without_secrets(dev_vault) -> None:
    out = io.StringIO()
    call_command("vault", "status", stdout=out)
    text = out.getvalue()
    assert "root key v1: active" in text
    assert "INSECURE" in text
    assert keys.read_dev_keys()[0].hex() not in text
