"""Every read of a client's identity is on record: the case page, the client's form, a document, an export.
And every login, failed login and logout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from refuge.audit.actions import keyed_hash
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from tests.audit.conftest import head
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _new(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=before).order_by("id"))


def _client(user) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(user)
    return client


def test_the_case_page_records_who_saw_the_client(case, alice) -> None:
    client = _client(alice)
    before = head()
    assert client.get(case.get_absolute_url()).status_code == 200
    (entry,) = _new(before)
    assert entry.type == EventType.IDENTITY_REVEALED
    assert (entry.actor_id, entry.target_kind, entry.target_code) == (alice.pk, "case", str(case.code))
    assert entry.data == {"via": "case_page"}
    assert "names" in entry.fields
    assert entry.ip_hash == keyed_hash("ip", "203.0.113.7")


def test_an_analyst_sees_no_identity_and_leaves_no_reveal(case, ana, alice) -> None:
    analyst, team = _client(ana), _client(alice)
    before = head()
    response = analyst.get(case.get_absolute_url())
    assert response.status_code == 404  # analysts see no case at all (issue 14)
    assert "Testov" not in response.content.decode()
    assert _new(before) == []
    # The same page for the team: the identity shown, and its reveal on record.
    assert "Testov" in team.get(case.get_absolute_url()).content.decode()
    assert [e.type for e in _new(before)] == [EventType.IDENTITY_REVEALED]


def test_the_client_form_records_a_reveal_and_saving_it_a_change(case, alice) -> None:
    client = _client(alice)
    url = reverse("person_edit", args=[case.code])
    before = head()
    assert client.get(url).status_code == 200
    (entry,) = _new(before)
    assert entry.type == EventType.IDENTITY_REVEALED and entry.data == {"via": "person_form"}

    saved = head()
    response = client.post(
        url,
        {
            "names-TOTAL_FORMS": "1",
            "names-INITIAL_FORMS": "0",
            "names-MIN_NUM_FORMS": "0",
            "names-MAX_NUM_FORMS": "12",
            "names-0-value": "Fiktiv Testova",
            "names-0-script": "Latn",
            "nationality": "KP",
            "languages": "ko",
            "birth_date": "1980-01-01",
            "document_numbers": "",
            "contact_notes": "",
            "location_notes": "",
        },
    )
    assert response.status_code == 302  # saved, not shown again with errors
    case.person.refresh_from_db()
    assert case.person.names == [{"value": "Fiktiv Testova", "script": "Latn"}]
    entries = _new(saved)
    (change,) = [e for e in entries if e.type == EventType.PERSON_CHANGED]
    assert (change.actor_id, change.target_kind, change.target_code) == (alice.pk, "case", str(case.code))
    assert "names" in change.fields and "nationality" in change.fields
    assert "Fiktiv" not in json.dumps([e.data for e in entries])  # the change names fields, never their values
    assert EventType.IDENTITY_REVEALED not in [e.type for e in entries]  # saving shows nothing back


def test_a_download_records_the_download_and_the_reveal(case, alice) -> None:
    from refuge.cases.actions import store_document

    document = store_document(
        case=case,
        user=alice,
        content=b"%PDF-1.4 fictional",
        filename="d.pdf",
        doc_type="decision",
        title="Decision",
        date=None,
        language="",
        events=[],
    )
    client = _client(alice)
    before = head()
    response = client.get(reverse("document_download", args=[case.code, document.code]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 fictional"
    entries = _new(before)
    assert [e.type for e in entries] == [EventType.DOCUMENT_DOWNLOADED, EventType.IDENTITY_REVEALED]
    for entry in entries:
        assert entry.data == {"via": "document_download", "document": str(document.code)}
        assert entry.target_code == str(case.code) and entry.actor_id == alice.pk


def test_a_refused_download_records_nothing(case, alice, bob) -> None:
    from refuge.cases.actions import store_document

    document = store_document(
        case=case, user=alice, content=b"x", filename="d.txt", doc_type="note", title="", date=None, language="",
        events=[],
    )  # fmt: skip
    client = _client(bob)
    before = head()
    assert client.get(reverse("document_download", args=[case.code, document.code])).status_code == 404
    assert _new(before) == []


def test_an_export_records_the_export_and_the_reveal(case, tmp_path: Path) -> None:
    before = head()
    out = tmp_path / "case.json"
    call_command("export_case", str(case.code), "-o", str(out))
    assert json.loads(out.read_text())["reference"] == case.reference
    entries = _new(before)
    assert [e.type for e in entries] == [EventType.CASE_EXPORTED, EventType.IDENTITY_REVEALED]
    for entry in entries:
        assert entry.actor_id is None  # the command line: the system acted
        assert entry.target_code == str(case.code) and entry.organisation_id == case.organisation_id
        assert entry.data == {"via": "export_command"}


# --- Logins ---------------------------------------------------------------------------------------------


def test_login_and_logout_are_recorded(alice) -> None:
    client = _client(alice)
    before = head() - 1  # force_login's own entry
    client.post(reverse("logout"))
    login, logout = [e for e in _new(before) if e.target_kind != "vault"]  # (the first request unseals)
    assert login.type == EventType.LOGIN_SUCCEEDED and logout.type == EventType.LOGOUT
    for entry in (login, logout):
        assert (entry.actor_id, entry.target_kind, entry.target_code) == (alice.pk, "user", str(alice.code))
        assert entry.organisation_id == alice.membership().organisation_id
    assert logout.ip_hash == keyed_hash("ip", "203.0.113.7")  # (force_login's request has no address)


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_a_failed_login_keeps_a_keyed_hash_of_the_name_and_nothing_else(alice, username: str) -> None:
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="198.51.100.9")
    before = head()
    assert authenticate(request, username=username, password="Wrong password 1") is None
    (entry,) = _new(before)
    assert entry.type == EventType.LOGIN_FAILED
    # No actor and no target; the organisation whose name it is (none for a name nobody has),
    # so that organisation's admin sees it and no other.
    member = alice.membership() if username == alice.username else None
    organisation = member.organisation_id if member else None
    assert (entry.actor_id, entry.organisation_id, entry.target_kind, entry.target_code) == (None, organisation, "", "")
    assert entry.data == {"username_hmac": keyed_hash("username", username)}
    assert entry.ip_hash == keyed_hash("ip", "198.51.100.9")
    text = json.dumps([entry.fields, entry.data, entry.target_code, entry.ip_hash])
    assert username not in text and "Wrong password" not in text and PASSWORD not in text
