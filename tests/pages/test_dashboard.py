"""The dashboard: my cases, the latest events, and the urgent panel's place."""

from __future__ import annotations

from django.urls import reverse


def test_it_shows_my_cases_and_latest_events(as_alice, case):
    r = as_alice.get(reverse("dashboard"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "TST-2026-001" in html
    assert "Decision received" in html
    assert "Testov" not in html  # pseudonymous references only


def test_the_urgent_panel_says_so_when_nothing_is_urgent(as_bob, case):
    html = as_bob.get(reverse("dashboard")).content.decode()
    assert 'id="urgent-panel"' in html
    assert "No urgent items" in html


def test_the_urgent_panel_renders_items(rf, alice):
    from django.template.loader import render_to_string

    html = render_to_string(
        "cases/_urgent_panel.html",
        {
            "urgent_items": [
                {"severity": "critical", "reference": "TST-1", "url": "/x/", "title": "Removal during measure"}
            ]
        },
    )
    assert "No urgent items" not in html and "Removal during measure" in html and "severity-critical" in html


def test_it_shows_nothing_of_other_organisations(as_carol, case):
    html = as_carol.get(reverse("dashboard")).content.decode()
    assert "TST-2026-001" not in html


def test_anonymous_users_go_to_login(client):
    r = client.get(reverse("dashboard"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
