"""Uploading and downloading documents."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from refuge.cases.models import Document
from tests.pages.conftest import event

PDF = b"%PDF-1.7\n% fictional decision\n" + b"x" * 2000


def test_it_stores_an_upload_with_hash_size_and_sniffed_type(as_alice, case):
    e2 = event(case, "e2")
    upload = SimpleUploadedFile("Reshenie.pdf", PDF, content_type="text/html")  # the claim is ignored
    r = as_alice.post(
        reverse("document_upload", args=[case.code]),
        {
            "file": upload,
            "doc_type": "decision",
            "title": "Expulsion decision",
            "date": "2026-03-03",
            "language": "ru",
            "events": [str(e2.code)],
        },
    )
    assert r.status_code == 302
    doc = Document.objects.get()
    assert doc.content_type == "application/pdf"
    assert doc.size == len(PDF) and doc.sha256 == hashlib.sha256(PDF).hexdigest()
    assert doc.filename == "Reshenie.pdf" and doc.uploaded_by.username == "alice"
    assert list(doc.events.all()) == [e2]
    assert "Reshenie" not in doc.file.name  # the stored name is the code, not the client's file name
    assert doc.file.read_plaintext() == PDF
    with doc.file.open("rb") as fh:  # on disk: only ciphertext
        assert PDF[:64] not in fh.read()


def test_it_refuses_a_file_over_the_limit_and_keeps_the_input(as_alice, case, settings):
    settings.REFUGE_UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.bin", b"\0" * (1024 * 1024 + 1))
    r = as_alice.post(
        reverse("document_upload", args=[case.code]), {"file": big, "doc_type": "other", "title": "Scan 7"}
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "The file is larger than 1 MB." in html
    assert 'value="Scan 7"' in html
    assert not Document.objects.exists()


def test_it_needs_a_file_and_a_title(as_alice, case):
    r = as_alice.post(reverse("document_upload", args=[case.code]), {"doc_type": "other"})
    assert r.status_code == 422
    assert r.content.decode().count("This field is required.") == 2


def test_it_downloads_as_an_attachment(as_alice, case, document):
    r = as_alice.get(reverse("document_download", args=[case.code, document.code]))
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    assert 'filename="decision.pdf"' in r["Content-Disposition"]
    assert r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF")


def test_analysts_and_outsiders_cannot_download(as_ana, as_bob, as_carol, case, document):
    url = reverse("document_download", args=[case.code, document.code])
    for c in (as_ana, as_bob, as_carol):
        assert c.get(url).status_code == 404


def test_the_upload_needs_a_csrf_token(alice, case):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(alice)
    r = c.post(
        reverse("document_upload", args=[case.code]),
        {"file": SimpleUploadedFile("a.pdf", PDF), "doc_type": "other", "title": "x"},
    )
    assert r.status_code == 403
    assert not Document.objects.exists()
