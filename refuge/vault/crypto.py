"""The vault's cryptography, all of it built from `cryptography`'s primitives (STYLE.md §15).

- AEAD: AES-256-GCM with a random 96-bit nonce per message; the associated data names the place
  the ciphertext belongs to, so a ciphertext moved to another row, field or key version fails.
- Key wrapping: a data key is an AEAD message under the root key, bound to its owner and version.
  Owners are cases (a case's identity, free text and files) and organisations (what an NGO
  writes about institutions in its authority directory: notes that can name the clients it
  defends there). An organisation key is the case key's twin rather than an HKDF subkey of the
  root key: a root key rotation then re-wraps 32 bytes instead of re-encrypting every note, and
  deleting the organisation deletes its key row (cascade), which shreds its ciphertexts as
  deleting a case does. Both kinds are wrapped under the same root key, so sealing drops both.
- Subkeys: HKDF-SHA256 from the root key, one `purpose` label per use (verifier, blind index).
- Blind index: HMAC-SHA256 over a normalised identifier, keyed by an HKDF subkey.
- Streams: files are cut into chunks, each sealed under a per-file key with a nonce made of the
  chunk's index and a last-chunk flag, so chunks cannot be reordered, dropped or truncated
  (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár).

Nothing here touches Django, the database or the disk.
"""

from __future__ import annotations

import hmac
import os
import re
import struct
import unicodedata
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
FORMAT_V1 = b"\x01"
# Header of a field ciphertext: format byte, then the data key version (unsigned 32-bit, big-endian).
_FIELD_HEADER = struct.Struct(">cI")
STREAM_MAGIC = b"RFGV"  # Refuge vault stream, format 1
STREAM_CHUNK = 64 * 1024
_STREAM_HEADER = struct.Struct(">4sIH")  # magic, data key version, length of the wrapped file key


class DecryptionError(Exception):
    """A ciphertext failed to authenticate: wrong key, wrong place, or tampered. Never a fallback."""


def random_key() -> bytes:
    return os.urandom(KEY_BYTES)


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError(f"a vault key is {KEY_BYTES} bytes, not {len(key)}")


def seal(key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    """nonce || AES-256-GCM(key, nonce, plaintext, aad)."""
    _check_key(key)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, blob: bytes, *, aad: bytes) -> bytes:
    _check_key(key)
    return _open(AESGCM(key), blob, aad)


