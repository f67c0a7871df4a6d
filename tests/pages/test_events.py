"""Adding, editing and deleting timeline events: inline with htmx, and as plain pages without JS."""

from __future__ import annotations

from django.urls import reverse

from refuge.cases.models import Event
from tests.pages.conftest import HTMX, event


def add_url(case):
    return reverse("event_add", args=[case.code])


def removal(**extra: str) -> dict[str, str]:
    data = {
        "new-type": "removal_scheduled",
        "new-date": "2026-03-04",
        "new-time": "10:30",
        "new-removal_at": "2026-03-10T06:00",
        "new-destination": "kp",
        "new-source": "Bailiff's call",
    }
    data.update(extra)
    return data


def test_it_adds_an_event_read_on_the_case_clock(as_alice, case):
    r = as_alice.post(add_url(case), removal())
    added = case.events.get(type="removal_scheduled")
    assert r.status_code == 302
    assert r["Location"] == f"{case.get_absolute_url()}#event-{added.code}"
    assert added.key == "e4"
    assert added.at_iso() == "2026-03-04T10:30:00+03:00"
    assert added.attributes == {"removal_at": "2026-03-10T06:00:00+03:00", "destination": "KP"}
    assert added.source == "Bailiff's call"
    assert added.author.username == "alice"


def test_it_adds_a_date_only_event_when_the_time_is_empty(as_alice, case):
    as_alice.post(add_url(case), {"new-type": "released", "new-date": "2026-03-06"})
    released = case.events.get(type="released")
    assert released.date_only
    assert released.at_iso() == "2026-03-06"


def test_it_keeps_an_explicit_offset(as_alice, case):
    as_alice.post(
        add_url(case), {"new-type": "released", "new-date": "2026-03-06", "new-time": "09:00", "new-offset": "+01:00"}
    )
    assert case.events.get(type="released").at_iso() == "2026-03-06T09:00:00+01:00"


def test_htmx_add_answers_with_the_new_timeline(as_alice, case):
    r = as_alice.post(add_url(case), removal(), **HTMX)
    assert r.status_code == 200
    assert r["HX-Retarget"] == "#timeline"
    html = r.content.decode()
    assert html.lstrip().startswith('<section id="timeline"')
    assert "Removal scheduled" in html and "Tue 10 Mar, 06:00 MSK" in html
    assert 'data-hx-swap-oob="true"' in html and "Event e4 (Removal scheduled) added." in html
    assert "<html" not in html


def test_it_shows_errors_and_keeps_the_input(as_alice, case):
    r = as_alice.post(add_url(case), removal(**{"new-removal_at": "", "new-destination": "Korea"}))
    assert r.status_code == 422
    html = r.content.decode()
    assert "This field is required." in html
    assert "Korea is not a country Refuge knows" in html
    assert 'value="Bailiff&#x27;s call"' in html  # input kept
    assert 'aria-invalid="true"' in html
    assert not case.events.filter(type="removal_scheduled").exists()


def test_htmx_errors_come_back_in_the_form_fragment(as_alice, case):
    r = as_alice.post(add_url(case), removal(**{"new-date": ""}), **HTMX)
    assert r.status_code == 422
    html = r.content.decode()
    assert html.lstrip().startswith('<div id="event-add"')
    assert "This field is required." in html
    assert "HX-Retarget" not in r


def test_case_file_problems_appear_next_to_their_field(as_alice, case):
    # e9 does not exist: the case-file validator refuses, and its problem lands on the field.
    data = {"new-type": "appeal_lodged", "new-date": "2026-03-05", "new-decision_event": "e2"}
    ok = as_alice.post(add_url(case), data)
    assert ok.status_code == 302
    bad = as_alice.post(add_url(case), {"new-type": "removal_cancelled", "new-date": "2026-03-05"})
    assert bad.status_code == 422
    assert "removal_event" in bad.content.decode()


