"""The case page: timeline in the case's zone, person, proceedings, team, documents."""

from __future__ import annotations

from refuge.cases import actions


def test_it_shows_the_timeline_in_the_case_time_zone(as_alice, case):
    r = as_alice.get(case.get_absolute_url())
    assert r.status_code == 200
    html = r.content.decode()
    assert "<title>TST-2026-001 · Refuge</title>" in html
    # e2 is 15:00 in Moscow (+03:00): shown on the case's clock, in order.
    assert '3 Mar 2026 <span class="clock">15:00 MSK</span>' in html
    assert html.index("Detention started") < html.index("Decision issued") < html.index("Decision received")
    assert "Expulsion" in html
    assert "e2 (Decision issued)" in html  # e3 refers to e2 by its label


def test_it_shows_the_recorded_offset_when_it_differs(as_alice, case, alice):
    actions.record_event(case=case, user=alice, type="released", at="2026-03-05T10:00:00+01:00", attributes={})
    html = as_alice.get(case.get_absolute_url()).content.decode()
    assert '5 Mar 2026 <span class="clock">12:00 MSK</span>' in html
    assert "recorded as 10:00 UTC+01:00" in html


def test_it_shows_identity_to_the_team(as_alice, case):
    html = as_alice.get(case.get_absolute_url()).content.decode()
    assert "Testov Fiktiv" in html
    assert "Тестов Фиктив" in html
    assert "Identity hidden" not in html


def test_analysts_cannot_open_a_case_the_team_can(as_ana, as_alice, case, document):
    """Analysts work on the statistics only (issue 14): the case page is a 404, as for a missing case."""
    team = as_alice.get(case.get_absolute_url())
    assert team.status_code == 200 and "Testov" in team.content.decode()  # the same URL answers the team
    r = as_ana.get(case.get_absolute_url())
    assert r.status_code == 404
    html = r.content.decode()
    assert case.reference not in html and "Testov" not in html and "Expulsion decision" not in html


def test_it_lists_proceedings_team_and_documents(as_alice, case, proceeding, document):
    html = as_alice.get(case.get_absolute_url()).content.decode()
    assert "5-123/2026" in html and "Kolpino District Court (fictional)" in html
    assert "alice" in html
    assert "Expulsion decision" in html
    assert f"/documents/{document.code}/" in html


def test_it_answers_404_to_other_users(as_bob, as_carol, case):
    assert as_bob.get(case.get_absolute_url()).status_code == 404
    assert as_carol.get(case.get_absolute_url()).status_code == 404


def test_it_never_puts_identity_in_the_title(as_alice, case):
    html = as_alice.get(case.get_absolute_url()).content.decode()
    title = html[html.index("<title>") : html.index("</title>")]
    assert "Testov" not in title


def test_fast_urls_match_django_reverse(case):
    from django.urls import reverse

    from refuge.cases.templatetags.refuge_pages import case_url, code_url

    event = case.events.first()
    assert code_url("event_edit", case.code, event.code) == reverse("event_edit", args=[case.code, event.code])
    assert code_url("event_delete", case.code, event.code) == reverse("event_delete", args=[case.code, event.code])
    assert case_url(case) == case.get_absolute_url()
