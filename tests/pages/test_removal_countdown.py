"""The next removal's countdown on the case header, the case list and the urgent panel; its
protection in the engine's words (the report's `removals`), never decided by the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from refuge.cases.actions import record_event
from refuge.cases.derived import CaseCheck

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 4, 23, 0, tzinfo=UTC)  # Thu 5 Mar, 02:00 in Moscow
REMOVAL = {"removal_at": "2026-03-08T06:00:00+03:00", "destination": "KP"}


@pytest.fixture
def scheduled(case, alice):
    with time_machine.travel(NOW, tick=False):
        record_event(
            case=case, user=alice, type="removal_scheduled", at="2026-03-04T10:00:00+03:00", attributes=REMOVAL
        )
    return case


def _say(case, **removal) -> None:
    """What the engine reports of the removal (the `removals` contract of refuge.check/1)."""
    check = CaseCheck.objects.get(case=case)
    event = case.events.get(type="removal_scheduled").key
    check.report = {
        **check.report,
        "removals": [
            {"event": event, "removal_at": REMOVAL["removal_at"], "destination": "KP", "status": "scheduled", **removal}
        ],
    }
    check.save(update_fields=["report"])


def _page(as_alice, url: str) -> str:
    with time_machine.travel(NOW, tick=False):
        return as_alice.get(url).content.decode()


def test_the_header_counts_down_and_says_not_protected_with_what_to_file(as_alice, scheduled) -> None:
    _say(scheduled, protected=False, protected_by=None, file_now=["un_interim_request"])
    html = _page(as_alice, scheduled.get_absolute_url())
    head = html[html.index('class="page-head case-head"') : html.index('class="case-grid"')]
    assert "Removal to North Korea in 3 d 4 h" in head
    assert "Sun 8 Mar, 06:00 MSK" in head
    assert "— not protected" in head and "File now:" in head
    assert "removal-countdown unprotected" in head


def test_the_header_names_the_measure_that_protects(as_alice, scheduled) -> None:
    by = {
        "event": "e9",
        "forum": "un_hrc",
        "granted_at": "2026-03-04T17:00:00+01:00",
        "destination": "KP",
        "until": None,
    }
    _say(scheduled, protected=True, protected_by=by, file_now=[])
    head = _page(as_alice, scheduled.get_absolute_url())
    assert "— protected by the UN Human Rights Committee&#x27;s interim measure" in head
    assert "removal-countdown protected" in head


def test_without_the_engines_word_the_page_does_not_guess(as_alice, scheduled) -> None:
    _say(scheduled, file_now=[])  # the removal, with nothing said of its protection
    html = _page(as_alice, scheduled.get_absolute_url())
    assert "Removal to North Korea in 3 d 4 h" in html
    assert "protection not assessed by the engine" in html


def test_the_report_is_the_only_source_of_removals(as_alice, scheduled) -> None:
    check = CaseCheck.objects.get(case=scheduled)
    check.report = {k: v for k, v in check.report.items() if k != "removals"}
    check.save(update_fields=["report"])
    html = _page(as_alice, scheduled.get_absolute_url())
    assert "removal-countdown" not in html  # the timeline's removal event is not read a second time
    assert "removal-countdown" not in _page(as_alice, reverse("case_list"))


def test_a_cancelled_removal_counts_down_nowhere(as_alice, scheduled) -> None:
    _say(scheduled, status="cancelled", protected=False, protected_by=None, file_now=[])
    assert "removal-countdown" not in _page(as_alice, scheduled.get_absolute_url())
    assert "removal-countdown" not in _page(as_alice, reverse("case_list"))


def test_the_case_list_and_the_urgent_panel_show_the_countdown(as_alice, scheduled) -> None:
    _say(scheduled, protected=False, protected_by=None, file_now=["un_interim_request"])
    listed = _page(as_alice, reverse("case_list"))
    assert "Next removal" in listed and "Removal to North Korea in 3 d 4 h" in listed
    panel = _page(as_alice, reverse("dashboard"))
    panel = panel[panel.index('id="urgent-panel"') :]
    first = panel[panel.index('<li class="urgent-item') : panel.index("</li>")]
    assert "severity-critical" in first and "Removal to North Korea" in first  # the removal comes first
