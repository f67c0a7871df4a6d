"""The story's removal (DEMO-01) is in the first screen of the case page and of the dashboard, at
1366 and 390 px, with the engine's word on its protection; its case feed holds it with 3 alarms."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.browser

WIDTHS = [(1366, 900), (390, 844)]


@pytest.fixture
def story(transactional_db):
    from refuge.cases.models import Case
    from refuge.demo.load import build_demo

    built = build_demo(today=timezone.localdate())
    return Case.objects.get(reference="DEMO-01"), built.password


def _in_first_viewport(page, selector: str, height: int) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{selector} at {box} is below the first screen"


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_the_story_removal_countdown_is_in_the_first_screen(  # noqa: PLR0917  # fixtures
    story, live_server, chromium, artifacts, width, height
):
    from playwright.sync_api import expect

    case, password = story
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("demo-lawyer")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        panel = page.locator("#urgent-panel li", has=page.get_by_role("link", name="DEMO-01")).locator(
            ".removal-countdown"
        )
        expect(panel).to_contain_text(re.compile(r"Removal to North Korea in \d+ d \d+ h"))
        expect(panel).to_contain_text(re.compile(r"— \w{3} \d+ \w{3}, 06:00 MSK"))
        expect(panel.locator(".removal-protection")).to_contain_text(re.compile("protect"))
        _in_first_viewport(page, "#urgent-panel li:has(a:text-is('DEMO-01')) .removal-countdown", height)
        page.screenshot(path=str(artifacts / f"countdown-dashboard-{width}.png"))

        page.goto(f"{live_server.url}{case.get_absolute_url()}")
        header = page.locator(".case-head .removal-countdown")
        shown = re.compile(r"Removal to North Korea in \d+ d \d+ h\s+— \w{3} \d+ \w{3}, 06:00 MSK")
        expect(header).to_contain_text(shown)
        _in_first_viewport(page, ".case-head .removal-countdown", height)
        page.screenshot(path=str(artifacts / f"countdown-case-{width}.png"))
    finally:
        context.close()


def test_the_story_case_feed_holds_the_removal_with_three_alarms(story) -> None:
    from refuge.accounts.models import User
    from refuge.alerts.actions import create_feed

    case, _ = story
    _, token = create_feed(user=User.objects.get(username="demo-lawyer"), case=case)
    calendar = icalendar.Calendar.from_ical(Client().get(reverse("calendar_feed", args=[token])).content)
    removals = [e for e in calendar.walk("VEVENT") if "removal" in [str(c) for c in e["CATEGORIES"].cats]]
    assert len(removals) == 1
    start = removals[0].decoded("dtstart")
    assert sorted(a["TRIGGER"].dt for a in removals[0].walk("VALARM")) == [
        start - timedelta(hours=h) for h in (72, 24, 6)
    ]
