"""A lawyer logs in, opens an urgent case with two events, and adds a third inline (htmx)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import htmx_ready, htmx_settled
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_intake_flow(transactional_db, live_server, page, artifacts, alice, settings):  # noqa: PLR0917  # fixtures
    from playwright.sync_api import expect

    from tests.accounts.conftest import enrol_device, totp_now

    # Logged in as in production: alice is a lawyer, so the password is followed by a TOTP code.
    settings.REFUGE_REQUIRE_2FA = True
    device, _ = enrol_device(alice)

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A refused form answers 422 on purpose; Chromium logs that as a failed load.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "422" not in msg.text else None)

    # Log in.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(totp_now(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("#urgent-panel")).to_contain_text("No urgent items")

    # The one-page intake.
    page.get_by_role("link", name="New case", exact=True).click()
    page.get_by_role("textbox", name="Reference").fill("SPB-2026-014")  # not the header's search box
    page.get_by_label("Host state", exact=True).select_option("RU")
    page.get_by_label("Time zone").fill("Europe/Moscow")
    page.get_by_label("Name 1", exact=True).fill("Ри Сон Гюн")
    page.get_by_label("Name 2", exact=True).fill("Ri Song Gyun")
    # The nationality is picked, never typed: each short name finds the DPRK, not Norway.
    nationality = page.get_by_label("Nationality", exact=True)
    for typed in ("North Korea", "КНДР", "북한"):
        nationality.select_option("")
        page.get_by_label("Search Nationality by name").fill(typed)
        expect(nationality).to_have_value("KP")
        expect(page.locator(".field-nationality [role=status]")).to_contain_text("North Korea (KP)")
    page.get_by_label("Languages").fill("ko, ru")
    page.get_by_label("Detained on").fill("2026-03-02")
    page.locator("#id_det_time").fill("09:00")
    page.get_by_label("Basis").select_option("administrative")
    page.get_by_label("Decided on").fill("2026-03-03")
    page.locator("#id_dec_time").fill("15:00")
    page.get_by_label("Decision", exact=True).select_option("expulsion")
    page.get_by_label("Authority").fill("Kolpino District Court (fictional)")
    page.screenshot(path=str(artifacts / "intake-form.png"), full_page=True)
    page.get_by_role("button", name="Open the case").click()

    # The case page: both events on the timeline, on the case's clock.
    expect(page).to_have_title(re.compile(r"^SPB-2026-014 · Refuge$"))
    timeline = page.locator("#timeline")
    expect(timeline.locator("li.event")).to_have_count(2)
    expect(timeline).to_contain_text("Detention started")
    expect(timeline).to_contain_text("Decision issued")
    expect(timeline).to_contain_text("3 Mar 2026 15:00")
    expect(page.locator("#person")).to_contain_text("Ri Song Gyun")

    # Add the receipt of the decision inline: the form comes when asked for, and choosing the type
    # loads its fields with htmx.
    htmx_ready(page, "#event-add a")
    page.locator("#event-add a").click()
    htmx_ready(page, "#id_new-type")
    page.get_by_label("Event", exact=True).select_option("decision_received")
    decision = page.locator("#id_new-decision_event")
    expect(decision).to_be_visible()
    expect(decision).to_have_value("e2")  # the decision is suggested
    page.locator("#id_new-date").fill("2026-03-03")
    page.locator("#id_new-time").fill("16:00")
    url_before = page.url
    with htmx_settled(page):
        page.get_by_role("button", name="Add event").click()
    expect(timeline.locator("li.event")).to_have_count(3)
    expect(page.locator("#status")).to_contain_text("Event e3 (Decision received) added.")
    assert page.url == url_before  # swapped in place, no page load
    expect(timeline).to_contain_text("e2 (Decision issued)")

    # A bad input is refused next to its field and what was typed stays.
    htmx_ready(page, "#id_new-type")
    page.get_by_label("Event", exact=True).select_option("removal_scheduled")
    expect(page.locator("#id_new-removal_at")).to_be_visible()
    page.locator("#id_new-date").fill("2026-03-04")
    page.locator("#id_new-destination-search").fill("Korea")  # two match; the first is chosen
    expect(page.locator("#id_new-destination")).to_have_value("KP")
    page.locator("#id_new-source").fill("Call from the bailiffs")
    page.get_by_role("button", name="Add event").click()
    expect(page.locator("#event-add")).to_contain_text("This field is required.")  # removal_at
    expect(page.locator("#id_new-source")).to_have_value("Call from the bailiffs")
    expect(timeline.locator("li.event")).to_have_count(3)

    page.screenshot(path=str(artifacts / "case-page.png"), full_page=True)

    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#main")).to_contain_text("SPB-2026-014")
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.locator("table.case-table")).to_contain_text("SPB-2026-014")
    page.screenshot(path=str(artifacts / "case-list.png"), full_page=True)
    assert not errors, errors
