"""Each deadline shows the calendar it was counted on; an unconfirmed one shows its safe date first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from refuge.cases import actions
from refuge.rules.calendars import HOLIDAYS_VERSION
from tests.pages.conftest import client_for

pytestmark = pytest.mark.django_db


def _case(org, alice, reference: str, applied: str, today: datetime):
    with time_machine.travel(today, tick=False):
        return actions.create_case(
            organisation=org,
            user=alice,
            reference=reference,
            host_state="RU",
            timezone=None,
            person={"nationality": "KP", "stateless": False, "languages": ["ko"]},
            events=[{"id": "e1", "type": "asylum_applied", "at": applied, "kind": "refugee_status"}],
        )


def test_an_unconfirmed_deadline_shows_the_safe_date_first_and_the_calendar(org, alice) -> None:
    # Tue 19 Feb 2030: 5 working days end Wed 27 Feb (Mon 25 off by art. 112(2)); safe date Tue 26 Feb
    day = datetime(2030, 2, 19, 9, 0, tzinfo=UTC)
    case = _case(org, alice, "TST-CAL-01", "2030-02-19", day)
    row = case.deadlines.get(kind="authority_decision")
    assert row.unconfirmed_years == "2030" and "CALENDAR_UNCONFIRMED" in row.flags
    with time_machine.travel(day, tick=False):
        html = client_for(alice).get(reverse("case_detail", args=[case.code])).content.decode()
    safe, due = html.find("File by Tue 26 Feb 2030"), html.find("Wed 27 Feb, 23:59 MSK")
    assert 0 <= safe < due
    assert "no decree on days off yet for 2030" in html
    assert f"Counted on the RU calendar (RU; holidays {HOLIDAYS_VERSION}; decrees known through" in html


def test_a_confirmed_deadline_shows_its_calendar_and_no_unconfirmed_note(org, alice) -> None:
    day = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    case = _case(org, alice, "TST-CAL-02", "2026-03-02T10:00:00+03:00", day)
    row = case.deadlines.get(kind="authority_decision")
    assert row.unconfirmed_years == "" and row.calendar["name"] == "ru"
    with time_machine.travel(day, tick=False):
        html = client_for(alice).get(reverse("case_detail", args=[case.code])).content.decode()
    assert "Counted on the RU calendar" in html and f"holidays {HOLIDAYS_VERSION}" in html
    assert "no decree on days off yet" not in html
