"""Every stored file leaves the same way: decrypted as it streams, as an attachment never cached or
sniffed, on record first; a file missing from the storage answers 404 with nothing on record."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from tests.filings.notify_helpers import MSK, PDF

pytestmark = pytest.mark.django_db
PROOF = b"%PDF-1.4 fax report (fictional)"
DOCUMENT = b"%PDF-1.4 decision (fictional)"


@pytest.fixture
def stored(case: Any, alice: Any) -> dict[str, Any]:
    """A document, a filing and a sending's proof of one case, each with the URLs that give it."""
    from refuge.api.tokens import create_token
    from refuge.cases.actions import store_document
    from refuge.cases.models import Authority
    from refuge.filings.actions import record_sending, store_filing

    document = store_document(
        case=case,
        user=alice,
        content=DOCUMENT,
        filename="decision.pdf",
        doc_type="decision",
        title="Decision",
        date=None,
        language="",
        events=[],
    )
    filing = store_filing(
        case=case,
        user=alice,
        kind="notify-authority",
        lang="en",
        fmt="pdf",
        content=PDF,
        filename="letter.pdf",
        content_type="application/pdf",
    )
    court = Authority.objects.create(organisation=case.organisation, name="Court (fictional)", kind="court")
    sending = record_sending(
        case=case,
        user=alice,
        authority=court,
        channel="fax",
        sent_at=datetime(2026, 3, 4, 10, 15, tzinfo=MSK),
        proof=PROOF,
        proof_filename="fax report.pdf",
    )
    _, secret = create_token(user=alice, name="test", scopes=["read", "identity"], days=30)
    api = f"/api/v1/cases/{case.code}/filings/{filing.code}/download"
    return {
        "document": (document.file, DOCUMENT, reverse("document_download", args=[case.code, document.code])),
        "filing": (filing.file, PDF, reverse("filing_download", args=[case.code, filing.code])),
        "api": (filing.file, PDF, api, {"Authorization": f"Bearer {secret}"}),
        "proof": (sending.proof, PROOF, reverse("sending_proof", args=[case.code, sending.code])),
    }


def _clients(alice: Any) -> tuple[Client, Client]:
    """A logged-in browser and a bare client for the API (the login on record before any download)."""
    browser = Client()
    browser.force_login(alice)
    return browser, Client()


def _get(clients: tuple[Client, Client], url: str, headers: dict[str, str] | None = None) -> Any:
    browser, bare = clients
    return browser.get(url) if headers is None else bare.get(url, headers=headers)


def _newest() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last is not None else 0


def test_every_download_streams_with_the_same_headers_on_record(stored, alice, case) -> None:
    clients = _clients(alice)
    for name, (_file, content, url, *headers) in stored.items():
        before = _newest()
        response = _get(clients, url, *headers)
        assert response.status_code == 200, name
        assert b"".join(response.streaming_content) == content, name
        assert response["Content-Disposition"].startswith("attachment; filename="), name
        assert response["Content-Length"] == str(len(content)), name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Cache-Control"] == "no-store", name
        entries = AuditEvent.objects.filter(id__gt=before, target_code=str(case.code)).order_by("id")
        downloaded = EventType.DOCUMENT_DOWNLOADED if name == "document" else EventType.FILING_DOWNLOADED
        assert [e.type for e in entries] == [downloaded, EventType.IDENTITY_REVEALED], name


def test_a_file_missing_from_the_storage_answers_404_with_nothing_on_record(stored, alice, case) -> None:
    for _file, _content, _url, *_headers in stored.values():
        (Path(settings.MEDIA_ROOT) / _file.name).unlink(missing_ok=True)
    clients = _clients(alice)
    for name, (_file, _content, url, *headers) in stored.items():
        before = _newest()
        assert _get(clients, url, *headers).status_code == 404, name
        assert not AuditEvent.objects.filter(id__gt=before, target_code=str(case.code)).exists(), name
