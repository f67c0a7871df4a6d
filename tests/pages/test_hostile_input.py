"""Hostile input on the forms: extreme dates, odd references, bidi controls, a case at its event limit.

Each is refused with the form's message (or cleaned), never a server error.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from refuge.casefile import validate
from refuge.cases.models import Case
from tests.pages.test_events import add_url, removal
from tests.pages.test_intake import intake

EXTREME = ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"]


@pytest.mark.parametrize("day", EXTREME)
def test_an_event_on_an_extreme_date_is_refused(as_alice, case, day: str) -> None:
    before = case.events.count()
    r = as_alice.post(add_url(case), removal(**{"new-date": day}))
    assert r.status_code == 422
    assert "between the years 1900 and 2200" in r.content.decode()
    assert case.events.count() == before


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "9999-12-31T23:00-05:00", "0001-01-01T00:30+01:00"])
def test_an_extreme_removal_time_is_refused(as_alice, case, when: str) -> None:
    r = as_alice.post(add_url(case), removal(**{"new-removal_at": when}))
    assert r.status_code == 422
    assert "between the years 1900 and 2200" in r.content.decode()


@pytest.mark.parametrize("field", ["birth_date", "det_date", "rem_date"])
def test_the_intake_refuses_extreme_dates(as_alice, field: str) -> None:
    r = as_alice.post(reverse("case_new"), intake(**{field: "9999-12-31"}))
    assert r.status_code == 422 and not Case.objects.exists()


def test_the_audit_filter_refuses_extreme_dates(as_adam) -> None:
    r = as_adam.get(reverse("audit_log"), {"date_to": "9999-12-31", "date_from": "0001-01-01"})
    assert r.status_code == 200
    assert "between the years 1900 and 2200" in r.content.decode()


@pytest.mark.parametrize("reference", ["SPB-1\r\nBcc: x@example.org", "SPB 1", "<b>1</b>", "-SPB", "Ри-1"])
def test_the_intake_refuses_a_reference_outside_its_characters(as_alice, reference: str) -> None:
    r = as_alice.post(reverse("case_new"), intake(reference=reference))
    assert r.status_code == 422 and not Case.objects.exists()
    assert "letters, digits" in r.content.decode() or "1 to 40 characters" in r.content.decode()


def test_bidi_controls_are_removed_from_names(as_alice) -> None:
    r = as_alice.post(reverse("case_new"), intake(**{"names-1-value": "Ri \u202eGyun\u202c Song\u2066\u200f"}))
    assert r.status_code == 302
    person = Case.objects.get().person
    assert [n["value"] for n in person.names] == ["Ри Сон Гюн", "Ri Gyun Song"]


def test_an_event_past_the_case_s_limit_is_refused(as_alice, case, monkeypatch) -> None:
    monkeypatch.setattr(validate, "MAX_EVENTS", case.events.count())
    r = as_alice.post(add_url(case), removal())
    assert r.status_code == 422
    assert f"at most {case.events.count()}" in r.content.decode()
