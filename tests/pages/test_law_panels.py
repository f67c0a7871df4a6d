"""The case page shows the engine's deadlines and conflicts; the dashboard's urgent panel lists them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from refuge.cases import actions

pytestmark = pytest.mark.django_db

# The fixture case: decision received 3 March 2026 (Moscow); the appeal is due 13 March.
ON_4_MARCH = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def march_case(org, alice):
    with time_machine.travel(ON_4_MARCH, tick=False):
        return actions.create_case(
            organisation=org,
            user=alice,
            reference="TST-LAW-01",
            host_state="RU",
            timezone=None,
            person={"nationality": "KP", "stateless": False, "languages": ["ko"]},
            events=[
                {
                    "id": "e1",
                    "type": "decision_issued",
                    "at": "2026-03-03T15:00:00+03:00",
                    "decision": "expulsion",
                    "detention": "foreigners_centre",
                },
                {"id": "e2", "type": "decision_received", "at": "2026-03-03T16:00:00+03:00", "decision_event": "e1"},
                {"id": "e3", "type": "detention_started", "at": "2026-03-02T09:00:00+03:00", "basis": "readmission"},
            ],
        )


def _add_removal_under_measure(case, user) -> None:
    with time_machine.travel(ON_4_MARCH, tick=False):
        actions.record_event(
            case=case,
            user=user,
            type="interim_measure_granted",
            at="2026-03-04T10:00:00+01:00",
            attributes={"forum": "un_hrc", "until": None, "destination": None},
        )
        actions.record_event(
            case=case,
            user=user,
            type="removal_scheduled",
            at="2026-03-04T11:00:00+03:00",
            attributes={"removal_at": "2026-03-12T06:00:00+03:00", "destination": "KP"},
        )


def test_case_page_shows_the_appeal_with_its_basis_alternative_and_safe_date(as_alice, march_case) -> None:
    with time_machine.travel(ON_4_MARCH, tick=False):
        html = as_alice.get(reverse("case_detail", args=[march_case.code])).content.decode()
    section = html[html.index('id="deadlines"') :]
    assert "Appeal against the removal decision" in section
    assert "ru.cao.appeal" in section
    assert "CAO art. 30.3" in section
    assert "RU_4_8_3_1_TEXT" in section
    assert "File by Fri 13 Mar 2026" in section
    assert "Fri 13 Mar, 23:59 MSK" in section, "due at the end of day 10 on Moscow's clock, not UTC's"
    assert re.search(r"in 9 d", section), "the countdown runs in the case's zone to 23:59:59 on 13 March"


def test_unverified_rules_carry_a_badge(as_alice, march_case) -> None:
    # The 48-hour court order on readmission detention is marked unverified in LAW.md.
    with time_machine.travel(ON_4_MARCH, tick=False):
        html = as_alice.get(reverse("case_detail", args=[march_case.code])).content.decode()
    row = html[html.index("Court order on detention (48 hours)") - 400 :][:1200]
    assert "unverified rule" in row


def test_a_removal_under_a_measure_shows_the_conflicts_banner(as_alice, march_case, alice) -> None:
    _add_removal_under_measure(march_case, alice)
    with time_machine.travel(ON_4_MARCH, tick=False):
        html = as_alice.get(reverse("case_detail", args=[march_case.code])).content.decode()
    banner = html[html.index('id="conflicts"') : html.index('id="deadlines"')]
    assert "Removal scheduled while an interim measure is in force" in banner
    assert "severity-critical" in banner
    assert "the detention centre" in banner


def test_case_page_without_conflicts_has_no_banner(as_alice, march_case) -> None:
    with time_machine.travel(ON_4_MARCH, tick=False):
        html = as_alice.get(reverse("case_detail", args=[march_case.code])).content.decode()
    assert 'id="conflicts"' not in html


def test_urgent_panel_lists_critical_conflicts_first_then_deadlines_by_due(as_alice, march_case, alice) -> None:
    _add_removal_under_measure(march_case, alice)
    with time_machine.travel(ON_4_MARCH, tick=False):
        html = as_alice.get(reverse("dashboard")).content.decode()
    panel = html[html.index('id="urgent-panel"') :]
    panel = panel[: panel.index("</section>")]
    conflict = panel.index("Removal scheduled while an interim measure is in force")
    court_order = panel.index("Court order on detention (48 hours)")
    appeal = panel.index("Appeal against the removal decision")
    assert conflict < appeal
    assert "TST-LAW-01" in panel
    # Both deadlines are open; the earlier one is listed first. The 48-hour clock ran out on
    # 4 March 09:00 Moscow time: overdue at 12:00 Moscow.
    assert court_order < appeal
    assert "overdue since" in panel
    assert "Wed 4 Mar, 09:00 MSK" in panel, "the 48-hour clock ends on the case's clock"


def test_urgent_panel_never_shows_cases_outside_the_team(as_bob, as_carol, march_case, alice) -> None:
    _add_removal_under_measure(march_case, alice)
    for client in (as_bob, as_carol):
        with time_machine.travel(ON_4_MARCH, tick=False):
            html = client.get(reverse("dashboard")).content.decode()
        assert "TST-LAW-01" not in html
        assert "No urgent items" in html


def test_the_admin_sees_the_organisations_urgent_items(as_adam, march_case, alice) -> None:
    _add_removal_under_measure(march_case, alice)
    with time_machine.travel(ON_4_MARCH, tick=False):
        html = as_adam.get(reverse("dashboard")).content.decode()
    assert "TST-LAW-01" in html[html.index('id="urgent-panel"') :]
