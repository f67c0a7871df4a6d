"""The case list's and the dashboard's rows, built in Python, show what their templates showed.

The templates they replaced are the reference (list_rows_reference.html; the removal countdown's is
the case page's own `cases/_removal_countdown.html`): each sample is rendered both ways, in English,
Russian and Korean, at a frozen instant, and the HTML compared with runs of white space read as one.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Engine
from django.utils import translation

from refuge.cases.models import Case, Person
from refuge.cases.removals import Removal
from refuge.cases.urgent import UrgentItem, removal_item

OLD_ROWS = (Path(__file__).parent / "list_rows_reference.html").read_text(encoding="utf-8")
NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
NEW_YEAR = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 2026 in Seoul: the year shows, or not, by the case's clock


def _case(reference: str, status: str, zone: str, updated: datetime, *, person: dict | None, team: list[str]) -> Case:
    case = Case(
        code=uuid.uuid4(), reference=reference, status=status, host_state="RU", timezone=zone, updated_at=updated
    )
    if person is not None:
        case.person = Person(**person)
    case.team_names = team  # type: ignore[attr-defined]  # as the view sets it
    case.next_removal = None  # type: ignore[attr-defined]
    return case


def _removal(case: Case, *, at: datetime, destination: str | None, protected: bool | None, **more) -> Removal:
    return Removal(
        case=case, event="e<3>", removal_at=at, destination=destination, status="scheduled", protected=protected, **more
    )


def _samples() -> list[Case]:
    """Every state a row shows: each status, stateless or not, a nationality or none, no client at all,
    a removal protected (by a measure with an end, or none), unprotected with something to file, not
    assessed, to any country; teams of none, one, several with markup; this year and another."""
    cases = [
        _case("A-1", "urgent", "Europe/Moscow", NOW - timedelta(hours=2), person={"nationality": "UZ"}, team=["alice"]),
        _case("<b>&'\"", "open", "Asia/Seoul", NEW_YEAR, person={"stateless": True}, team=[]),
        _case("C-3", "dormant", "Asia/Tashkent", NOW, person={"nationality": ""}, team=["a<b>", "bob & co", "d'x"]),
        _case("D-4", "closed", "UTC", datetime(2020, 1, 1, tzinfo=UTC), person=None, team=["zed"]),
        _case("E-5", "open", "Europe/Berlin", NOW - timedelta(days=40), person={"nationality": "KP"}, team=[]),
        _case("F-6", "urgent", "America/New_York", NOW, person={"nationality": "TJ"}, team=["x"]),
        _case("G-7", "open", "Europe/Moscow", NOW, person={"nationality": "AF"}, team=[]),
    ]
    cases[0].next_removal = _removal(  # type: ignore[attr-defined]
        cases[0],
        at=NOW + timedelta(days=2, hours=3),
        destination="UZ",
        protected=False,
        file_now=("echr_rule39_request", "un_interim_request"),
    )
    cases[1].next_removal = _removal(  # type: ignore[attr-defined]
        cases[1],
        at=NOW + timedelta(minutes=40),
        destination=None,
        protected=True,
        protected_by={"forum": "echr", "until": "2026-06-01T00:00:00+03:00"},
    )
    cases[2].next_removal = _removal(cases[2], at=NOW + timedelta(days=9), destination="KP", protected=None)  # type: ignore[attr-defined]
    cases[4].next_removal = _removal(  # type: ignore[attr-defined]
        cases[4], at=NOW - timedelta(hours=3), destination="TJ", protected=True, protected_by={"forum": "un_cat"}
    )
    cases[5].next_removal = _removal(  # type: ignore[attr-defined]
        cases[5], at=NOW + timedelta(days=400), destination="RU", protected=True, protected_by=None
    )
    return cases


def _normal(html: str) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def _render(source: str, context: dict, lang: str) -> str:
    with translation.override(lang), time_machine.travel(NOW, tick=False):
        return Engine.get_default().from_string(source).render(Context(context))


@pytest.mark.parametrize("lang", ["en", "ru", "ko"])
def test_the_case_list_s_rows_are_the_html_their_template_made(lang: str) -> None:
    cases = _samples()
    context = {"cases": cases, "now": NOW, "list": True}
    old = _render(OLD_ROWS, context, lang)
    new = _render("{% load refuge_rows %}{% case_list_rows cases now %}", context, lang)
    assert _normal(new) == _normal(old)
    assert new.count("<tr>") == len(cases) and new.count("removal-countdown") == 5


@pytest.mark.parametrize("lang", ["en", "ru", "ko"])
def test_the_dashboard_s_rows_are_the_html_their_template_made(lang: str) -> None:
    cases = _samples()
    context = {"my_cases": cases, "list": False}
    old = _render(OLD_ROWS, context, lang)
    new = _render("{% load refuge_rows %}{% my_case_rows my_cases %}", context, lang)
    assert _normal(new) == _normal(old)
    assert new.count("<tr>") == len(cases)


@pytest.mark.parametrize("lang", ["en", "ru", "ko"])
@pytest.mark.parametrize("compact", [True, False])
@pytest.mark.parametrize("brief", [True, False])
def test_a_countdown_is_the_html_of_the_case_page_s_template(lang: str, compact: bool, brief: bool) -> None:
    for case in _samples():
        if case.next_removal is None:  # type: ignore[attr-defined]
            continue
        context = {"removal": case.next_removal, "now": NOW, "compact": compact, "brief": brief}  # type: ignore[attr-defined]
        old = _render('{% include "cases/_removal_countdown.html" %}', context, lang)
        new = _render("{% load refuge_rows %}{% removal_countdown_html removal now compact brief %}", context, lang)
        assert _normal(new) == _normal(old)


OLD_URGENT = (Path(__file__).parent / "urgent_items_reference.html").read_text(encoding="utf-8")


def _urgent(severity: str, reference: str, *, url: str = "/c/#deadlines", title: str = "Appeal", **more) -> UrgentItem:
    return UrgentItem(severity=severity, reference=reference, url=url, title=title, **more)


def _urgent_samples() -> list:
    """Every kind of urgent item: removals (each verdict), a conflict, deadlines due at an instant (ahead,
    overdue, on the digest's clock), on a day, learnt late, without a date; no link; no severity; markup."""
    removals = [case.next_removal for case in _samples() if case.next_removal is not None]  # type: ignore[attr-defined]
    items: list = [removal_item(r) for r in removals]
    items += [
        _urgent("critical", "K-1", title="Removal <during> measure", kind="conflict"),
        _urgent("high", "K-2", due=NOW + timedelta(days=3), zone="Europe/Moscow"),
        _urgent("medium", "K-3", due=NOW - timedelta(hours=5), zone="Asia/Seoul", overdue=True),
        _urgent("info", "K-4", due=date(2026, 3, 9), zone="Asia/Tashkent"),
        _urgent("critical", "K-5", url="", due=NOW - timedelta(days=1), late_notice=True, zone="Europe/Berlin"),
        _urgent("", "K-6&", url="/c/?a=1&b=2", title="Nothing due"),
        _urgent("high", "K-7", title="The digest's clock", due=NOW + timedelta(hours=7)),
        _urgent("high", "K-8", title="Late, no date", late_notice=True, zone="UTC"),
        {"severity": "critical", "reference": "TST-1", "url": "/x/", "title": "Removal during measure"},
    ]
    return items


@pytest.mark.parametrize("lang", ["en", "ru", "ko"])
def test_the_urgent_panel_s_items_are_the_html_their_template_made(lang: str) -> None:
    items = _urgent_samples()
    context = {"urgent_items": items, "now": NOW}
    old = _render(OLD_URGENT, context, lang)
    new = _render("{% load refuge_rows %}{% urgent_list_items urgent_items now %}", context, lang)
    assert _normal(new) == _normal(old)
    assert new.count("<li") == len(items) and new.count("removal-countdown") == 5 and "urgent-due overdue" in new
