"""Uploads are sealed as they stream in: no plaintext byte in the temporary dir or the storage."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from refuge.vault import crypto, state
from refuge.vault.models import CaseKey, VaultProbe
from refuge.vault.storage import vault_storage
from tests.vault.views_test import MARKER

pytestmark = pytest.mark.django_db

# Bigger than Django's 2.5 MB in-memory threshold, so Django's own handlers would write it to disk.
CONTENT = (MARKER + b" passport scan of the client; ") * 100_000


def _upload(client, case, content: bytes, name: str = "passport.pdf"):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(reverse("vault_test_upload", args=[case.code]), {"file": upload})


def _leftovers(directory: str | Path) -> list[str]:
    return [str(Path(d) / n) for d, _, names in os.walk(directory) for n in names]


def test_an_upload_never_touches_the_disk_in_plaintext(dev_vault, client, case) -> None:
    response = _upload(client, case, CONTENT)
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["temp_scanned"] >= 1  # the sealed temporary file existed while the view ran
    assert report["temp_found"] == []
    assert report["media_scanned"] == 1
    assert report["media_found"] == []
    assert report["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    assert report["size"] == len(CONTENT)
    assert _leftovers(settings.FILE_UPLOAD_TEMP_DIR) == []
    probe = VaultProbe.objects.get(code=report["code"])
    assert probe.file.read_plaintext() == CONTENT


def test_django_default_handlers_would_fail_this_test(dev_vault, client, case, settings) -> None:
    """The scan above can fail: with Django's own handlers the marker lands in the temporary dir."""
    settings.FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
    response = _upload(client, case, CONTENT)
    assert response.json()["temp_found"] != []


@pytest.mark.parametrize("size", [400_000, 150_000])  # refused from the request's length / while streaming
def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(dev_vault, client, case, settings, size) -> None:
    settings.VAULT_UPLOAD_MAX_BYTES = 100_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    response = _upload(client, case, CONTENT[:size])
    assert response.status_code == 413
    assert _leftovers(settings.FILE_UPLOAD_TEMP_DIR) == []
    assert not VaultProbe.objects.exists()


def test_generated_content_is_stored_encrypted(dev_vault, case) -> None:
    probe = VaultProbe.objects.create(case=case)
    probe.file.save("letter.docx", ContentFile(MARKER * 10))
    stored = Path(settings.MEDIA_ROOT) / probe.file.name
    assert MARKER not in stored.read_bytes()
    assert stored.stat().st_mode & 0o077 == 0
    assert VaultProbe.objects.get(pk=probe.pk).file.read_plaintext() == MARKER * 10


def test_the_storage_refuses_plaintext(dev_vault) -> None:
    with pytest.raises(SuspiciousFileOperation):
        vault_storage.save("cases/x/plain.txt", ContentFile(MARKER))
    assert _leftovers(settings.MEDIA_ROOT) == []


def test_a_file_moved_to_another_object_does_not_decrypt(dev_vault, case) -> None:
    first = VaultProbe.objects.create(case=case)
    first.file.save("a.pdf", ContentFile(b"first client's passport"))
    second = VaultProbe.objects.create(case=case)
    VaultProbe.objects.filter(pk=second.pk).update(file=first.file.name)
    with pytest.raises(crypto.DecryptionError):
        VaultProbe.objects.get(pk=second.pk).file.read_plaintext()


def test_a_tampered_file_raises(dev_vault, case) -> None:
    probe = VaultProbe.objects.create(case=case)
    probe.file.save("a.pdf", ContentFile(b"x" * 200_000))
    path = Path(settings.MEDIA_ROOT) / probe.file.name
    data = bytearray(path.read_bytes())
    data[150_000] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(crypto.DecryptionError):
        probe.file.read_plaintext()


def test_a_shredded_case_key_makes_its_files_unreadable(dev_vault, case) -> None:
    probe = VaultProbe.objects.create(case=case)
    probe.file.save("a.pdf", ContentFile(b"the client's passport"))
    CaseKey.objects.filter(case=case).delete()
    with pytest.raises(state.KeyDestroyed):
        probe.file.read_plaintext()


def test_the_handler_takes_a_per_view_limit_and_shows_the_head(dev_vault, rf) -> None:
    from django.core.files.uploadhandler import SkipFile

    from refuge.vault.storage import EncryptingUploadHandler

    handler = EncryptingUploadHandler(rf.post("/"), max_bytes=10)
    handler.new_file("file", "a.txt", "text/plain", None)
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x" * 11, 0)
    assert handler.too_large

    handler = EncryptingUploadHandler(rf.post("/"), max_bytes=1000)
    handler.new_file("file", "a.txt", "text/plain", None)
    handler.receive_data_chunk(b"%PDF-1.7 " + MARKER, 0)
    upload = handler.file_complete(9 + len(MARKER))
    assert upload is not None and upload.head(8) == b"%PDF-1.7"
    assert MARKER not in upload.read()


def test_a_file_over_the_limit_is_dropped_but_the_other_fields_are_read(dev_vault, rf, settings) -> None:
    from refuge.vault.storage import EncryptingUploadHandler, upload_too_large

    request = rf.post("/", {"file": SimpleUploadedFile("big.bin", b"\0" * 5000), "title": "Scan 7"})
    request.upload_handlers = [EncryptingUploadHandler(request, max_bytes=1000)]
    assert request.POST["title"] == "Scan 7"
    assert "file" not in request.FILES
    assert upload_too_large(request)
    assert _leftovers(settings.FILE_UPLOAD_TEMP_DIR) == []


def test_the_files_go_to_the_configured_storage_and_only_as_ciphertext(dev_vault, case, settings) -> None:
    """STORAGES["vault"] (REFUGE_STORAGE_BACKEND) may name any Django storage, e.g. one all machines share."""
    settings.STORAGES = {**settings.STORAGES, "vault": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    assert type(vault_storage.backend).__name__ == "InMemoryStorage"
    probe = VaultProbe.objects.create(case=case)
    probe.file.save("letter.docx", ContentFile(MARKER * 10))
    with vault_storage.backend.open(probe.file.name, "rb") as held:
        stored = held.read()
    assert crypto.is_vault_stream(stored) and MARKER not in stored
    assert VaultProbe.objects.get(pk=probe.pk).file.read_plaintext() == MARKER * 10
    assert list(vault_storage.stored_names()) == [probe.file.name]
    with pytest.raises(SuspiciousFileOperation):
        vault_storage.save("cases/x/plain.txt", ContentFile(MARKER))
    assert list(vault_storage.stored_names()) == [probe.file.name]
    assert _leftovers(settings.MEDIA_ROOT) == []  # nothing on the local disk
