"""Where a root key comes from: a development key file, k-of-n SLIP-39 shares, or a passphrase.

Only public metadata is stored (in the RootKey table, see models.py for why not a file): the
source, a verifier, the SLIP-39 threshold and identifier, or the scrypt salt and cost. A root
key made from shares or a passphrase never touches the disk; the development key file does,
which is why the server names it loudly as insecure.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shamir_mnemonic
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from zxcvbn import zxcvbn

from refuge.audit import actions as audit
from refuge.audit.events import EventType
from refuge.vault import crypto
from refuge.vault.records import CaseKey, OrganisationKey, RootKey, RootKeySource, RootKeyStatus

DEV_KEY_NAME = "vault-dev.key"
# scrypt cost: 2**17 x 8 x 128 B = 128 MiB and one to three seconds per guess on a server core.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_MIN_N = 2**14
MIN_PASSPHRASE_CHARS = 16
# zxcvbn's estimate of the guesses needed: 10^14, with scrypt in the way, is years of a GPU farm.
MIN_PASSPHRASE_GUESSES_LOG10 = 14
MAX_SHARES = 16
# The root key is random (256 bits): SLIP-39's own passphrase stretching adds nothing, keep it cheap.
SLIP39_ITERATION_EXPONENT = 0


class VaultNotInitialised(Exception):  # noqa: N818  # a state, like VaultSealed
    pass


class SourceError(ValueError):
    """Bad input for a key source: malformed shares, a short passphrase, impossible k-of-n."""


@dataclass
class NewRootKey:
    """A freshly made root key and what the operators must be shown once (mnemonics)."""

    source: str
    key: bytes
    params: dict[str, Any]
    mnemonics: list[str] = field(default_factory=list)


# --- Development key file -------------------------------------------------------------------------


def dev_key_path() -> Path:
    return Path(settings.DATA_DIR) / DEV_KEY_NAME


def _next_path(path: Path) -> Path:
    return path.with_name(path.name + ".next")


def write_dev_key(key: bytes, *, version: int, next_version: bool = False) -> Path:
    """Write the (insecure) development key file atomically, readable by its owner only."""
    path = dev_key_path()
    if next_version:
        path = _next_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    body = {
        "warning": "INSECURE development root key of the Refuge vault. Never use it with real client data.",
        "version": version,
        "key": key.hex(),
    }
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(body, handle)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    return path


def promote_next_dev_key() -> None:
    """After a rotation to a dev key: the `.next` file becomes the key file."""
    path = dev_key_path()
    nxt = _next_path(path)
    if nxt.exists():
        nxt.replace(path)


def remove_dev_keys() -> None:
    for path in (dev_key_path(), _next_path(dev_key_path())):
        path.unlink(missing_ok=True)


def read_dev_keys() -> list[bytes]:
    """Candidate development keys: the key file, then a `.next` left by an interrupted rotation."""
    keys = []
    for path in (dev_key_path(), _next_path(dev_key_path())):
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            key = bytes.fromhex(body["key"])
        except FileNotFoundError:
            continue
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceError(gettext("%(path)s is not a vault development key file") % {"path": path}) from exc
        if len(key) == crypto.KEY_BYTES:
            keys.append(key)
    return keys


def dev_key_exists() -> bool:
    return dev_key_path().exists()


# --- SLIP-39 shares -------------------------------------------------------------------------------


def check_shares_spec(*, shares: int, threshold: int) -> None:
    if not 1 <= threshold <= shares <= MAX_SHARES:
        raise SourceError(
            gettext("need 1 <= threshold <= shares <= %(most)s; got %(threshold)s of %(shares)s")
            % {"most": MAX_SHARES, "threshold": threshold, "shares": shares}
        )
    if threshold == 1 and shares > 1:
        raise SourceError(
            gettext("a threshold of 1 with several shares would make each share the whole key; use 1 of 1")
        )


def split_into_shares(key: bytes, *, shares: int, threshold: int) -> tuple[list[str], int]:
    """N SLIP-39 mnemonics, any `threshold` of which rebuild the key; and their public identifier."""
    check_shares_spec(shares=shares, threshold=threshold)
    groups = shamir_mnemonic.generate_mnemonics(
        group_threshold=1,
        groups=[(threshold, shares)],
        master_secret=key,
        iteration_exponent=SLIP39_ITERATION_EXPONENT,
    )
    mnemonics = list(groups[0])
    identifier = shamir_mnemonic.Share.from_mnemonic(mnemonics[0]).identifier
    return mnemonics, int(identifier)


def normalise_mnemonic(text: str) -> str:
    return " ".join(text.lower().split())


def share_identifier(mnemonic: str) -> tuple[int, int, int]:
    """(identifier, member index, member threshold) of one share; raises SourceError if malformed."""
    try:
        share = shamir_mnemonic.Share.from_mnemonic(normalise_mnemonic(mnemonic))
    except shamir_mnemonic.MnemonicError as exc:
        raise SourceError(gettext("not a valid share: %(reason)s") % {"reason": exc}) from None
    return int(share.identifier), int(share.index), int(share.member_threshold)


def root_key_from_shares(mnemonics: list[str]) -> bytes:
    """Combine exactly `threshold` distinct shares; raises SourceError when they do not make a key."""
    distinct = list(dict.fromkeys(normalise_mnemonic(m) for m in mnemonics if m.strip()))
    try:
        key = shamir_mnemonic.combine_mnemonics(distinct)
    except shamir_mnemonic.MnemonicError as exc:
        raise SourceError(gettext("the shares do not combine: %(reason)s") % {"reason": exc}) from None
    if len(key) != crypto.KEY_BYTES:
        raise SourceError(gettext("the shares combine into something that is not a vault root key"))
    return bytes(key)


# --- Passphrase -----------------------------------------------------------------------------------


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase that is short or that zxcvbn expects to fall within MIN_PASSPHRASE_GUESSES_LOG10.

    Length alone lets `aaaaaaaaaaaaaaaa` through; zxcvbn scores repeats, sequences, keyboard
    patterns, dictionary words and dates, as an attacker's guessing order would try them.
    """
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise SourceError(
            gettext("a vault passphrase needs at least %(count)s characters") % {"count": MIN_PASSPHRASE_CHARS}
        )
    verdict = zxcvbn(passphrase[:100])  # its cost grows with the length; 100 characters tell enough
    if verdict["guesses_log10"] < MIN_PASSPHRASE_GUESSES_LOG10:
        # zxcvbn's own advice is English only: say why in our words, from the patterns it found.
        reasons = _weak_reasons(verdict.get("sequence") or [])
        raise SourceError(
            gettext(
                "this passphrase is too easy to guess: %(reasons)s. Use five or more uncommon words, "
                "chosen at random, that have nothing to do with you or the organisation."
            )
            % {"reasons": "; ".join(reasons) if reasons else gettext("it is too predictable")}
        )


