"""An event's free-text attributes (a detention's place, a decision's authority) are vault ciphertext at rest,
travel back out in the case file, and link the directory entry they name."""

from __future__ import annotations

import pytest
from django.db import connection

from refuge.cases import actions
from refuge.cases.models import Authority, Event

pytestmark = pytest.mark.django_db

COURT = "District court (fictional)"  # what the case fixture's decision e2 names


def _raw_event(event_id: int) -> tuple[str, bytes]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT attributes, text_attributes FROM cases_event WHERE id = %s", [event_id])
        attributes, text_attributes = cursor.fetchone()
    return str(attributes), bytes(text_attributes)


def test_the_decisions_authority_is_stored_encrypted_and_out_of_the_engines_attributes(case):
    decision = Event.objects.get(case=case, key="e2")
    assert decision.attributes == {"decision": "expulsion", "detention": "foreigners_centre"}
    assert decision.text_attributes == {"authority": COURT}
    attributes, text_attributes = _raw_event(decision.pk)
    assert "District" not in attributes
    assert b"District" not in text_attributes
    engine_view = decision.to_casefile(free_text=False)
    assert "authority" not in engine_view and engine_view["decision"] == "expulsion"


def test_export_then_import_gives_back_the_same_attributes(case, org, alice):
    actions.record_event(
        case=case, user=alice, type="detention_started", at="2026-03-06T10:00:00+03:00",
        attributes={"basis": "deportation", "place": "Temporary holding centre No. 2 (fictional)"},
    )
    exported = actions.export_casefile(case=case)
    copy = actions.import_casefile(data={**exported, "reference": "TST-2026-COPY"}, organisation=org, user=alice)
    again = actions.export_casefile(case=copy)
    assert again["events"] == exported["events"]
    by_key = {e["id"]: e for e in again["events"]}
    assert by_key["e2"]["authority"] == COURT
    assert by_key["e4"]["place"] == "Temporary holding centre No. 2 (fictional)"


def test_a_decision_links_the_directory_entry_it_names_whichever_comes_first(case, org, alice):
    decision = Event.objects.get(case=case, key="e2")
    assert decision.authority is None  # the directory has no such entry yet
    court = Authority.objects.create(organisation=org, name="  district COURT (fictional) ", kind="court")
    decision.refresh_from_db()
    assert decision.authority == court  # letter case and surrounding spaces aside
    court.name = "Regional court (fictional)"
    court.save()
    decision.refresh_from_db()
    assert decision.authority is None  # it no longer names that entry
    actions.update_event(
        event=decision, user=alice, at=decision.at_iso(),
        attributes={"decision": "expulsion", "authority": "Regional court (fictional)"}, source="", note="",
    )
    decision.refresh_from_db()
    assert decision.authority == court


def test_another_organisations_entry_of_the_same_name_is_never_linked(case, other_org):
    Authority.objects.create(organisation=other_org, name=COURT, kind="court")
    assert Event.objects.get(case=case, key="e2").authority is None


def test_an_import_links_the_entries_the_file_names(org, alice):
    court = Authority.objects.create(organisation=org, name=COURT, kind="court")
    centre = Authority.objects.create(organisation=org, name="Holding centre (fictional)", kind="detention_centre")
    case = actions.import_casefile(
        data={
            "format": "refuge.case/1", "reference": "TST-2026-LINK", "host_state": "RU",
            "events": [
                {"id": "e1", "type": "detention_started", "at": "2026-03-02", "basis": "administrative",
                 "place": "holding centre (fictional)"},
                {"id": "e2", "type": "decision_issued", "at": "2026-03-03", "decision": "expulsion",
                 "authority": COURT},
            ],
        },
        organisation=org, user=alice,
    )
    assert {e.key: e.authority for e in case.events.all()} == {"e1": centre, "e2": court}
