"""The API is the pages' twin: scopes, identity, the same actions, errors as problems."""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.cases.models import Case
from tests.api.conftest import REMOVAL

NAMES = ("Testov", "Тестов", "Fiktiv", "1980-01-01")


def _copy(case, reference):
    """A second case with the same timeline, on alice's team."""
    from refuge.cases.actions import casefile_for, import_casefile

    data = casefile_for(case)
    data["reference"] = reference
    return import_casefile(data=data, organisation=case.organisation, user=case.created_by)


def test_a_read_token_cannot_write(api_as, alice, case):
    reader = api_as(alice, "read")
    e3 = case.events.get(key="e3")
    before = (case.events.count(), Case.objects.count())
    answers = [
        reader.post(f"/cases/{case.code}/events", REMOVAL),
        reader.put(f"/cases/{case.code}/events/{e3.code}", {"at": "2026-03-03T17:00:00+03:00"}),
        reader.delete(f"/cases/{case.code}/events/{e3.code}"),
        reader.post("/cases", {"reference": "NEW-1", "host_state": "RU"}),
    ]
    assert [r.status_code for r in answers] == [403] * 4
    assert all(r["Content-Type"] == "application/problem+json" for r in answers)
    assert "write" in answers[0].json()["detail"]
    assert (case.events.count(), Case.objects.count()) == before
    assert reader.get(f"/cases/{case.code}").status_code == 200


def test_write_without_identity_never_sees_a_name(api_as, alice, case):
    writer = api_as(alice, "read", "write")
    added = writer.post(f"/cases/{case.code}/events", {**REMOVAL, "note": "Testov called from the centre"})
    assert added.status_code == 201
    assert added.json()["note"] is None
    created = writer.post(
        "/cases",
        {"reference": "NEW-2", "host_state": "RU", "person": {"names": [{"value": "Testov Fiktiv"}]}},
    )
    assert created.status_code == 201
    bodies = [added, created]
    for path in ("", "/person", "/events", "/deadlines", "/conflicts", "/forums"):
        response = writer.get(f"/cases/{case.code}{path}")
        assert response.status_code == 200
        bodies.append(response)
    bodies += [writer.get("/cases"), writer.get("/alerts"), writer.get(f"/cases/{created.json()['code']}/person")]
    for response in bodies:
        text = response.content.decode()
        assert not [n for n in NAMES if n in text], f"{response.request['PATH_INFO']} shows a name"
    assert writer.get(f"/cases/{case.code}/person").json()["identity"] is None
    assert writer.get(f"/cases/{case.code}/export").status_code == 403
    assert writer.get(f"/cases/{case.code}/filings").status_code == 403
    assert not AuditEvent.objects.filter(type=EventType.IDENTITY_REVEALED).exists()


def test_the_identity_scope_reveals_names_on_record_as_the_page_does(api_as, alice, ana, case):
    person = api_as(alice, "read", "identity").get(f"/cases/{case.code}/person").json()
    assert [n["value"] for n in person["identity"]["names"]] == ["Testov Fiktiv", "Тестов Фиктив"]
    entry = AuditEvent.objects.filter(type=EventType.IDENTITY_REVEALED).get()
    assert (entry.actor_id, entry.target_code, entry.data) == (alice.pk, str(case.code), {"via": "api"})
    assert "Testov" not in json.dumps(entry.data) + json.dumps(entry.fields)
    # An analyst sees no case at all (statistics only, issue 14): the scope alone opens nothing.
    analyst = api_as(ana, "read", "identity")
    for path in (f"/cases/{case.code}/person", f"/cases/{case.code}/export", f"/cases/{case.code}", "/cases"):
        response = analyst.get(path)
        assert response.status_code == 404, path
        assert "Testov" not in response.content.decode() and case.reference not in response.content.decode()
    assert analyst.get("/stats?period=years").status_code == 200  # what the role is for


