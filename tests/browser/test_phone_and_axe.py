"""A lawyer's walk on a phone (390×844) and a laptop (1366×900): dashboard → case → add event →
alerts → filing. axe-core finds no violation of any impact on any page, nothing runs off the
screen, and the top bar's menu reaches every link."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.browser.axe import describe, violations
from tests.browser.conftest import htmx_ready

pytestmark = pytest.mark.browser

WIDTHS = [(390, 844), (1366, 900)]


@pytest.fixture
def demo(transactional_db):
    from refuge.demo.load import build_demo

    return build_demo(today=timezone.localdate()).password


def audit(page, name: str, artifacts, width: int) -> None:
    page.screenshot(path=str(artifacts / f"walk-{width}-{name}.png"), full_page=True)
    found = violations(page)
    assert not found, f"{name} at {width} px:\n{describe(found)}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} at {width} px runs {overflow} px off the screen"
    # An urgent item's parts stay inside its row (a long late notice once ran past the panel's edge).
    spilled = page.evaluate(
        """() => [...document.querySelectorAll('.urgent-item')].flatMap(li => {
            const edge = li.getBoundingClientRect().right + 1;
            return [...li.children].filter(c => c.getBoundingClientRect().right > edge)
                .map(c => c.className || c.tagName); })"""
    )
    assert spilled == [], f"{name} at {width} px: urgent items run past their row: {spilled}"


def small_targets(page) -> list[str]:
    """Visible links and buttons of the top bar shorter or narrower than 44 px."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.topbar a, .topbar button, .topbar summary, .topbar input')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.height < 44 || r.width < 44)
            .map(([e, r]) => `${e.textContent.trim() || e.name} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_the_walk_has_no_accessibility_violations_at_either_width(  # noqa: PLR0917  # fixtures
    demo, live_server, chromium, artifacts, width, height
):
    from playwright.sync_api import expect

    # bypass_csp: axe is injected as an inline script; the pages' own CSP stays as it is.
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("demo-lawyer")
        page.get_by_label("Password").fill(demo)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        audit(page, "1-dashboard", artifacts, width)

        menu = page.locator(".topmenu > summary")
        if width < 700:
            expect(page.get_by_role("link", name="Cases", exact=True)).to_be_hidden()
            menu.click()
            expect(page.get_by_role("link", name="Log out")).to_have_count(0)
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
            audit(page, "1-dashboard-menu", artifacts, width)
            assert small_targets(page) == []
        else:
            expect(menu).to_be_hidden()

        page.get_by_role("link", name="Cases", exact=True).click()
        expect(page.get_by_role("heading", name="Cases")).to_be_visible()
        audit(page, "2-cases", artifacts, width)
        page.get_by_role("link", name="DEMO-01").first.click()
        expect(page.get_by_role("heading", name=re.compile("DEMO-01"))).to_be_visible()
        audit(page, "3-case", artifacts, width)

        htmx_ready(page, "#event-add a")
        page.locator("#event-add a").click()  # the add form comes when asked for
        htmx_ready(page, "#id_new-type")
        page.get_by_label("Event", exact=True).select_option("released")
        page.locator("#id_new-date").fill(timezone.localdate().isoformat())
        page.get_by_role("button", name="Add event").click()
        expect(page.locator("#timeline")).to_contain_text("Released")
        audit(page, "4-event-added", artifacts, width)

        if width < 700:
            page.locator(".topmenu > summary").click()
        page.get_by_role("link", name=re.compile("^Alerts")).click()
        expect(page.get_by_role("heading", name="Alerts", exact=True)).to_be_visible()
        audit(page, "5-alerts", artifacts, width)
        page.locator(".alert-table a").first.click()
        audit(page, "6-alert", artifacts, width)

        page.go_back()
        page.go_back()
        page.get_by_role("link", name=re.compile("Prepare a filing")).click()
        expect(page.get_by_role("heading", name="Prepare a filing")).to_be_visible()
        audit(page, "7-filing", artifacts, width)
        assert errors == []
    finally:
        context.close()
