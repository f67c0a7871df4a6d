"""In Chromium: the intake warns about a known client as the name is typed (htmx), and the header searches."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_intake_warns_and_header_search_finds(transactional_db, live_server, page, case, alice) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # The intake: the client's name in another script than the existing case's Latin one.
    page.get_by_role("link", name="New case", exact=True).click()
    warning = page.locator("#possible-matches")
    expect(warning).to_be_empty()
    page.get_by_label("Name 1", exact=True).press_sequentially("Тестов Фиктив", delay=20)
    expect(warning).to_contain_text("possible match: TST-2026-001")
    expect(warning.get_by_role("link", name="TST-2026-001")).to_have_attribute("href", case.get_absolute_url())
    # Changed to someone else: the warning goes.
    page.get_by_label("Name 1", exact=True).fill("Kim Chol Min")
    expect(warning).not_to_contain_text("possible match")

    # The header's search box, in Hangul-free Latin with a letter missing.
    page.get_by_label("Search cases by name, document number or reference").fill("Testov Fiktv")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 case found")).to_be_visible()
    expect(page.locator("table.search-results")).to_contain_text("Тестов Фиктив")
    assert errors == []