def test_the_export_is_the_case_file_on_record(api_as, alice, case):
    exported = api_as(alice, "read", "identity").get(f"/cases/{case.code}/export")
    assert exported.status_code == 200
    assert exported.json()["reference"] == case.reference
    assert exported.json()["person"]["names"][0]["value"] == "Testov Fiktiv"
    kinds = set(AuditEvent.objects.filter(target_code=str(case.code)).values_list("type", flat=True))
    assert {EventType.CASE_EXPORTED, EventType.IDENTITY_REVEALED} <= kinds


def test_a_removal_added_through_the_api_raises_what_the_page_raises(api_as, alice, case):
    """One removal_scheduled, on two identical cases: by the page's form on one, by the API on the other."""
    from refuge.alerts.models import Alert, Delivery

    twin = _copy(case, "TST-2026-002")
    client = Client()
    client.force_login(alice)
    with time_machine.travel("2026-03-04T12:00:00+03:00", tick=False):
        page = client.post(
            reverse("event_add", args=[case.code]),
            {
                "new-type": "removal_scheduled",
                "new-date": "2026-03-04",
                "new-time": "10:30",
                "new-removal_at": "2026-03-10T06:00",
                "new-destination": "kp",
                "new-source": "Bailiff's call",
            },
        )
        api = api_as(alice, "read", "write").post(f"/cases/{twin.code}/events", REMOVAL)
    assert page.status_code == 302
    assert api.status_code == 201

    def conflicts(c):
        return sorted((x.kind, x.severity, x.rule, tuple(x.events), x.basis) for x in c.conflicts.all())

    def deadlines(c):
        return sorted((d.key, d.due_at, d.status, d.severity) for d in c.deadlines.all())

    def alerts(c):
        rows = Alert.objects.filter(case=c)
        return sorted((a.kind, a.severity, a.item_key, a.subject.replace(c.reference, "REF")) for a in rows)

    def deliveries(c):
        rows = Delivery.objects.filter(alert__case=c)
        return sorted((d.channel, d.user_id, d.alert.kind) for d in rows)

    assert conflicts(case) == conflicts(twin)
    assert any(kind == "removal_before_final" for kind, *_ in conflicts(twin))
    assert deadlines(case) == deadlines(twin)
    assert alerts(case) == alerts(twin)
    assert any(kind == "conflict_raised" for kind, *_ in alerts(twin))
    assert deliveries(case) == deliveries(twin)
    for c in (case, twin):
        entry = AuditEvent.objects.filter(type=EventType.EVENT_ADDED, target_code=str(c.code)).get()
        assert entry.data["event_type"] == "removal_scheduled"


def test_errors_are_problems_naming_the_bad_field_by_its_json_path(api_as, alice, case):
    writer = api_as(alice, "read", "write")
    missing = writer.post(f"/cases/{case.code}/events", {"at": "2026-03-05"})
    assert missing.status_code == 422
    assert missing["Content-Type"] == "application/problem+json"
    assert missing.json()["errors"] == [{"location": "body", "path": "$.type", "message": "Field required"}]
    bad_at = writer.post(f"/cases/{case.code}/events", {"type": "released", "at": "yesterday"})
    assert bad_at.status_code == 422
    problem = bad_at.json()
    assert problem["type"] == "urn:refuge:problem:invalid-case"
    assert [e["path"] for e in problem["errors"]] == ["$.events[3].at"]
    bad_query = writer.get("/cases?page=many")
    assert bad_query.json()["errors"][0]["location"] == "query"
    assert bad_query.json()["errors"][0]["path"] == "page"


def test_deleting_an_event_others_refer_to_is_refused_with_their_paths(api_as, alice, case):
    e2 = case.events.get(key="e2")
    refused = api_as(alice, "read", "write").delete(f"/cases/{case.code}/events/{e2.code}")
    assert refused.status_code == 422
    assert any(e["path"].startswith("$.events[") for e in refused.json()["errors"])
    assert case.events.filter(pk=e2.pk).exists()


