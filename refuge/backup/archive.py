"""The backup file: a signed manifest in the clear, then an age-encrypted tar of the members.

    REFUGE-BACKUP/1\\n
    {manifest, one line of JSON, signed}\\n
    age payload (binary): a tar of database.sqlite3 or database.pgdump, and files/<stored name>…

The manifest holds no client data: the format, when it was made, the snapshot point (each audit
chain's last seq and hash, the rows of every table), the SHA-256 and size of every member of the
tar, the SHA-256 of the encrypted payload, the age recipients, and an Ed25519 signature over all
of that (the audit checkpoints' key, refuge/audit/checkpoint.py, unless another is given). So
`refuge restore --check` can tell, without any private key, that the file is whole and was made
by this deployment; with the age identity it checks every member's hash as well.

The payload is encrypted with age (pyrage) to public keys only: the worker makes backups without
the vault's key or the backup's private key. Stored files are already vault-encrypted inside it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.utils.translation import gettext

from refuge.audit import checkpoint
from refuge.backup.snapshot import BackupError

MAGIC = b"REFUGE-BACKUP/1\n"
FORMAT = "refuge.backup/1"
MAX_HEADER = 64 * 1024 * 1024  # a manifest line longer than this is not ours
READ = 1024 * 1024


@dataclass(frozen=True)
class Opened:
    """A backup file's manifest, verified or not, and where its payload starts."""

    manifest: dict[str, Any]
    payload_offset: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(READ):
            digest.update(piece)
    return digest.hexdigest()


def signed_bytes(manifest: dict[str, Any]) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


@contextmanager
def private_directory(near: Path) -> Iterator[Path]:
    """A directory only the owner can read, removed afterwards (the tar inside is not age-encrypted)."""
    near.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".refuge-backup-", dir=near))
    try:
        os.chmod(path, 0o700)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --- Keys --------------------------------------------------------------------------------------------


def parse_recipients(values: list[str]) -> list[Any]:
    if not values:
        raise BackupError(gettext("no recipient: give --recipient age1… (or set REFUGE_BACKUP_RECIPIENTS)"))
    parsed = []
    for value in values:
        try:
            parsed.append(pyrage.x25519.Recipient.from_str(value.strip()))
        except pyrage.RecipientError:
            raise BackupError(
                gettext("%(start)s… is not an age X25519 public key (age1…)") % {"start": value.strip()[:12]}
            ) from None
    return parsed


