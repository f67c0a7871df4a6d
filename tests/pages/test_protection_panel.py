"""The case page says, beside each removal, whether it is protected, by what, until when — or what to file now."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from refuge.accounts.models import User
from refuge.cases.models import Case, CaseMember
from refuge.demo.load import build_demo
from tests.conftest import login

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 5)  # a Saturday: the story's removal was learnt after its UN target
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def demo_client(client):
    with time_machine.travel(NOW, tick=False):
        build_demo(today=TODAY, now=NOW)
    return client


def _get(client, case: Case) -> str:
    with time_machine.travel(NOW, tick=False):
        member = CaseMember.objects.filter(case=case).select_related("user").first()
        login(client, member.user if member else User.objects.get(username="demo-lawyer"))
        response = client.get(reverse("case_detail", args=[case.code]))
    assert response.status_code == 200
    return response.content.decode()


def _panel(client, reference: str) -> str:
    case = Case.objects.get(reference=reference, organisation__is_demo=True)
    html = _get(client, case)
    found = re.search(r'<section id="protection".*?</section>', html, re.S)
    assert found, f"{reference}: no protection panel"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_the_story_shaped_case_shows_an_unprotected_removal_and_the_un_request_to_file_now(demo_client) -> None:
    text = _panel(demo_client, "DEMO-31")
    assert "Not protected" in text
    assert "File now" in text and "Target for a UN interim-measures request" in text
    assert "file at once" in text  # learnt after the target: not "missed"
    assert "missed" not in text.lower()
    assert "Protected by" not in text


def test_a_removal_under_a_measure_names_the_measure_forum_date_destination_and_term(demo_client) -> None:
    text = _panel(demo_client, "DEMO-01")
    assert "Protected by the interim measure of the UN Human Rights Committee" in text
    assert "against removal to Democratic People" in text and "Republic of Korea" in text
    assert "until further notice" in text
    assert "Not protected" not in text


def test_a_cancelled_removal_says_so_and_asks_for_nothing(demo_client) -> None:
    text = _panel(demo_client, "DEMO-25")
    assert "cancelled" in text
    assert "File now" not in text and "Not protected" not in text


def test_an_echr_measure_the_court_could_not_grant_says_it_protects_nothing(demo_client) -> None:
    case = Case.objects.get(reference="DEMO-17", organisation__is_demo=True)
    assert "Protects nothing" in _get(demo_client, case)


def test_the_dashboard_puts_removals_first_and_says_what_to_file_for_an_unprotected_one(demo_client) -> None:
    with time_machine.travel(NOW, tick=False):
        login(demo_client, User.objects.get(username="demo-lawyer"))
        html = demo_client.get(reverse("dashboard")).content.decode()
    panel = re.search(r'<section id="urgent-panel".*?</section>', html, re.S)
    assert panel is not None
    items = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item))
        for item in re.findall(r'<li class="urgent-item.*?</li>', panel.group(0), re.S)
    ]
    removals = [i for i in items if "Removal to " in i]
    assert removals, items
    assert items[: len(removals)] == removals  # every upcoming removal before any other item
    story = next(i for i in removals if "DEMO-31" in i)
    assert "not protected" in story
    assert "File now: Target for a UN interim-measures request" in story
    # its UN target, learnt of after its date, is to be met at once, not "overdue" (LAW.md, LATE_NOTICE)
    target = next(i for i in items if "DEMO-31" in i and "Removal to " not in i and "UN interim" in i)
    assert "file at once" in target
    assert "overdue" not in target


def test_a_measure_of_uncertain_effect_says_so_beside_the_removal(demo_client) -> None:
    text = _panel(demo_client, "DEMO-16")
    assert "Protected by the interim measure of the European Court of Human Rights" in text
    assert "Measure granted before Russia left the Convention" in text
