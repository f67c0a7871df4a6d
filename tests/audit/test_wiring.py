"""Every action that changes a case appends its entry in the same transaction as the change.

Each action is run twice: once normally (one entry, with the actor, the case's code and codes in
its data), once with the log refusing appends (the action fails and changes nothing: the entry
and the change commit together or not at all).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import DatabaseError

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.audit.verify import verify
from tests.audit.conftest import audit_refuses_inserts, head

pytestmark = pytest.mark.django_db


def _state(case: Any) -> tuple[Any, ...]:
    from refuge.cases.models import Case, Person

    person = Person.objects.get(case=case)
    return (
        Case.objects.filter(organisation=case.organisation).count(),
        sorted(case.events.values_list("key", "at", "note")),
        sorted(case.proceedings.values_list("forum", "is_active")),
        case.documents.count(),
        sorted(case.members.values_list("user_id", flat=True)),
        person.contact_notes,
    )


def _create(w: dict[str, Any]) -> None:
    from refuge.cases.actions import create_case

    create_case(
        organisation=w["case"].organisation,
        user=w["alice"],
        reference="TST-2026-002",
        host_state="RU",
        timezone="Europe/Moscow",
        person={"nationality": "UZ", "stateless": False, "languages": ["uz"]},
        events=[{"id": "e1", "type": "detention_started", "at": "2026-03-02", "basis": "administrative"}],
    )


def _record_event(w: dict[str, Any]) -> None:
    from refuge.cases.actions import record_event

    record_event(case=w["case"], user=w["alice"], type="released", at="2026-03-09", attributes={}, note="n")


def _update_event(w: dict[str, Any]) -> None:
    from refuge.cases.actions import update_event

    e1 = w["case"].events.get(key="e1")
    update_event(
        event=e1, user=w["alice"], at="2026-03-02T10:00:00+03:00", attributes=e1.attributes, source="s", note="n"
    )


def _delete_event(w: dict[str, Any]) -> None:
    from refuge.cases.actions import delete_event

    delete_event(event=w["case"].events.get(key="e3"), user=w["alice"])


def _update_person(w: dict[str, Any]) -> None:
    from refuge.cases.actions import update_person

    update_person(
        case=w["case"],
        user=w["alice"],
        nationality="KP",
        stateless=False,
        languages=["ko"],
        names=[{"value": "Testov Fiktiv", "script": "Latn"}],
        birth_date=date(1980, 1, 1),
        contact_notes="Calls from a neighbour's phone",
        location_notes="",
        document_numbers=["AB 123456"],
    )


def _set_team(w: dict[str, Any]) -> None:
    from refuge.cases.actions import set_team

    set_team(case=w["case"], users=[w["alice"], w["bob"]], actor=w["alice"])


def _add_proceeding(w: dict[str, Any]) -> None:
    from refuge.cases.actions import save_proceeding

    save_proceeding(
        case=w["case"],
        user=w["alice"],
        forum="echr",
        reference_number="12345/26",
        authority=None,
        opened_on=None,
        is_active=True,
        note="",
    )


def _change_proceeding(w: dict[str, Any]) -> None:
    from refuge.cases.actions import save_proceeding

    save_proceeding(
        case=w["case"],
        user=w["alice"],
        proceeding=w["proceeding"],
        forum="domestic_court",
        reference_number="2a-1/26",
        authority=None,
        opened_on=None,
        is_active=False,
        note="",
    )


def _delete_proceeding(w: dict[str, Any]) -> None:
    from refuge.cases.actions import delete_proceeding

    delete_proceeding(proceeding=w["proceeding"], user=w["alice"])


def _store_document(w: dict[str, Any]) -> None:
    from refuge.cases.actions import store_document

    store_document(
        case=w["case"],
        user=w["alice"],
        content=b"%PDF-1.4 fictional",
        filename="passport-Testov.pdf",
        doc_type="passport",
        title="Passport of Testov Fiktiv",
        date=None,
        language="",
        events=[],
    )


# action: (run it, the entry's type, what its data must name)
ACTIONS: dict[str, tuple[Callable[[dict[str, Any]], None], EventType, set[str]]] = {
    "create_case": (_create, EventType.CASE_CREATED, {"via", "events"}),
    "record_event": (_record_event, EventType.EVENT_ADDED, {"event", "event_type"}),
    "update_event": (_update_event, EventType.EVENT_CHANGED, {"event", "event_type"}),
    "delete_event": (_delete_event, EventType.EVENT_DELETED, {"event", "event_type"}),
    "update_person": (_update_person, EventType.PERSON_CHANGED, set()),
    "set_team": (_set_team, EventType.TEAM_CHANGED, {"members"}),
    "add_proceeding": (_add_proceeding, EventType.PROCEEDING_ADDED, {"proceeding", "forum"}),
    "change_proceeding": (_change_proceeding, EventType.PROCEEDING_CHANGED, {"proceeding", "forum"}),
    "delete_proceeding": (_delete_proceeding, EventType.PROCEEDING_DELETED, {"proceeding"}),
    "store_document": (_store_document, EventType.DOCUMENT_UPLOADED, {"document", "doc_type", "size"}),
}


@pytest.fixture
def w(case, alice, bob):
    from refuge.cases.models import Proceeding

    proceeding = Proceeding.objects.create(case=case, forum="domestic_court")
    _state(case)  # reads (and so unseals) before any test makes the log refuse appends
    return {"case": case, "alice": alice, "bob": bob, "proceeding": proceeding}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_the_action_appends_its_entry(w, name: str) -> None:
    run, kind, keys = ACTIONS[name]
    before = head()
    run(w)
    new = list(AuditEvent.objects.filter(id__gt=before).order_by("id"))
    assert [e.type for e in new] == [kind], [e.type_label for e in new]
    entry = new[0]
    assert entry.actor_id == w["alice"].pk
    assert entry.organisation_id == w["case"].organisation_id
    assert entry.target_kind == "case"
    if name != "create_case":
        assert entry.target_code == str(w["case"].code)
    assert set(entry.data) == keys
    assert verify().ok


@pytest.mark.parametrize("name", list(ACTIONS))
def test_the_action_fails_whole_when_its_entry_cannot_be_written(w, name: str) -> None:
    run, _kind, _keys = ACTIONS[name]
    before_state, before_head = _state(w["case"]), head()
    with audit_refuses_inserts(), pytest.raises(DatabaseError, match="refused"):
        run(w)
    assert head() == before_head
    assert _state(w["case"]) == before_state, "the change was kept without its audit entry"


def test_the_entry_data_names_the_objects_by_code(w) -> None:
    before = head()
    _record_event(w)
    _store_document(w)
    _set_team(w)
    event, document, team = AuditEvent.objects.filter(id__gt=before).order_by("id")
    assert event.data["event"] == str(w["case"].events.get(key="e4").code)
    assert event.data["event_type"] == "released"
    assert document.data["document"] == str(w["case"].documents.get().code)
    assert sorted(team.data["members"]) == sorted([str(w["alice"].code), str(w["bob"].code)])
