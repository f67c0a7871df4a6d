"""No audit entry, and nothing on the audit page, holds a client's name or any other identifying value.

A whole working session over the fixture's case, every reveal and change included, then a scan of
every column of every entry for the client's names (in both scripts), birth date, address,
document number, the uploaded file's name and title, and a note.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from refuge.audit.models import AuditEvent
from refuge.audit.verify import verify

pytestmark = pytest.mark.django_db

SECRETS = (
    "Testov",
    "Fiktiv",
    "Тестов",
    "Фиктив",
    "1980-01-01",
    "Hidden Lane",
    "AB 123456",
    "AB123456",
    "passport-Testov",
    "Passport of",
    "called from a neighbour",
)


def _session(case, alice, tmp_path: Path) -> None:
    from refuge.cases import actions

    actions.update_person(
        case=case,
        user=alice,
        nationality="KP",
        stateless=False,
        languages=["ko"],
        names=[{"value": "Testov Fiktiv", "script": "Latn"}, {"value": "Тестов Фиктив", "script": "Cyrl"}],
        birth_date=date(1980, 1, 1),
        contact_notes="Lives at 12 Hidden Lane",
        location_notes="Detention centre, block B",
        document_numbers=["AB 123456"],
    )
    actions.record_event(
        case=case, user=alice, type="released", at="2026-03-09", attributes={}, note="Testov called from a neighbour"
    )
    document = actions.store_document(
        case=case,
        user=alice,
        content=b"%PDF-1.4 Testov Fiktiv",
        filename="passport-Testov.pdf",
        doc_type="passport",
        title="Passport of Testov Fiktiv",
        date=None,
        language="ru",
        events=[],
    )
    client = Client()
    client.force_login(alice)
    assert client.get(case.get_absolute_url()).status_code == 200
    assert client.get(reverse("person_edit", args=[case.code])).status_code == 200
    response = client.get(reverse("document_download", args=[case.code, document.code]))
    assert b"Testov" in b"".join(response.streaming_content)
    call_command("export_case", str(case.code), "-o", str(tmp_path / "out.json"))
    # A failed login with the client's name typed as the username.
    assert authenticate(RequestFactory().post("/"), username="Testov Fiktiv", password="1980-01-01") is None


def test_no_entry_holds_an_identifying_value(case, alice, tmp_path: Path) -> None:
    _session(case, alice, tmp_path)
    assert AuditEvent.objects.count() >= 12
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent")
        dump = "\n".join(repr(row) for row in cursor.fetchall())
    assert "via" in dump and str(case.code) in dump  # the dump is what it seems
    found = [s for s in SECRETS if s.lower() in dump.lower()]
    assert not found, f"the audit log holds {found}"
    assert verify().ok


def test_the_audit_page_shows_no_identifying_value(case, alice, adam, tmp_path: Path) -> None:
    _session(case, alice, tmp_path)
    client = Client()
    client.force_login(adam)
    html = client.get(reverse("audit_log")).content.decode()
    assert "Identity revealed" in html
    found = [s for s in SECRETS if s.lower() in html.lower()]
    assert not found, f"the audit page shows {found}"
