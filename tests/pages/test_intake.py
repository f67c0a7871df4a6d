"""The one-page intake of a new urgent case."""

from __future__ import annotations

from django.urls import reverse

from refuge.cases.models import Case


def intake(**changes: str) -> dict[str, str]:
    data = {
        "reference": "SPB-2026-014",
        "status": "urgent",
        "host_state": "ru",
        "timezone": "Europe/Moscow",
        "names-TOTAL_FORMS": "3",
        "names-INITIAL_FORMS": "0",
        "names-MIN_NUM_FORMS": "0",
        "names-MAX_NUM_FORMS": "12",
        "names-0-value": "Ри Сон Гюн",
        "names-0-script": "",
        "names-1-value": "Ri Song Gyun",
        "names-1-script": "Latn",
        "nationality": "KP",
        "languages": "ko, ru",
        "birth_date": "1971-03-02",
        "det_date": "2026-03-02",
        "det_time": "09:00",
        "det_basis": "administrative",
        "dec_date": "2026-03-03",
        "dec_time": "15:00",
        "dec_decision": "expulsion",
        "dec_detention": "foreigners_centre",
        "dec_authority": "Kolpino District Court",
        "rec_date": "2026-03-03",
        "rec_time": "16:00",
        "rem_removal_at": "2026-03-10T06:00",
        "rem_destination": "KP",
        "rem_date": "2026-03-04",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_it_opens_a_case_with_client_and_first_events(as_alice, alice):
    r = as_alice.post(reverse("case_new"), intake())
    case = Case.objects.get(reference="SPB-2026-014")
    assert r.status_code == 302 and r["Location"] == case.get_absolute_url()
    assert case.status == "urgent" and case.host_state == "RU" and case.timezone == "Europe/Moscow"
    assert list(case.team.all()) == [alice]
    person = case.person
    assert person.names == [{"value": "Ри Сон Гюн", "script": "Cyrl"}, {"value": "Ri Song Gyun", "script": "Latn"}]
    assert person.nationality == "KP" and person.languages == ["ko", "ru"]
    events = {e.key: e for e in case.events.all()}
    assert [(k, e.type) for k, e in sorted(events.items())] == [
        ("e1", "detention_started"),
        ("e2", "decision_issued"),
        ("e3", "decision_received"),
        ("e4", "removal_scheduled"),
    ]
    assert events["e2"].at_iso() == "2026-03-03T15:00:00+03:00"
    assert events["e2"].text_attributes["authority"] == "Kolpino District Court"
    assert events["e3"].attributes == {"decision_event": "e2"}
    assert events["e4"].attributes == {"removal_at": "2026-03-10T06:00:00+03:00", "destination": "KP"}
    assert events["e4"].at_iso() == "2026-03-04"


def test_it_needs_only_the_case_itself(as_alice):
    data = {
        k: v for k, v in intake().items() if not k.startswith(("det_", "dec_", "rec_", "rem_", "names-0", "names-1"))
    }
    r = as_alice.post(reverse("case_new"), data)
    assert r.status_code == 302
    assert Case.objects.get(reference="SPB-2026-014").events.count() == 0


def test_it_shows_errors_and_keeps_every_input(as_alice):
    r = as_alice.post(reverse("case_new"), intake(timezone="Mars/Olympus", det_basis="", host_state="Ruritania"))
    assert r.status_code == 422
    html = r.content.decode()
    assert "Use an IANA time zone name" in html
    assert "Needed for this event." in html
    assert "Ruritania is not a country Refuge knows" in html
    assert 'value="Ri Song Gyun"' in html and 'value="Kolpino District Court"' in html
    assert 'value="2026-03-10T06:00"' in html
    assert not Case.objects.exists()


def test_receipt_needs_the_decision(as_alice):
    r = as_alice.post(
        reverse("case_new"), intake(dec_date="", dec_time="", dec_decision="", dec_detention="", dec_authority="")
    )
    assert r.status_code == 422
    assert "Receipt of a decision needs the decision above." in r.content.decode()


def test_a_taken_reference_is_shown_on_its_field(as_alice, case):
    r = as_alice.post(reverse("case_new"), intake(reference=case.reference))
    assert r.status_code == 422
    html = r.content.decode()
    field = html[html.index('class="field field-reference') :]
    assert "already exists" in field[: field.index("</div>\n", field.index("<input")) + 400]
    assert Case.objects.count() == 1


def test_the_page_title_and_url_carry_no_identity(as_alice):
    r = as_alice.post(reverse("case_new"), intake(reference=""))
    html = r.content.decode()
    title = html[html.index("<title>") : html.index("</title>")]
    assert "Ri Song" not in title and "Ри" not in title


def test_analysts_cannot_open_cases(as_ana):
    assert as_ana.get(reverse("case_new")).status_code == 404
    assert as_ana.post(reverse("case_new"), intake()).status_code == 404
    assert not Case.objects.exists()


def test_the_form_is_one_page_with_labels(as_alice):
    html = as_alice.get(reverse("case_new")).content.decode()
    for name in ("reference", "host_state", "timezone", "det_date", "dec_decision", "rec_date", "rem_removal_at"):
        assert f'for="id_{name}"' in html
    assert 'list="timezones"' in html and '<option value="Europe/Moscow">' in html


def test_an_empty_time_zone_takes_the_host_states(as_alice):
    r = as_alice.post(reverse("case_new"), intake(timezone=""))
    assert r.status_code == 302
    case = Case.objects.get(reference="SPB-2026-014")
    assert case.timezone == "Europe/Moscow" and not case.timezone_explicit
    assert case.events.get(key="e2").at_iso() == "2026-03-03T15:00:00+03:00"


def test_a_host_state_without_a_default_zone_needs_one(as_alice):
    r = as_alice.post(reverse("case_new"), intake(timezone="", host_state="BV"))
    assert r.status_code == 422
    assert "No rule pack gives this host state a default zone" in r.content.decode()


def test_typed_country_names_are_read_as_their_code(as_alice):
    as_alice.post(reverse("case_new"), intake(nationality="North Korea", rem_destination="КНДР", host_state="Россия"))
    case = Case.objects.get(reference="SPB-2026-014")
    assert (case.host_state, case.person.nationality) == ("RU", "KP")
    assert case.events.get(type="removal_scheduled").attributes["destination"] == "KP"


def test_unknown_countries_are_refused_on_their_fields(as_alice):
    r = as_alice.post(reverse("case_new"), intake(nationality="ZZ", host_state="XX", rem_destination="North Korean"))
    assert r.status_code == 422
    assert not Case.objects.filter(reference="SPB-2026-014").exists()
    page = r.content.decode()
    assert page.count("is not a country Refuge knows") == 3


def test_the_country_fields_are_selects_searchable_in_three_languages(as_alice):
    page = as_alice.get(reverse("case_new")).content.decode()
    assert '<select name="nationality"' in page
    assert "북한" in page and "кндр" in page