def test_a_foreign_case_answers_as_a_missing_one(api_as, carol, case):
    stranger = api_as(carol, "read", "write", "identity")
    foreign = stranger.get(f"/cases/{case.code}")
    missing = stranger.get("/cases/00000000-0000-4000-8000-000000000000")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert stranger.get("/cases").json()["items"] == []


def test_check_answers_a_report_and_stores_nothing(api_as, alice, case):
    from refuge.cases.actions import casefile_for

    data = casefile_for(case)
    data["reference"] = "CHECK-ONLY"
    before = Case.objects.count()
    report = api_as(alice, "read").post("/check?today=2026-03-05", data)
    assert report.status_code == 200
    assert report.json()["reference"] == "CHECK-ONLY"
    assert report.json()["deadlines"]
    assert Case.objects.count() == before


def test_the_case_list_takes_the_pages_filters(api_as, alice, case):
    reader = api_as(alice, "read")
    assert [c["reference"] for c in reader.get("/cases?nationality=KP").json()["items"]] == [case.reference]
    assert reader.get("/cases?nationality=UZ").json()["items"] == []
    assert reader.get("/cases?status=closed").json()["items"] == []
    assert len(reader.get(f"/cases?member={alice.code}").json()["items"]) == 1


@pytest.mark.slow
def test_a_filing_is_generated_listed_and_downloaded_on_record(api_as, alice, case):
    client = api_as(alice, "read", "write", "identity")
    made = client.post(
        f"/cases/{case.code}/filings",
        {"kind": "client-notice", "lang": "en", "contact_name": "Duty lawyer", "contact_phone": "+7 000"},
    )
    assert made.status_code == 201, made.content
    code = made.json()["code"]
    assert [f["code"] for f in client.get(f"/cases/{case.code}/filings").json()] == [code]
    download = client.get(f"/cases/{case.code}/filings/{code}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(type=EventType.FILING_DOWNLOADED, target_code=str(case.code)).exists()
    refused = client.post(
        f"/cases/{case.code}/filings",
        {"kind": "notify-authority", "lang": "en", "contact_name": "Duty lawyer", "contact_phone": "+7 000"},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["path"] == "$.authority"


def test_an_alert_is_acknowledged_through_the_api_on_record(api_as, alice, case):
    from refuge.alerts.queue import raise_alert

    alert = raise_alert(
        organisation=case.organisation,
        case=case,
        kind="conflict_raised",
        severity="critical",
        subject=f"{case.reference}: Conflict (fictional)",
        recipients=[alice],
    )
    client = api_as(alice, "read", "write")
    assert alert.code in {a["code"] for a in _uuids(client.get("/alerts?unacknowledged=true").json())}
    done = client.post(f"/alerts/{alert.code}/acknowledge")
    assert done.status_code == 200
    assert done.json()["acknowledged_now"] is True
    assert done.json()["alert"]["acknowledged_via"] == "api"
    assert client.post(f"/alerts/{alert.code}/acknowledge").json()["acknowledged_now"] is False
    assert AuditEvent.objects.filter(type=EventType.ALERT_ACKNOWLEDGED, target_code=str(alert.code)).count() == 1


def _uuids(rows):
    import uuid

    return [{**r, "code": uuid.UUID(r["code"])} for r in rows]


def test_a_session_writes_only_with_the_csrf_token(alice, case, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    url = f"/api/v1/cases/{case.code}/events"
    assert client.get(url).status_code == 200
    refused = client.post(url, json.dumps(REMOVAL), content_type="application/json")
    assert refused.status_code == 403
    assert case.events.count() == 3
    client.get(reverse("account"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    done = client.post(url, json.dumps(REMOVAL), content_type="application/json", headers={"X-CSRFToken": token})
    assert done.status_code == 201
    assert case.events.count() == 4


def test_the_contract_is_openapi_3_1_with_problems_and_webhooks(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    answers = schema["paths"]["/api/v1/cases/{code}/events"]["post"]["responses"]
    assert "application/problem+json" in answers["422"]["content"]
    assert schema["components"]["schemas"]["EventIn"]["required"] == ["type", "at"]
    hook = schema["webhooks"]["alert"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert hook == {"$ref": "#/components/schemas/AlertWebhook"}
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"POST /api/v1/cases/{code}/events" in docs.content
    assert b'<script src="http' not in docs.content  # nothing from elsewhere


SMALL_HISTORY = {
    "host_state": "RU",
    "timezone": "Europe/Moscow",
    "first_year": 2025,
    "cohorts": [
        # applied, granted, refused, appealed per year: a grant of 1 in a year must never be published
        {"nationality": "KP", "kind": "refugee_status", "years": [[9, 1, 8, 2], [8, 0, 8, 1]]},
    ],
}


def test_statistics_come_controlled_and_the_export_is_on_record(api_as, org, alice):
    from refuge.cases.actions import import_casefile
    from refuge.stats.history import history_cases

    with time_machine.travel("2026-12-05T09:00:00+00:00", tick=False):
        for casefile in history_cases(SMALL_HISTORY, today=date(2026, 12, 5)):
            import_casefile(data=casefile, organisation=org, user=alice)
        answer = api_as(alice, "read").get("/stats?period=years")
    assert answer.status_code == 200
    body = answer.json()
    assert body["exact"] is False
    cells = [cell for table in body["tables"] for row in table["rows"] for cell in row["cells"]]
    shown = [cell for cell in cells if cell["value"] is not None]
    assert shown, "some cells are published"
    assert all(cell["value"] >= body["threshold"] or cell["value"] == 0 for cell in shown)
    assert any(cell.get("suppressed") for cell in cells)  # the one grant of 2025 is hidden
    assert AuditEvent.objects.filter(type=EventType.STATS_EXPORTED).exists()


def test_the_api_takes_every_warning_code_of_the_review():
    from typing import get_args

    from refuge.api.schemas import WarningCode
    from refuge.filings.checklist import WARNINGS

    assert set(get_args(WarningCode)) == set(WARNINGS)


@pytest.mark.slow
@time_machine.travel("2026-03-11T10:00:00+03:00", tick=False)
def test_an_hrc_request_through_the_api_waits_for_the_rule_number_warning(api_as, alice, org):
    from tests.filings.generation import turkey_case

    case = turkey_case(org, alice)
    client = api_as(alice, "read", "write", "identity")
    body = {
        "kind": "un-interim", "forum": "un_hrc", "contact_name": "Duty lawyer", "contact_phone": "+90 000",
        "power_of_attorney_follows": True,
    }  # fmt: skip
    pending = client.post(f"/cases/{case.code}/filings", body)
    assert pending.status_code == 422, pending.content
    assert pending.json()["type"].endswith("filing-warnings")
    [error] = pending.json()["errors"]
    assert error["path"] == "$.acknowledged"
    assert error["message"].startswith("rule_number_unverified: This filing cites rule 94 of the Human Rights")
    assert not case.filings.exists()
    cat = client.post(f"/cases/{case.code}/filings", {**body, "forum": "un_cat"})
    assert cat.status_code == 201, cat.content  # the CAT's rule 114 needs no acknowledgement
    made = client.post(f"/cases/{case.code}/filings", {**body, "acknowledged": ["rule_number_unverified"]})
    assert made.status_code == 201, made.content
    assert made.json()["forum"] == "un_hrc"
    [ack] = AuditEvent.objects.filter(type=EventType.FILING_WARNING_ACKNOWLEDGED)
    assert ack.data == {"warning": "rule_number_unverified", "kind": "un-interim", "forum": "un_hrc", "via": "api"}
