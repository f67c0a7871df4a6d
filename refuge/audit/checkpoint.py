"""Signed checkpoints of the log: for each chain (first seq, last seq, head hash), and the time, signed with Ed25519.

A checkpoint sent to a witness outside the office (a partner organisation, a mailbox, a printed
page) lets anyone with the public key tell, later, whether the log still holds the history it
had then: `refuge audit verify --checkpoint FILE --public-key FILE`.

The signing key is an Ed25519 private key in PKCS#8 PEM: `refuge audit keygen` writes it to
REFUGE_DATA_DIR/audit-signing.key (mode 600); REFUGE_AUDIT_SIGNING_KEY(_FILE) overrides it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext

from refuge.audit import chain
from refuge.lib.keyfile import write_new_private_key

FORMAT = "refuge.audit.checkpoint/2"
KEY_FILE = "audit-signing.key"
PUBLIC_KEY_FILE = "audit-signing.pub"


class CheckpointError(Exception):
    """A checkpoint or key that cannot be used (unreadable, malformed, or a bad signature)."""


@dataclass(frozen=True)
class Mark:
    """What a checkpoint holds of one chain: it ran from `first` (always 1) to `last`, whose hash was `head`."""

    chain: int
    first: int
    last: int
    head: str

    def as_json(self) -> dict[str, Any]:
        return {"chain": self.chain, "first": self.first, "last": self.last, "head": self.head}


@dataclass(frozen=True)
class Checkpoint:
    chains: tuple[Mark, ...]
    at: str  # ISO 8601, UTC
    key_id: str = ""
    signature: str = ""

    @property
    def size(self) -> int:
        """Entries signed, over every chain."""
        return sum(m.last for m in self.chains)

    def signed_bytes(self) -> bytes:
        body = {"format": FORMAT, "chains": [m.as_json() for m in self.chains], "at": self.at}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> str:
        body = {
            "format": FORMAT,
            "chains": [m.as_json() for m in self.chains],
            "at": self.at,
            "key_id": self.key_id,
            "signature": self.signature,
        }
        return json.dumps(body, indent=2) + "\n"


# --- Keys -------------------------------------------------------------------------------------------


def default_key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


def public_key_text(public: Ed25519PublicKey) -> str:
    """The public key as one line of base64 (its 32 raw bytes): what the witness keeps."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate(path: Path, *, force: bool = False) -> Ed25519PrivateKey:
    """Write a new signing key to `path`, readable by its owner only; refuses to replace one."""
    key = Ed25519PrivateKey.generate()
    if force:
        path.unlink(missing_ok=True)
    write_new_private_key(
        path,
        key,
        error=CheckpointError,
        exists=gettext("%(path)s exists: a new key would orphan the checkpoints signed with it"),
    )
    public_key_path(path).write_text(public_key_text(key.public_key()) + "\n", encoding="utf-8")
    return key


def public_key_path(path: Path) -> Path:
    """Where keygen puts the public half of the key at `path`."""
    return path.with_name(PUBLIC_KEY_FILE if path.name == KEY_FILE else path.name + ".pub")


def _private_from_pem(pem: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(
            gettext("%(path)s is not a PEM private key: %(reason)s") % {"path": where, "reason": exc}
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(gettext("%(path)s is not an Ed25519 key") % {"path": where})
    return key


def signing_key() -> Ed25519PrivateKey:
    """REFUGE_AUDIT_SIGNING_KEY(_FILE) if set, else the key `refuge audit keygen` wrote."""
    configured = getattr(settings, "REFUGE_AUDIT_SIGNING_KEY", None)
    if configured:
        return _private_from_pem(str(configured).encode(), "REFUGE_AUDIT_SIGNING_KEY")
    path = default_key_path()
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise CheckpointError(
            gettext("no signing key at %(path)s: run `refuge audit keygen`") % {"path": path}
        ) from None
    except OSError as exc:
        raise CheckpointError(
            gettext("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
        ) from None
    return _private_from_pem(pem, str(path))


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key file: one line of base64 (as keygen prints it) or a PEM public key."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(
            gettext("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
        ) from None
    if text.lstrip().startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text)
        except ValueError as exc:
            raise CheckpointError(
                gettext("%(path)s is not a PEM public key: %(reason)s") % {"path": path, "reason": exc}
            ) from None
        if not isinstance(key, Ed25519PublicKey):
            raise CheckpointError(gettext("%(path)s is not an Ed25519 public key") % {"path": path})
        return key
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise CheckpointError(
            gettext("%(path)s is neither a base64 Ed25519 public key nor a PEM file") % {"path": path}
        ) from None


# --- Checkpoints ------------------------------------------------------------------------------------


def make(*, chains: list[Mark], at: datetime, key: Ed25519PrivateKey) -> Checkpoint:
    marks = tuple(sorted(chains, key=lambda m: m.chain))
    unsigned = Checkpoint(chains=marks, at=chain.canonical_time(at), key_id=key_id(key.public_key()))
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    return Checkpoint(chains=unsigned.chains, at=unsigned.at, key_id=unsigned.key_id, signature=signature)


def _whole(value: Any, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _mark(item: Any) -> Mark:
    if not isinstance(item, dict):
        raise CheckpointError(gettext("each chain must be an object"))
    number, first, last, head = item.get("chain"), item.get("first"), item.get("last"), item.get("head")
    if not _whole(number, 0) or not _whole(first, 1) or not _whole(last, 1) or int(str(last)) < int(str(first)):
        raise CheckpointError(gettext("a chain's number, first and last seq must be whole numbers, 1 <= first <= last"))
    if not isinstance(head, str) or len(head) != 64:
        raise CheckpointError(gettext("a chain's head must be a SHA-256 in hex"))
    return Mark(chain=int(str(number)), first=int(str(first)), last=int(str(last)), head=head)


def parse(text: str) -> Checkpoint:
    try:
        body: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CheckpointError(gettext("not JSON: %(reason)s") % {"reason": exc}) from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise CheckpointError(gettext("not a %(format)s document") % {"format": FORMAT})
    items, at = body.get("chains"), body.get("at")
    if not isinstance(items, list):
        raise CheckpointError(gettext("chains must be a list"))
    marks = tuple(_mark(item) for item in items)
    if len({m.chain for m in marks}) != len(marks):
        raise CheckpointError(gettext("a chain is named twice"))
    if not isinstance(at, str) or not isinstance(body.get("signature"), str):
        raise CheckpointError(gettext("at and signature must be strings"))
    return Checkpoint(chains=marks, at=at, key_id=str(body.get("key_id", "")), signature=body["signature"])


def read(path: Path) -> Checkpoint:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(gettext("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc}) from None
    try:
        return parse(text)
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None


def check_signature(checkpoint: Checkpoint, public: Ed25519PublicKey) -> None:
    """Raise CheckpointError unless the checkpoint was signed by this key."""
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
        public.verify(signature, checkpoint.signed_bytes())
    except (binascii.Error, ValueError, InvalidSignature):
        raise CheckpointError(
            "the checkpoint's signature does not verify with this public key (forged, altered, or another key)"
        ) from None
