"""A network of organisations merging exact aggregates without sharing a case.

An organisation's export holds its exact counts per table row, quarter, nationality and host
state — no identity, no case reference, no event — signed with the organisation's Ed25519 key
(the audit checkpoints' key, refuge.audit.checkpoint) and encrypted to the network coordinator's
X25519 public key, so nobody else can read the small cells:

    shared = X25519(ephemeral private, coordinator public)
    key    = HKDF-SHA256(shared, info = FORMAT | ephemeral public | coordinator public)   (32 bytes)
    file   = {format, recipient, ephemeral, nonce, ciphertext = AES-256-GCM(key, nonce, signed body,
              associated data = the header's canonical JSON)}

The scheme is ECIES as `age` builds its X25519 recipients, with `cryptography` (already Refuge's
one cryptography library) instead of a second one: pyrage would add a Rust-built dependency for
the same primitives. GCM's tag refuses any change of the ciphertext or header; the signature
inside refuses a body not made by a trusted organisation's key, and names the signer by the
coordinator's own label for that key (never what the file claims). The coordinator merges the
exact counts and applies disclosure control before anything is shown or written.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils.translation import gettext

from refuge.lib.keyfile import write_new_private_key
from refuge.stats.tables import TABLE_IDS, Aggregate

FORMAT = "refuge.stats.network/1"
BODY_FORMAT = "refuge.stats.aggregate/1"


class NetworkError(Exception):
    """An export that cannot be used: unreadable, not for this coordinator, altered, or unsigned."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raise NetworkError(gettext("%(what)s is not base64") % {"what": what}) from None


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _raw(public: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _derive(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    info = FORMAT.encode() + b"|" + ephemeral + recipient
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


# -- the coordinator's key ------------------------------------------------------------------------


def coordinator_keygen(path: Path) -> X25519PublicKey:
    """Write a new X25519 private key (PEM, mode 600) and its public half (base64) beside it."""
    key = X25519PrivateKey.generate()
    write_new_private_key(
        path,
        key,
        error=NetworkError,
        exists=gettext("%(path)s exists: a new key would make the exports sent to the old one unreadable"),
    )
    Path(f"{path}.pub").write_text(_b64(_raw(key.public_key())) + "\n", encoding="utf-8")
    return key.public_key()


def load_coordinator_private(path: Path) -> X25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise NetworkError(
            gettext("%(path)s is not a readable PEM private key: %(reason)s") % {"path": path, "reason": exc}
        ) from None
    if not isinstance(key, X25519PrivateKey):
        raise NetworkError(gettext("%(path)s is not an X25519 key") % {"path": path})
    return key


def load_coordinator_public(text: str) -> X25519PublicKey:
    try:
        return X25519PublicKey.from_public_bytes(_unb64(text.strip(), gettext("the coordinator's key")))
    except ValueError:
        raise NetworkError(gettext("the coordinator's key is not a base64 X25519 public key")) from None


def load_signers(path: Path) -> dict[bytes, str]:
    """The organisations the coordinator trusts: one `BASE64-ED25519-KEY label…` per line."""
    signers: dict[bytes, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise NetworkError(
            gettext("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
        ) from None
    for n, text in enumerate(lines, 1):
        line = text.strip()
        if not line or line.startswith("#"):
            continue
        key, _, label = line.partition(" ")
        raw = _unb64(key, f"{path}:{n}")
        try:
            Ed25519PublicKey.from_public_bytes(raw)
        except ValueError:
            raise NetworkError(gettext("%(place)s is not an Ed25519 public key") % {"place": f"{path}:{n}"}) from None
        signers[raw] = label.strip() or key[:12]
    return signers


# -- export ----------------------------------------------------------------------------------------


Counted = tuple[str, str, int, int, str, str, int]  # (table, row, year, quarter, nationality, host state, n)


def seal_export(
    *,
    counts: Iterable[Counted],
    first_year: int,
    last_year: int,
    signing: Ed25519PrivateKey,
    recipient: X25519PublicKey,
) -> str:
    """The signed, encrypted export file's text."""
    recipient_raw = _raw(recipient)
    body = {
        "format": BODY_FORMAT,
        "recipient": _b64(recipient_raw),
        "period": {"from": first_year, "to": last_year},
        "made_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "counts": [list(c) for c in counts],
    }
    signed = {
        "body": body,
        "signer": _b64(_raw(signing.public_key())),
        "signature": _b64(signing.sign(_canonical(body))),
    }
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = _raw(ephemeral.public_key())
    key = _derive(ephemeral.exchange(recipient), ephemeral_raw, recipient_raw)
    header = {"format": FORMAT, "recipient": _b64(recipient_raw), "ephemeral": _b64(ephemeral_raw)}
    nonce = os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, _canonical(signed), _canonical(header))
    return json.dumps({**header, "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}, indent=1) + "\n"


# -- merge -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    organisation: str  # the coordinator's label for the signer's key
    first_year: int
    last_year: int
    counts: list[Counted]


def open_export(text: str, *, key: X25519PrivateKey, signers: dict[bytes, str]) -> Opened:
    """Decrypt and verify one export; raise NetworkError for anything altered, foreign or unsigned."""
    try:
        outer = json.loads(text)
    except json.JSONDecodeError:
        raise NetworkError(gettext("not JSON")) from None
    if not isinstance(outer, dict) or outer.get("format") != FORMAT:
        raise NetworkError(gettext("not a %(format)s file") % {"format": FORMAT})
    recipient_raw = _raw(key.public_key())
    if _unb64(outer.get("recipient"), "recipient") != recipient_raw:
        raise NetworkError(gettext("encrypted to another coordinator's key"))
    ephemeral_raw = _unb64(outer.get("ephemeral"), "ephemeral")
    try:
        ephemeral = X25519PublicKey.from_public_bytes(ephemeral_raw)
    except ValueError:
        raise NetworkError(gettext("the ephemeral key is malformed")) from None
    header = {"format": FORMAT, "recipient": outer["recipient"], "ephemeral": outer["ephemeral"]}
    secret = _derive(key.exchange(ephemeral), ephemeral_raw, recipient_raw)
    try:
        plain = AESGCM(secret).decrypt(
            _unb64(outer.get("nonce"), "nonce"), _unb64(outer.get("ciphertext"), "ciphertext"), _canonical(header)
        )
    except (InvalidTag, ValueError):
        raise NetworkError(gettext("the file was altered (authentication failed)")) from None
    signed = json.loads(plain)
    signer = _unb64(signed.get("signer"), "signer")
    label = signers.get(signer)
    if label is None:
        raise NetworkError(gettext("signed by a key the coordinator does not trust"))
    body = signed.get("body")
    try:
        Ed25519PublicKey.from_public_bytes(signer).verify(
            _unb64(signed.get("signature"), "signature"), _canonical(body)
        )
    except InvalidSignature:
        raise NetworkError(gettext("the signature does not verify (altered or forged)")) from None
    if not isinstance(body, dict) or body.get("format") != BODY_FORMAT or body.get("recipient") != outer["recipient"]:
        raise NetworkError(gettext("the signed body is not an aggregate for this coordinator"))
    counts = []
    for item in body.get("counts", []):
        table, row, year, quarter, nationality, host, n = item
        if table not in TABLE_IDS or not all(isinstance(v, int) for v in (year, quarter, n)):
            raise NetworkError(gettext("a count is malformed"))
        counts.append((str(table), str(row), year, quarter, str(nationality), str(host), n))
    period = body.get("period", {})
    return Opened(label, int(period.get("from", 0)), int(period.get("to", 0)), counts)


def merged_aggregates(opened: Iterable[Opened]) -> dict[str, list[Aggregate]]:
    """Per table, every organisation's exact counts, each with its organisation as a dimension."""
    per_table: dict[str, list[Aggregate]] = {t: [] for t in TABLE_IDS}
    for o in opened:
        for table, row, year, quarter, nationality, host, n in o.counts:
            dims = (("nationality", nationality), ("host_state", host), ("organisation", o.organisation))
            per_table[table].append((row, year, quarter, dims, n))
    return per_table