def test_without_js_the_type_button_shows_its_fields_and_keeps_input(as_alice, case):
    r = as_alice.post(add_url(case), {"new-type": "decision_issued", "new-date": "2026-03-07", "_fields": "1"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="new-decision"' in html and 'name="new-authority"' in html
    assert 'value="2026-03-07"' in html
    assert "errorlist" not in html
    assert not case.events.filter(type="decision_issued").exclude(key="e2").exists()


def test_event_fields_gives_the_fields_of_a_type(as_alice, case):
    url = reverse("event_fields", args=[case.code])
    html = as_alice.get(url, {"new-type": "decision_received"}, **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="new-attrs"')
    assert 'name="new-decision_event"' in html
    assert '<option value="e2" selected>' in html  # the latest decision is suggested
    empty = as_alice.get(url, {"new-type": "nonsense"}).content.decode()
    assert "Choose the event" in empty


def test_the_case_page_fetches_the_add_form_when_asked(as_alice, case):
    html = as_alice.get(case.get_absolute_url()).content.decode()
    assert 'name="new-type"' not in html  # not built on every view of the case
    assert f'href="{add_url(case)}" data-hx-get="{add_url(case)}" data-hx-target="#event-add"' in html
    fragment = as_alice.get(add_url(case), **HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="event-add"')
    assert 'name="new-type"' in fragment


def test_the_type_select_loads_fields_with_htmx_data_attributes(as_alice, case):
    html = as_alice.get(add_url(case), **HTMX).content.decode()
    assert f'data-hx-get="{reverse("event_fields", args=[case.code])}"' in html
    assert 'data-hx-target="#new-attrs"' in html
    assert " hx-" not in html  # behaviour only through data- attributes


def test_it_edits_an_event(as_alice, case):
    e2 = event(case, "e2")
    url = reverse("event_edit", args=[case.code, e2.code])
    prefix = f"ev-{e2.code.hex[:12]}"
    page = as_alice.get(url).content.decode()
    assert f'name="{prefix}-date" value="2026-03-03"' in page
    assert f'name="{prefix}-time" value="15:00"' in page
    r = as_alice.post(
        url,
        {
            f"{prefix}-date": "2026-03-03",
            f"{prefix}-time": "14:00",
            f"{prefix}-decision": "deportation",
            f"{prefix}-detention": "none",
            f"{prefix}-authority": "Other court (fictional)",
        },
    )
    assert r.status_code == 302
    e2.refresh_from_db()
    assert e2.at_iso() == "2026-03-03T14:00:00+03:00"
    assert e2.attributes == {"decision": "deportation", "detention": "none"}
    assert e2.text_attributes == {"authority": "Other court (fictional)"}
    assert e2.type == "decision_issued"


def test_htmx_edit_form_replaces_the_event_row(as_alice, case):
    e1 = event(case, "e1")
    url = reverse("event_edit", args=[case.code, e1.code])
    html = as_alice.get(url, **HTMX).content.decode()
    assert html.lstrip().startswith(f'<li id="event-{e1.code}" class="event editing">')
    assert "<html" not in html


def test_edit_errors_keep_the_input(as_alice, case):
    e1 = event(case, "e1")
    prefix = f"ev-{e1.code.hex[:12]}"
    url = reverse("event_edit", args=[case.code, e1.code])
    r = as_alice.post(
        url, {f"{prefix}-date": "2026-03-02", f"{prefix}-time": "25:00", f"{prefix}-place": "Centre 7"}, **HTMX
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "Enter a valid time." in html
    assert 'value="Centre 7"' in html
    e1.refresh_from_db()
    assert e1.attributes == {"basis": "administrative"}


def test_it_refuses_to_delete_an_event_others_refer_to(as_alice, case):
    e2 = event(case, "e2")
    url = reverse("event_delete", args=[case.code, e2.code])
    r = as_alice.post(url)
    assert r.status_code == 422
    assert "Event e3 (Decision received)" in r.content.decode()
    assert Event.objects.filter(pk=e2.pk).exists()


def test_htmx_delete_refusal_is_shown_at_the_event(as_alice, case):
    e2 = event(case, "e2")
    r = as_alice.post(reverse("event_delete", args=[case.code, e2.code]), **HTMX)
    assert r.status_code == 422
    assert r["HX-Retarget"] == "#timeline"
    assert "Not deleted." in r.content.decode()


def test_it_deletes_an_event(as_alice, case):
    e3 = event(case, "e3")
    url = reverse("event_delete", args=[case.code, e3.code])
    confirm = as_alice.get(url)
    assert confirm.status_code == 200 and "Delete event e3?" in confirm.content.decode()
    r = as_alice.post(url)
    assert r.status_code == 302
    assert not Event.objects.filter(pk=e3.pk).exists()


def test_htmx_delete_answers_with_the_timeline(as_alice, case):
    e3 = event(case, "e3")
    r = as_alice.post(reverse("event_delete", args=[case.code, e3.code]), **HTMX)
    assert r.status_code == 200
    assert "Event e3 (Decision received) deleted." in r.content.decode()
    assert f'id="event-{e3.code}"' not in r.content.decode()


def test_get_never_changes_anything(as_alice, case):
    e3 = event(case, "e3")
    as_alice.get(reverse("event_delete", args=[case.code, e3.code]))
    as_alice.get(add_url(case), removal())
    assert case.events.count() == 3


def test_an_event_of_another_case_is_404(as_alice, case, org, alice):
    from refuge.cases.actions import create_case

    other = create_case(
        organisation=org,
        user=alice,
        reference="TST-2026-002",
        host_state="RU",
        timezone="Europe/Moscow",
        person={},
        events=[{"id": "e1", "type": "released", "at": "2026-03-01"}],
    )
    foreign = other.events.get()
    assert as_alice.get(reverse("event_edit", args=[case.code, foreign.code])).status_code == 404
    assert as_alice.post(reverse("event_delete", args=[case.code, foreign.code])).status_code == 404
    assert Event.objects.filter(pk=foreign.pk).exists()


def test_problem_paths_map_to_fields_or_name_their_event(case):
    from refuge.casefile.validate import Problem
    from refuge.cases.forms.common import add_problems
    from refuge.cases.forms.events import EventForm

    form = EventForm({"new-type": "removal_scheduled", "new-date": "2026-03-04"}, case=case, prefix="new")
    form.is_valid()
    add_problems(
        form,
        [
            Problem("$.events[3].removal_at", "is not a real date-time"),
            Problem("$.events[3].at", "is not a real date or date-time"),
            Problem("$.events[2].decision_event", "refers to no event in this case"),
        ],
        event_keys=["e1", "e2", "e3", "e4"],
        event_types={"e3": "decision_received"},
    )
    assert "is not a real date-time" in form.errors["removal_at"]
    assert "is not a real date or date-time" in form.errors["date"]
    assert form.non_field_errors() == ["Event e3 (Decision received), decision event: refers to no event in this case"]


def test_htmx_swaps_put_keyboard_focus_where_work_goes_on(as_alice, case):
    added = as_alice.post(add_url(case), removal(), **HTMX).content.decode()
    assert 'name="new-type"' in added
    select = added[added.index('<select name="new-type"') :]
    assert "autofocus" in select[: select.index(">")]  # ready for the next event

    refused = as_alice.post(add_url(case), removal(**{"new-removal_at": ""}), **HTMX).content.decode()
    field = refused[refused.index('name="new-removal_at"') - 200 :]
    assert "autofocus" in field[: field.index(">", 200)]  # the first field in error

    e1 = event(case, "e1")
    prefix = f"ev-{e1.code.hex[:12]}"
    url = reverse("event_edit", args=[case.code, e1.code])
    saved = as_alice.post(url, {f"{prefix}-date": "2026-03-02", f"{prefix}-basis": "criminal"}, **HTMX).content.decode()
    assert f'<li id="event-{e1.code}" class="event" tabindex="-1" autofocus>' in saved


def test_a_second_removal_replaces_the_first_only_when_the_lawyer_says_so(as_alice, case):
    as_alice.post(add_url(case), removal())
    as_alice.post(add_url(case), removal(**{"new-date": "2026-03-05", "new-removal_at": "2026-03-12T06:00"}))
    first, second = case.events.filter(type="removal_scheduled").order_by("at")
    url = reverse("event_fields", args=[case.code])
    html = as_alice.get(url, {"new-type": "removal_scheduled"}, **HTMX).content.decode()
    assert 'name="new-replaces"' in html
    assert f'<option value="{second.key}" selected>' not in html  # a rescheduling is never the default
    assert f'<option value="{first.key}" selected>' not in html
    as_alice.post(
        add_url(case),
        removal(**{"new-date": "2026-03-06", "new-removal_at": "2026-03-14T06:00", "new-replaces": second.key}),
    )
    third = case.events.filter(type="removal_scheduled").order_by("at").last()
    assert third.attributes["replaces"] == second.key