def _open(aead: AESGCM, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext too short")
    try:
        return aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise DecryptionError("ciphertext does not authenticate") from None


def field_aad(label: str, code: str, key_version: int) -> bytes:
    """`app_label.model.field:code:key_version`, the place a field ciphertext belongs to."""
    return f"{label}:{code}:{key_version}".encode()


def encrypt_field(key: bytes, plaintext: bytes, *, label: str, code: str, key_version: int) -> bytes:
    """A field ciphertext: format byte, key version, then the sealed value."""
    header = _FIELD_HEADER.pack(FORMAT_V1, key_version)
    return header + seal(key, plaintext, aad=field_aad(label, code, key_version))


class FieldSealer:
    """`encrypt_field` for many values under one key: the cipher made once, not once per value.

    Held only as long as its caller's loop (a batch of one case's fields); it keeps the key no
    longer than the data key holder does.
    """

    __slots__ = ("_aead", "_header", "_version")

    def __init__(self, key: bytes, key_version: int) -> None:
        _check_key(key)
        self._aead = AESGCM(key)
        self._version = key_version
        self._header = _FIELD_HEADER.pack(FORMAT_V1, key_version)

    def __call__(self, plaintext: bytes, *, label: str, code: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = field_aad(label, code, self._version)
        return self._header + nonce + self._aead.encrypt(nonce, plaintext, aad)


def field_key_version(blob: bytes) -> int:
    """The data key version a field ciphertext was made with (read before its key is fetched)."""
    if len(blob) < _FIELD_HEADER.size:
        raise DecryptionError("ciphertext too short")
    fmt, version = _FIELD_HEADER.unpack_from(blob)
    if fmt != FORMAT_V1:
        raise DecryptionError("unknown ciphertext format")
    return int(version)


def decrypt_field(key: bytes, blob: bytes, *, label: str, code: str) -> bytes:
    version = field_key_version(blob)
    return open_sealed(key, blob[_FIELD_HEADER.size :], aad=field_aad(label, code, version))


class FieldOpener:
    """`decrypt_field` for many values under one key: the cipher made once, not once per value
    (FieldSealer's counterpart). Held only as long as its caller's loop (one page's rows of a case)."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        _check_key(key)
        self._aead = AESGCM(key)

    def __call__(self, blob: bytes, *, label: str, code: str) -> bytes:
        version = field_key_version(blob)
        return _open(self._aead, blob[_FIELD_HEADER.size :], field_aad(label, code, version))


def wrap_key(root_key: bytes, data_key: bytes, *, aad: bytes) -> bytes:
    _check_key(data_key)
    return seal(root_key, data_key, aad=aad)


def unwrap_key(root_key: bytes, wrapped: bytes, *, aad: bytes) -> bytes:
    key = open_sealed(root_key, wrapped, aad=aad)
    _check_key(key)
    return key


def case_key_aad(case_code: str, version: int, root_version: int) -> bytes:
    return f"vault.casekey:{case_code}:{version}:{root_version}".encode()


def organisation_key_aad(organisation_code: str, version: int, root_version: int) -> bytes:
    return f"vault.organisationkey:{organisation_code}:{version}:{root_version}".encode()


def root_key_aad(new_version: int, under_version: int) -> bytes:
    return f"vault.rootkey:{new_version}:under:{under_version}".encode()


def subkey(root_key: bytes, *, purpose: str) -> bytes:
    """A 256-bit key for one purpose, derived from the root key by HKDF-SHA256."""
    _check_key(root_key)
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=f"refuge/vault/{purpose}".encode()).derive(
        root_key
    )


def verifier(root_key: bytes) -> bytes:
    """What the database keeps to recognise the right root key; reveals nothing more than a wrapped key does."""
    return subkey(root_key, purpose="verifier/v1")


def check_verifier(root_key: bytes, expected: bytes) -> bool:
    return hmac.compare_digest(verifier(root_key), expected)


def passphrase_key(passphrase: str, *, salt: bytes, n: int, r: int, p: int) -> bytes:
    """A root key from a passphrase: scrypt (memory-hard), parameters kept beside the salt."""
    normalised = unicodedata.normalize("NFKC", passphrase).encode()
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(normalised)


_IDENTIFIER_NOISE = re.compile(r"[\s\-‐-―./_№#]+")


def normalise_identifier(value: str) -> str:
    """Document numbers as people type them: `ab 12-34.56` and `AB123456` are the same number."""
    return _IDENTIFIER_NOISE.sub("", unicodedata.normalize("NFKC", value)).upper()


def blind_index(index_key: bytes, value: str, *, scope: str) -> bytes:
    """HMAC-SHA256(index_key, scope NUL normalised value): equal identifiers match, nothing else shows."""
    _check_key(index_key)
    message = scope.encode() + b"\x00" + normalise_identifier(value).encode()
    return hmac.digest(index_key, message, "sha256")


# --- Streams (files) ---------------------------------------------------------------------------


def _chunk_nonce(index: int, *, last: bool) -> bytes:
    return struct.pack(">QB3x", index, 1 if last else 0)


class StreamEncryptor:
    """Encrypts a file chunk by chunk under a fresh per-file key; the caller wraps that key later.

    Feed bytes with `update` (any sizes), then call `finish` once. Each output piece is a
    whole sealed chunk of STREAM_CHUNK plaintext bytes (the last may be shorter, even empty).
    """

    def __init__(self, file_key: bytes | None = None) -> None:
        self.file_key = file_key if file_key is not None else random_key()
        _check_key(self.file_key)
        self._aead = AESGCM(self.file_key)
        self._buffer = bytearray()
        self._index = 0
        self._finished = False

    def _seal(self, chunk: bytes, *, last: bool) -> bytes:
        sealed = self._aead.encrypt(_chunk_nonce(self._index, last=last), chunk, None)
        self._index += 1
        return sealed

    def update(self, data: bytes) -> Iterator[bytes]:
        if self._finished:
            raise ValueError("stream already finished")
        self._buffer += data
        # Keep at least one byte back, so the last chunk is always sealed by finish().
        while len(self._buffer) > STREAM_CHUNK:
            chunk = bytes(self._buffer[:STREAM_CHUNK])
            del self._buffer[:STREAM_CHUNK]
            yield self._seal(chunk, last=False)

    def finish(self) -> bytes:
        if self._finished:
            raise ValueError("stream already finished")
        self._finished = True
        out = self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        return out


def stream_header(*, key_version: int, wrapped_file_key: bytes) -> bytes:
    return _STREAM_HEADER.pack(STREAM_MAGIC, key_version, len(wrapped_file_key)) + wrapped_file_key


def file_key_aad(label: str, code: str, key_version: int) -> bytes:
    return b"file:" + field_aad(label, code, key_version)


def read_stream_header(head: bytes) -> tuple[int, bytes, int]:
    """(data key version, wrapped file key, header length) from the first bytes of a stored file."""
    if len(head) < _STREAM_HEADER.size:
        raise DecryptionError("not a vault file")
    magic, version, wrapped_len = _STREAM_HEADER.unpack_from(head)
    if magic != STREAM_MAGIC:
        raise DecryptionError("not a vault file")
    end = _STREAM_HEADER.size + wrapped_len
    if len(head) < end:
        raise DecryptionError("vault file header truncated")
    return int(version), head[_STREAM_HEADER.size : end], end


STREAM_HEADER_MAX = _STREAM_HEADER.size + 128


def is_vault_stream(head: bytes) -> bool:
    return head[: len(STREAM_MAGIC)] == STREAM_MAGIC


def decrypt_stream(file_key: bytes, sealed_chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Plaintext chunks from sealed bytes (any piece sizes); raises on reorder, tamper or truncation."""
    _check_key(file_key)
    aead = AESGCM(file_key)
    size = STREAM_CHUNK + TAG_BYTES
    buffer = bytearray()
    index = 0
    for piece in sealed_chunks:
        buffer += piece
        while len(buffer) > size:
            chunk = bytes(buffer[:size])
            del buffer[:size]
            try:
                yield aead.decrypt(_chunk_nonce(index, last=False), chunk, None)
            except InvalidTag:
                raise DecryptionError("file chunk does not authenticate") from None
            index += 1
    try:
        yield aead.decrypt(_chunk_nonce(index, last=True), bytes(buffer), None)
    except InvalidTag:
        raise DecryptionError("file is truncated or tampered") from None
