"""Analysts work on the statistics only (issue 14): no page, export or API call shows them a person.

Each test asks the same URL as a team member first (the positive control), so that a 404 for the
analyst means the door refused them, not that the page was broken or missing for everyone.
"""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from tests.cases.helpers import client_for

pytestmark = pytest.mark.django_db


def _case_urls(case) -> list[str]:
    event = case.events.order_by("id").first()
    return [
        reverse("case_detail", args=[case.code]),
        reverse("person_edit", args=[case.code]),
        reverse("case_team", args=[case.code]),
        reverse("case_export", args=[case.code]),
        reverse("event_add", args=[case.code]),
        reverse("event_edit", args=[case.code, event.code]),
        reverse("proceeding_add", args=[case.code]),
        reverse("filing_new", args=[case.code]),
    ]


def test_every_page_of_a_case_answers_the_team_and_is_a_404_for_an_analyst(alice, ana, case) -> None:
    team, analyst = client_for(alice), client_for(ana)
    for url in _case_urls(case):
        assert team.get(url).status_code == 200, url
        refused = analyst.get(url)
        assert refused.status_code == 404, url
        assert "Testov" not in refused.content.decode() and case.reference not in refused.content.decode()
    assert not AuditEvent.objects.filter(actor=ana, type=EventType.IDENTITY_REVEALED).exists()


def test_no_list_of_cases_people_alerts_or_authorities_for_an_analyst(alice, ana, case) -> None:
    """A filtered case list, even of pseudonymous references, would undo the statistics' suppression."""
    team, analyst = client_for(alice), client_for(ana)
    lists = [
        reverse("case_list") + "?nationality=KP",
        reverse("search") + "?q=TST-2026-001",
        reverse("alert_list"),
        reverse("authority_list"),
    ]
    for url in lists:
        assert team.get(url).status_code == 200, url
        assert analyst.get(url).status_code == 404, url
    assert case.reference in team.get(lists[0]).content.decode()


def test_an_analyst_lands_on_the_statistics_and_the_menu_offers_only_them(alice, ana) -> None:
    team, analyst = client_for(alice), client_for(ana)
    assert team.get(reverse("dashboard")).status_code == 200
    landing = analyst.get(reverse("dashboard"))
    assert (landing.status_code, landing["Location"]) == (302, reverse("stats_page"))

    def menu(client) -> str:
        html = client.get(reverse("stats_page")).content.decode()
        return html[html.index('class="topbar"') : html.index('id="main"')]

    closed = ("case_list", "case_new", "authority_list", "alert_list", "search")
    team_menu, analyst_menu = menu(team), menu(analyst)
    for name in closed:
        assert f'href="{reverse(name)}"' in team_menu or f'action="{reverse(name)}"' in team_menu, name
        assert reverse(name) not in analyst_menu, name
    for name in ("stats_page", "account"):
        assert f'href="{reverse(name)}"' in analyst_menu, name
    assert f'action="{reverse("logout")}"' in analyst_menu


def test_the_analyst_reveal_is_gone(alice, ana, case) -> None:
    """Issue 5's grant to see one case's identity no longer exists: no route, no page, no model."""
    with pytest.raises(NoReverseMatch):
        reverse("case_reveal", args=[case.code])
    url = f"/cases/{case.code}/reveal/"
    assert client_for(alice).get(f"/cases/{case.code}/").status_code == 200  # the prefix is a real case
    for method in ("get", "post"):
        assert getattr(client_for(ana), method)(url, {"reason": "data_quality"}).status_code == 404
    from django.apps import apps  # only here: the model's absence

    with pytest.raises(LookupError):
        apps.get_model("cases", "IdentityGrant")


def test_analyst_api_tokens_get_no_case_and_no_alert(alice, ana, case) -> None:
    from django.test import Client

    from refuge.api.tokens import create_token

    def get(user, path: str):
        _, secret = create_token(user=user, name="t", scopes=["read", "identity"], days=1)
        return Client().get("/api/v1" + path, headers={"Authorization": f"Bearer {secret}"})

    for path in (
        "/cases",
        f"/cases/{case.code}",
        f"/cases/{case.code}/person",
        f"/cases/{case.code}/events",
        "/alerts",
    ):
        assert get(alice, path).status_code == 200, path
        refused = get(ana, path)
        assert refused.status_code == 404, path
        assert case.reference not in refused.content.decode()
    assert get(ana, "/stats?period=years").status_code == 200
