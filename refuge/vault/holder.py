"""The key holder: what this process holds in memory while the vault is unsealed. No Django.

The root key(s), the data keys unwrapped so far, the blind index keys derived from the root keys,
and the SLIP-39 shares offered while they wait for the threshold. One lock guards everything here;
the server's threads share it (gunicorn's gthread worker). Where the keys come from and where they
are recorded (the control row, the wrapped keys) is the persistence adapter's part: refuge.vault.state.

Keys in memory are held in bytearrays and overwritten on dropping them. That is best effort: Python
and OpenSSL may keep copies, which is why a seized *running* server is outside the vault's promise.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field

from refuge import hooks
from refuge.vault import crypto

logger = logging.getLogger("refuge.vault")

PENDING_SHARES_SECONDS = 15 * 60


class VaultSealed(Exception):  # noqa: N818  # the vault's state, named as operators say it
    """The vault is sealed: no key, no plaintext."""


class UnsealError(Exception):
    """The offered key material does not open this vault (counted and logged, never echoed)."""


class KeyDestroyed(crypto.DecryptionError):  # a kind of decryption failure
    """The case's data key is gone (crypto-shredded): its ciphertexts can no longer be read."""


@dataclass
class Keys:
    """The keys of one unsealing: root keys by version, and what was unwrapped or derived from them."""

    root: dict[int, bytearray]
    active_version: int
    wrap_version: int
    seal_epoch: int
    keyring_epoch: int
    source: str
    data: dict[tuple[int, int], bytearray] = field(default_factory=dict)
    newest: dict[int, int] = field(default_factory=dict)
    index: dict[int, bytes] = field(default_factory=dict)
    org: dict[tuple[int, int], bytearray] = field(default_factory=dict)
    org_newest: dict[int, int] = field(default_factory=dict)


class Holder:
    """Everything this process holds; one instance, guarded by lock."""

    def __init__(self) -> None:
        self.keys: Keys | None = None
        self.dev_auto = True  # may the dev key file unseal this process by itself? Never again after a seal.
        self.pending_shares: list[str] = []
        self.pending_since = 0.0
        self.watcher: threading.Thread | None = None


lock = threading.RLock()
held = Holder()


def is_sealed() -> bool:
    return held.keys is None


def wipe(value: bytearray) -> None:
    value[:] = bytes(len(value))


def hold(keys: Keys) -> None:
    """Hold these keys from now on (an unseal): the ones held before are wiped, waiting shares forgotten."""
    with lock:
        old, held.keys = held.keys, keys
        held.pending_shares = []
        if old is not None:
            for key in (*old.root.values(), *old.data.values(), *old.org.values()):
                wipe(key)


def drop(reason: str) -> None:
    """Forget every key this process holds (and the shares waiting), then tell the subscribers."""
    with lock:
        held.dev_auto = False
        held.pending_shares = []
        dropped, held.keys = held.keys, None
        if dropped is not None:
            for key in (*dropped.root.values(), *dropped.data.values(), *dropped.org.values()):
                wipe(key)
    hooks.KEYS_DROPPED.fire_robustly()  # e.g. the name index goes (refuge/wiring/subscribers.py)
    if dropped is not None:
        logger.warning("vault: sealed in this process, %d (%s)", os.getpid(), reason)


def pending_share_count() -> int:
    with lock:
        if held.pending_shares and time.monotonic() - held.pending_since > PENDING_SHARES_SECONDS:
            return 0
        return len(held.pending_shares)


def status() -> dict[str, object]:
    state = held.keys
    if state is None:
        return {"sealed": True}
    return {
        "sealed": False,
        "source": state.source,
        "active_version": state.active_version,
        "held_versions": sorted(state.root),
    }


def forget_case(case_id: int) -> None:
    """Drop a case's data keys from memory (its CaseKey rows were deleted)."""
    state = held.keys
    if state is None:
        return
    with lock:
        for slot in [slot for slot in state.data if slot[0] == case_id]:
            wipe(state.data.pop(slot))
        state.newest.pop(case_id, None)


def forget_organisation(organisation_id: int) -> None:
    """Drop an organisation's data keys from memory (its OrganisationKey rows were deleted)."""
    state = held.keys
    if state is None:
        return
    with lock:
        for slot in [slot for slot in state.org if slot[0] == organisation_id]:
            wipe(state.org.pop(slot))
        state.org_newest.pop(organisation_id, None)


def index_keys(keys: Keys) -> dict[int, bytes]:
    """Blind index keys by root key version, derived (HKDF) from each root key held and kept."""
    with lock:
        for version, key in keys.root.items():
            if version not in keys.index:
                keys.index[version] = crypto.subkey(bytes(key), purpose="blind-index/v1")
        return dict(keys.index)