def read_recipients_file(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(
            gettext("cannot read the recipients file %(path)s: %(reason)s") % {"path": path, "reason": exc}
        ) from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def read_identities(path: Path) -> list[Any]:
    """An age identity file (age-keygen's output: AGE-SECRET-KEY-1… lines, # comments)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(
            gettext("cannot read the identity file %(path)s: %(reason)s") % {"path": path, "reason": exc}
        ) from None
    identities = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(pyrage.x25519.Identity.from_str(line))
        except pyrage.IdentityError:
            raise BackupError(
                gettext("%(path)s holds a line that is not an age secret key (AGE-SECRET-KEY-1…)") % {"path": path}
            ) from None
    if not identities:
        raise BackupError(gettext("%(path)s holds no age secret key (AGE-SECRET-KEY-1…)") % {"path": path})
    return identities


def signing_key(path: Path | None) -> Ed25519PrivateKey:
    """The key that signs backups: a given PEM file, else the audit checkpoints' key."""
    try:
        if path is None:
            return checkpoint.signing_key()
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise BackupError(
            gettext("cannot read the signing key %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
        ) from None
    except (ValueError, TypeError):
        raise BackupError(gettext("%(path)s is not a PEM private key") % {"path": path}) from None
    except checkpoint.CheckpointError as exc:
        raise BackupError(gettext("no key to sign the backup with: %(reason)s") % {"reason": exc}) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BackupError(gettext("%(path)s is not an Ed25519 key") % {"path": path})
    return key


def public_key(path: Path | None) -> Ed25519PublicKey:
    """The key a backup's signature must verify with: a given file, else this deployment's own."""
    try:
        if path is not None:
            return checkpoint.load_public_key(path)
        own = checkpoint.public_key_path(checkpoint.default_key_path())
        if own.exists():
            return checkpoint.load_public_key(own)
        return checkpoint.signing_key().public_key()
    except checkpoint.CheckpointError as exc:
        raise BackupError(
            gettext(
                "no public key to verify the backup's signature: %(reason)s; give --public-key FILE "
                "(the audit-signing.pub kept with the backups' paperwork)"
            )
            % {"reason": exc}
        ) from None


# --- Writing -----------------------------------------------------------------------------------------


def write(
    *,
    output: Path,
    manifest: dict[str, Any],
    members: dict[str, Path],
    recipients: list[str],
    key: Ed25519PrivateKey,
    work: Path,
) -> dict[str, Any]:
    """Tar the members, encrypt the tar to the recipients, sign the manifest, write `output` atomically."""
    parsed = parse_recipients(recipients)
    listed: dict[str, dict[str, Any]] = {}
    plain = work / "payload.tar"
    with tarfile.open(plain, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in sorted(members.items()):
            listed[name] = {"sha256": sha256_file(path), "size": path.stat().st_size}
            info = tar.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o600
            with path.open("rb") as handle:
                tar.addfile(info, handle)
    encrypted = work / "payload.age"
    with plain.open("rb") as source, encrypted.open("wb") as target:
        pyrage.encrypt_io(source, target, parsed)
    plain.unlink()
    manifest = {
        **manifest,
        "format": FORMAT,
        "members": listed,
        "recipients": [r.strip() for r in recipients],
        "payload": {"sha256": sha256_file(encrypted), "size": encrypted.stat().st_size},
        "key_id": checkpoint.key_id(key.public_key()),
    }
    manifest["signature"] = base64.b64encode(key.sign(signed_bytes(manifest))).decode()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, encrypted.open("rb") as payload:
        out.write(MAGIC)
        out.write(json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode() + b"\n")
        shutil.copyfileobj(payload, out, READ)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, output)
    return manifest


# --- Reading -----------------------------------------------------------------------------------------


def open_backup(path: Path) -> Opened:
    """Parse the manifest line (no check yet)."""
    try:
        with path.open("rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                raise BackupError(
                    gettext("%(path)s is not a Refuge backup (it does not start with %(magic)s)")
                    % {"path": path, "magic": MAGIC.decode().strip()}
                )
            line = handle.readline(MAX_HEADER)
            offset = handle.tell()
    except OSError as exc:
        raise BackupError(
            gettext("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
        ) from None
    try:
        manifest = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BackupError(gettext("%(path)s: the manifest is damaged (not JSON)") % {"path": path}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(gettext("%(path)s: not a %(format)s manifest") % {"path": path, "format": FORMAT})
    return Opened(manifest=manifest, payload_offset=offset)


def _payload(path: Path, offset: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(offset)
        while piece := handle.read(READ):
            yield piece


def verify(path: Path, public: Ed25519PublicKey) -> Opened:
    """The manifest's signature and the encrypted payload's hash and size; BackupError on any mismatch."""
    opened = open_backup(path)
    manifest = opened.manifest
    try:
        signature = base64.b64decode(str(manifest.get("signature", "")), validate=True)
        public.verify(signature, signed_bytes(manifest))
    except (binascii.Error, ValueError, InvalidSignature):
        raise BackupError(
            gettext(
                "%(path)s: the manifest's signature does not verify with this public key "
                "(altered, or signed by another key)"
            )
            % {"path": path}
        ) from None
    digest, size = hashlib.sha256(), 0
    for piece in _payload(path, opened.payload_offset):
        digest.update(piece)
        size += len(piece)
    payload = manifest.get("payload") or {}
    if digest.hexdigest() != payload.get("sha256") or size != payload.get("size"):
        raise BackupError(
            gettext("%(path)s: the encrypted payload does not match its manifest (altered or truncated)")
            % {"path": path}
        )
    return opened


def _safe_name(name: str, members: dict[str, Any]) -> bool:
    pure = PurePosixPath(name)
    return name in members and not pure.is_absolute() and ".." not in pure.parts and name == str(pure)


def decrypt(path: Path, opened: Opened, identities: list[Any], into: Path) -> dict[str, Path]:
    """Decrypt the payload and unpack every member into `into`, each checked against the manifest's hash."""
    members: dict[str, Any] = opened.manifest.get("members") or {}
    plain = into / "payload.tar"
    try:
        with path.open("rb") as source, plain.open("wb") as target:
            source.seek(opened.payload_offset)
            pyrage.decrypt_io(source, target, identities)
    except pyrage.DecryptError as exc:
        raise BackupError(
            gettext("%(path)s: cannot decrypt the payload with this identity (%(reason)s)")
            % {"path": path, "reason": exc}
        ) from None
    unpacked: dict[str, Path] = {}
    root = into / "members"
    with tarfile.open(plain, "r") as tar:
        for info in tar:
            if not info.isfile() or not _safe_name(info.name, members) or info.name in unpacked:
                raise BackupError(
                    gettext("%(path)s: the payload holds %(member)s, which its manifest does not list")
                    % {"path": path, "member": repr(info.name)}
                )
            target_path = root / info.name
            target_path.parent.mkdir(parents=True, exist_ok=True)
            source_file: IO[bytes] | None = tar.extractfile(info)
            assert source_file is not None  # noqa: S101  # a regular file, checked above
            digest = hashlib.sha256()
            with source_file, target_path.open("wb") as out:
                while piece := source_file.read(READ):
                    digest.update(piece)
                    out.write(piece)
            if digest.hexdigest() != members[info.name].get("sha256"):
                raise BackupError(
                    gettext("%(path)s: the member %(member)s does not match its hash in the manifest")
                    % {"path": path, "member": info.name}
                )
            unpacked[info.name] = target_path
    plain.unlink()
    missing = sorted(set(members) - set(unpacked))
    if missing:
        raise BackupError(
            gettext("%(path)s: the payload lacks %(count)s member(s) its manifest lists, e.g. %(member)s")
            % {"path": path, "count": len(missing), "member": missing[0]}
        )
    return unpacked
