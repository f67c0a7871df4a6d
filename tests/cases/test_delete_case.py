"""An admin deletes a case for good: its rows, its files and its data key (crypto-shredding)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.cases import actions
from refuge.cases.models import Case, Event
from refuge.vault.models import CaseKey
from tests.cases.helpers import client_for

pytestmark = pytest.mark.django_db(transaction=True)  # files go on commit


@pytest.fixture
def stored(case, alice, settings):
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


def test_an_admin_deletes_the_case_its_files_and_its_key(adam, case, stored) -> None:
    path = stored.file.path
    case_id, code = case.pk, case.code
    assert CaseKey.objects.filter(case_id=case_id).exists()
    response = client_for(adam).post(reverse("case_delete", args=[code]), {"reference": case.reference})
    assert response.status_code == 302
    assert not Case.objects.filter(pk=case_id).exists()
    assert not Event.objects.filter(case_id=case_id).exists()
    assert not CaseKey.objects.filter(case_id=case_id).exists()
    import os  # only here

    assert not os.path.exists(path)
    entry = AuditEvent.objects.filter(type=EventType.CASE_DELETED).get()
    assert entry.target_code == str(code)
    assert case.reference not in str(entry.data)


def test_a_wrong_reference_deletes_nothing(adam, case) -> None:
    response = client_for(adam).post(reverse("case_delete", args=[case.code]), {"reference": "TST-2026-00"})
    assert response.status_code == 422
    assert "type the case" in response.content.decode().lower()
    assert Case.objects.filter(pk=case.pk).exists()


def test_deleting_asks_for_the_password_again(adam, case) -> None:
    response = client_for(adam, recent=False).post(
        reverse("case_delete", args=[case.code]), {"reference": case.reference}
    )
    assert response.status_code in (302, 303)
    assert reverse("reauth") in response["Location"]
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_lawyer_on_the_team_cannot_delete(alice, case) -> None:
    response = client_for(alice).post(reverse("case_delete", args=[case.code]), {"reference": case.reference})
    assert response.status_code == 404
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_lawyer_exports_the_case_file_on_record(alice, case) -> None:
    import json  # only here

    response = client_for(alice).get(reverse("case_export", args=[case.code]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="TST-2026-001.case.json"'
    data = json.loads(response.content)
    assert data["format"] == "refuge.case/1"
    assert {e["id"] for e in data["events"]} == {"e1", "e2", "e3"}
    kinds = set(AuditEvent.objects.filter(target_code=str(case.code)).values_list("type", flat=True))
    assert {EventType.CASE_EXPORTED, EventType.IDENTITY_REVEALED} <= kinds


def test_exporting_asks_for_the_password_again_and_never_serves_analysts(alice, ana, case) -> None:
    stale = client_for(alice, recent=False).get(reverse("case_export", args=[case.code]))
    assert stale.status_code == 302
    assert reverse("reauth") in stale["Location"]
    assert client_for(ana).get(reverse("case_export", args=[case.code])).status_code == 404
