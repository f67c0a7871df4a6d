"""crypto.py: AEAD bound to its place, streams that detect every cut, blind indexes."""

from __future__ import annotations

import pytest

from refuge.vault import crypto


@pytest.fixture
def key() -> bytes:
    return crypto.random_key()


def test_field_ciphertext_round_trips(key: bytes) -> None:
    blob = crypto.encrypt_field(key, "Тестов".encode(), label="cases.person.names", code="c1", key_version=3)
    assert crypto.field_key_version(blob) == 3
    assert crypto.decrypt_field(key, blob, label="cases.person.names", code="c1").decode() == "Тестов"
    assert "Тестов".encode() not in blob


@pytest.mark.parametrize(
    ("label", "code"),
    [("cases.person.contact_notes", "c1"), ("cases.person.names", "c2"), ("cases.event.note", "c1")],
)
def test_ciphertext_moved_to_another_place_fails(key: bytes, label: str, code: str) -> None:
    blob = crypto.encrypt_field(key, b"secret", label="cases.person.names", code="c1", key_version=1)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_field(key, blob, label=label, code=code)


def test_ciphertext_claiming_another_key_version_fails(key: bytes) -> None:
    blob = bytearray(crypto.encrypt_field(key, b"secret", label="a.b.c", code="c1", key_version=1))
    blob[4] = 2  # the version field of the header
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_field(key, bytes(blob), label="a.b.c", code="c1")


def test_every_flipped_byte_is_detected(key: bytes) -> None:
    blob = crypto.encrypt_field(key, b"secret value", label="a.b.c", code="c1", key_version=1)
    for position in range(len(blob)):
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt_field(key, bytes(tampered), label="a.b.c", code="c1")


def test_wrong_key_fails(key: bytes) -> None:
    blob = crypto.encrypt_field(key, b"secret", label="a.b.c", code="c1", key_version=1)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_field(crypto.random_key(), blob, label="a.b.c", code="c1")


def test_wrapped_key_is_bound_to_its_case(key: bytes) -> None:
    data_key = crypto.random_key()
    wrapped = crypto.wrap_key(key, data_key, aad=crypto.case_key_aad("case-1", 1, 1))
    assert crypto.unwrap_key(key, wrapped, aad=crypto.case_key_aad("case-1", 1, 1)) == data_key
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_key(key, wrapped, aad=crypto.case_key_aad("case-2", 1, 1))


def test_subkeys_differ_by_purpose(key: bytes) -> None:
    assert crypto.subkey(key, purpose="a") != crypto.subkey(key, purpose="b")
    assert crypto.subkey(key, purpose="a") == crypto.subkey(key, purpose="a")
    assert crypto.check_verifier(key, crypto.verifier(key))
    assert not crypto.check_verifier(crypto.random_key(), crypto.verifier(key))


def _sealed(plaintext: bytes, encryptor: crypto.StreamEncryptor) -> list[bytes]:
    pieces = [plaintext[i : i + 1000] for i in range(0, len(plaintext), 1000)]
    out = [sealed for piece in pieces for sealed in encryptor.update(piece)]
    return [*out, encryptor.finish()]


@pytest.mark.parametrize("size", [0, 1, crypto.STREAM_CHUNK - 1, crypto.STREAM_CHUNK, 2 * crypto.STREAM_CHUNK + 5])
def test_stream_round_trips(size: int) -> None:
    plaintext = bytes(i % 251 for i in range(size))
    encryptor = crypto.StreamEncryptor()
    chunks = _sealed(plaintext, encryptor)
    assert b"".join(crypto.decrypt_stream(encryptor.file_key, chunks)) == plaintext


def test_stream_truncated_at_a_chunk_boundary_fails() -> None:
    encryptor = crypto.StreamEncryptor()
    chunks = _sealed(b"x" * (3 * crypto.STREAM_CHUNK), encryptor)
    with pytest.raises(crypto.DecryptionError):
        b"".join(crypto.decrypt_stream(encryptor.file_key, chunks[:-1]))


def test_stream_with_chunks_swapped_fails() -> None:
    encryptor = crypto.StreamEncryptor()
    chunks = _sealed(b"a" * crypto.STREAM_CHUNK + b"b" * crypto.STREAM_CHUNK + b"c", encryptor)
    with pytest.raises(crypto.DecryptionError):
        b"".join(crypto.decrypt_stream(encryptor.file_key, [chunks[1], chunks[0], chunks[2]]))


def test_blind_index_matches_exact_numbers_only(key: bytes) -> None:
    def index(value: str) -> bytes:
        return crypto.blind_index(key, value, scope="cases.person.document_numbers")

    assert index("AB 12-34 56") == index("ab123456")
    assert index("AB123456") != index("AB123457")
    assert index("AB123456") != crypto.blind_index(key, "AB123456", scope="cases.person.other")
    other_key = crypto.random_key()
    assert index("AB123456") != crypto.blind_index(other_key, "AB123456", scope="cases.person.document_numbers")