def _weak_reasons(matches: list[dict[str, Any]]) -> list[str]:
    """Why zxcvbn finds a passphrase easy, in the operator's language, once per kind of pattern."""
    reasons: list[str] = []
    for match in matches:
        pattern = match.get("pattern")
        if pattern == "dictionary":
            reason = (
                gettext("it is, or holds, a commonly used password")
                if match.get("dictionary_name") == "passwords"
                else gettext("it is made of common words or names")
            )
        elif pattern == "spatial":
            reason = gettext("it follows a row or a pattern of keys on the keyboard")
        elif pattern == "repeat":
            reason = gettext("it repeats characters or words")
        elif pattern == "sequence":
            reason = gettext('it holds a sequence such as "abc" or "6543"')
        elif pattern in {"date", "regex"}:
            reason = gettext("it holds a year or a date")
        else:
            continue
        if reason not in reasons:
            reasons.append(reason)
    return reasons


def passphrase_params(*, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> dict[str, Any]:
    if n < SCRYPT_MIN_N or n & (n - 1):
        raise SourceError(gettext("scrypt n must be a power of two of at least %(least)s") % {"least": SCRYPT_MIN_N})
    return {"kdf": "scrypt", "salt": secrets.token_hex(16), "n": n, "r": r, "p": p}


def root_key_from_passphrase(passphrase: str, params: dict[str, Any]) -> bytes:
    if params.get("kdf") != "scrypt":
        raise SourceError(gettext("unknown passphrase KDF %(kdf)s") % {"kdf": repr(params.get("kdf"))})
    return crypto.passphrase_key(
        passphrase, salt=bytes.fromhex(params["salt"]), n=int(params["n"]), r=int(params["r"]), p=int(params["p"])
    )


# --- Making root keys -----------------------------------------------------------------------------


def new_root_key(
    *,
    source: str,
    shares: int | None = None,
    threshold: int | None = None,
    passphrase: str | None = None,
    scrypt_n: int = SCRYPT_N,
) -> NewRootKey:
    if source == RootKeySource.DEV:
        return NewRootKey(source=source, key=crypto.random_key(), params={})
    if source == RootKeySource.SHARES:
        if shares is None or threshold is None:
            raise SourceError(gettext("--shares N needs --threshold K"))
        key = crypto.random_key()
        mnemonics, identifier = split_into_shares(key, shares=shares, threshold=threshold)
        params = {"shares": shares, "threshold": threshold, "identifier": identifier}
        return NewRootKey(source=source, key=key, params=params, mnemonics=mnemonics)
    if source == RootKeySource.PASSPHRASE:
        if passphrase is None:
            raise SourceError(gettext("a passphrase is needed"))
        check_passphrase(passphrase)
        params = passphrase_params(n=scrypt_n)
        return NewRootKey(source=source, key=root_key_from_passphrase(passphrase, params), params=params)
    raise SourceError(gettext("unknown root key source %(source)s") % {"source": repr(source)})


def active_root_key() -> RootKey:
    row: RootKey | None = RootKey.objects.filter(status=RootKeyStatus.ACTIVE).first()
    if row is None:
        raise VaultNotInitialised(gettext("the vault has no root key yet: run `refuge vault init`"))
    return row


def pending_root_key() -> RootKey | None:
    row: RootKey | None = RootKey.objects.filter(status=RootKeyStatus.PENDING).first()
    return row


@transaction.atomic
def init_vault(new: NewRootKey) -> RootKey:
    """Record version 1 of the root key (metadata only). Refuses a vault that already has one.

    The one exception: shares that were never shown to anyone (the command died before printing
    them) guard no data yet, so a new init may replace them.
    """
    existing = RootKey.objects.all()
    if existing.exists():
        if existing.filter(announced=True).exists() or CaseKey.objects.exists() or OrganisationKey.objects.exists():
            raise SourceError(gettext("the vault is already initialised; `refuge vault rotate` changes its root key"))
        existing.delete()
    row: RootKey = RootKey.objects.create(
        version=1,
        source=new.source,
        status=RootKeyStatus.ACTIVE,
        verifier=crypto.verifier(new.key),
        params=new.params,
        announced=new.source != RootKeySource.SHARES,
        activated_at=timezone.now(),
    )
    if new.source == RootKeySource.DEV:
        write_dev_key(new.key, version=1)
    audit.record(type=EventType.VAULT_INITIALISED, actor=None, target=("vault", ""), data={"source": new.source})
    return row
