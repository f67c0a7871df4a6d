"""alice opens the bell, acknowledges a critical alert, then makes a calendar feed of her case."""

from __future__ import annotations

import re

import icalendar
import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CLIENT_NAMES = ("Testov", "Fiktiv", "Тестов", "Фиктив")


def test_bell_acknowledge_settings_and_case_feed(transactional_db, live_server, page, artifacts, alice, case, settings):  # noqa: PLR0917  # fixtures
    from playwright.sync_api import expect

    from refuge.alerts.models import Alert, FeedToken
    from refuge.alerts.queue import raise_alert
    from tests.accounts.conftest import enrol_device, totp_now

    settings.REFUGE_REQUIRE_2FA = True
    settings.REFUGE_BASE_URL = live_server.url  # the feed's URL points at this server
    device, _ = enrol_device(alice)
    alert = raise_alert(
        organisation=case.organisation,
        case=case,
        kind="conflict_raised",
        severity="critical",
        subject=f"{case.reference}: Removal scheduled while an interim measure is in force (fictional)",
        recipients=[alice],
    )
    assert alert is not None

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(totp_now(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # The bell in the header shows one unread alert.
    bell = page.locator("header a.bell")
    expect(bell.locator(".bell-count")).to_have_text("1")
    bell.click()
    expect(page.get_by_role("heading", name="Alerts", exact=True)).to_be_visible()
    row = page.locator("table.alert-table tbody tr:not(.group-head)").first
    expect(row).to_contain_text("Critical")
    expect(row).to_contain_text("Not acknowledged — escalates")
    page.screenshot(path=str(artifacts / "alerts-list.png"), full_page=True)

    # The alert's page, then acknowledging it.
    row.get_by_role("link", name=re.compile(r"Removal scheduled")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(page.locator(".message-warning")).to_contain_text("Not acknowledged")
    page.screenshot(path=str(artifacts / "alert-critical.png"), full_page=True)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".message-success")).to_contain_text("Acknowledged by Alice")
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    page.screenshot(path=str(artifacts / "alert-acknowledged.png"), full_page=True)
    alert.refresh_from_db()
    assert alert.acknowledged_by == alice
    assert alert.acknowledged_via == "page"
    assert alert.escalate_at is None
    expect(page.locator("header a.bell .bell-count")).to_have_count(0)  # read, so the bell is quiet
    page.locator("header a.bell").click()
    expect(page.locator("table.alert-table tbody tr:not(.group-head)").first).to_contain_text("Acknowledged")

    # Settings from the list: the channels, critical's in-app fixed.
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", name="Alert settings")).to_be_visible()
    critical_inapp = page.locator('input[name="channels_critical"][value="inapp"]')
    expect(critical_inapp).to_be_checked()
    expect(critical_inapp).to_be_disabled()
    page.get_by_label("Daily digest").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#status")).to_contain_text("Alert settings saved.")
    expect(page.get_by_label("Daily digest")).not_to_be_checked()
    page.screenshot(path=str(artifacts / "alert-settings.png"), full_page=True)

    # A calendar feed of the case, from the case's page: its URL shown once.
    page.goto(f"{live_server.url}/cases/{case.code}/")
    page.get_by_role("button", name="Make a calendar feed of this case").click()
    expect(page.get_by_role("heading", name=f"Your calendar feed of {case.reference}")).to_be_visible()
    url = page.locator("#feed-url").input_value()
    assert url.startswith(f"{live_server.url}/feeds/")
    assert url.endswith(".ics")
    page.screenshot(path=str(artifacts / "alert-feed-created.png"), full_page=True)
    feed = FeedToken.objects.get(user=alice)
    assert feed.case == case

    # The feed, fetched without alice's session: references, no names.
    outsider = page.context.browser.new_context()
    try:
        response = outsider.request.get(url)
        assert response.status == 200
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        body = response.text()
    finally:
        outsider.close()
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["X-WR-CALNAME"]) == case.reference
    events = list(cal.walk("VEVENT"))
    assert len(events) == case.deadlines.filter(status="open", due_at__isnull=False).count() >= 1
    assert all(str(ev["SUMMARY"]).startswith(f"{case.reference}: ") for ev in events)
    for name in CLIENT_NAMES:
        assert name not in body

    # Listed under the settings, where it is revoked.
    page.goto(f"{live_server.url}/alerts/settings/")
    feeds = page.locator("table.feed-table")
    expect(feeds).to_contain_text(f"{feed.hint}…")
    expect(feeds).to_contain_text(case.reference)
    page.screenshot(path=str(artifacts / "alert-feeds.png"), full_page=True)
    feeds.get_by_role("button", name=re.compile(r"^Revoke")).click()
    expect(page.locator("#status")).to_contain_text("revoked")
    expect(page.locator("table.feed-table")).to_have_count(0)
    assert Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=False).exists()
    assert not errors, errors


def test_an_admin_keeps_the_rota_by_keyboard(transactional_db, live_server, page, artifacts, adam, bob, ana):  # noqa: PLR0917  # fixtures
    from playwright.sync_api import expect

    from refuge.alerts.models import EscalationPolicy, OnCallShift

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("adam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.locator("header a.bell").click()
    page.get_by_role("link", name="On-call rota").click()
    expect(page.get_by_role("heading", name="On-call rota")).to_be_visible()
    rows = page.locator("table.rota-table tbody tr")
    expect(rows).to_have_count(8)
    first = rows.first
    offered = first.locator("option").all_inner_texts()
    assert "Bob (bob)" in offered
    assert not any("ana" in text for text in offered)  # analysts are never on call
    first.get_by_role("combobox").select_option(label="Bob (bob)")
    first.get_by_role("combobox").press("Tab")
    page.keyboard.press("Enter")  # the Add button, by keyboard
    expect(page.locator("#status")).to_contain_text("Bob is on call the week of")
    expect(page.locator("table.rota-table tbody tr").first).to_contain_text("Bob")

    page.get_by_label("Escalate after (minutes)").fill("2000")
    page.get_by_role("button", name="Save escalation time").click()
    expect(page.locator(".field-minutes .errorlist")).to_contain_text("at most 1440 minutes")
    expect(page.get_by_label("Escalate after (minutes)")).to_have_value("2000")
    page.get_by_label("Escalate after (minutes)").fill("15")
    page.get_by_role("button", name="Save escalation time").click()
    expect(page.locator("#status")).to_contain_text("escalate after 15 minutes")
    page.screenshot(path=str(artifacts / "alert-rota.png"), full_page=True)
    assert list(OnCallShift.objects.values_list("user__username", flat=True)) == ["bob"]
    assert EscalationPolicy.objects.get().escalate_after_minutes == 15
