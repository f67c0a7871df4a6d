"""An admin deletes a case for good: its rows, its files and its data key (crypto-shredding)."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from refuge.accounts.sessions import REAUTH_AT
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.cases import actions
from refuge.cases.models import Case, Event
from refuge.vault.models import CaseKey

pytestmark = pytest.mark.django_db(transaction=True)  # files go on commit


def _client(user, *, recent: bool = True) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    session = client.session
    session[REAUTH_AT] = time.time() if recent else time.time() - 3600  # logging in counts as recent
    session.save()
    return client


@pytest.fixture
def stored(case, alice, settings):  # type: ignore[no-untyped-def]
    doc = actions.store_document(
        case=case,
        user=alice,
        content=b"%PDF-1.4 fictional decision\n%%EOF\n",
        filename="decision.pdf",
        doc_type="decision",
        title="Decision",
        date=None,
        language="ru",
        events=[],
    )
    return doc


def test_an_admin_deletes_the_case_its_files_and_its_key(adam, case, stored) -> None:  # type: ignore[no-untyped-def]
    path = stored.file.path
    case_id, code = case.pk, case.code
    assert CaseKey.objects.filter(case_id=case_id).exists()
    response = _client(adam).post(reverse("case_delete", args=[code]), {"reference": case.reference})
    assert response.status_code == 302
    assert not Case.objects.filter(pk=case_id).exists()
    assert not Event.objects.filter(case_id=case_id).exists()
    assert not CaseKey.objects.filter(case_id=case_id).exists()
    import os  # only here

    assert not os.path.exists(path)
    entry = AuditEvent.objects.filter(type=EventType.CASE_DELETED).get()
    assert entry.target_code == str(code)
    assert case.reference not in str(entry.data)


def test_a_wrong_reference_deletes_nothing(adam, case) -> None:  # type: ignore[no-untyped-def]
    response = _client(adam).post(reverse("case_delete", args=[case.code]), {"reference": "TST-2026-00"})
    assert response.status_code == 422
    assert "type the case" in response.content.decode().lower()
    assert Case.objects.filter(pk=case.pk).exists()


def test_deleting_asks_for_the_password_again(adam, case) -> None:  # type: ignore[no-untyped-def]
    response = _client(adam, recent=False).post(reverse("case_delete", args=[case.code]), {"reference": case.reference})
    assert response.status_code in (302, 303)
    assert reverse("reauth") in response["Location"]
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_lawyer_on_the_team_cannot_delete(alice, case) -> None:  # type: ignore[no-untyped-def]
    response = _client(alice).post(reverse("case_delete", args=[case.code]), {"reference": case.reference})
    assert response.status_code == 404
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_lawyer_exports_the_case_file_on_record(alice, case) -> None:  # type: ignore[no-untyped-def]
    import json  # only here

    response = _client(alice).get(reverse("case_export", args=[case.code]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="TST-2026-001.case.json"'
    data = json.loads(response.content)
    assert data["format"] == "refuge.case/1"
    assert {e["id"] for e in data["events"]} == {"e1", "e2", "e3"}
    kinds = set(AuditEvent.objects.filter(target_code=str(case.code)).values_list("type", flat=True))
    assert {EventType.CASE_EXPORTED, EventType.IDENTITY_REVEALED} <= kinds


def test_exporting_asks_for_the_password_again_and_never_serves_analysts(alice, ana, case) -> None:  # type: ignore[no-untyped-def]
    stale = _client(alice, recent=False).get(reverse("case_export", args=[case.code]))
    assert stale.status_code == 302
    assert reverse("reauth") in stale["Location"]
    assert _client(ana).get(reverse("case_export", args=[case.code])).status_code == 404
