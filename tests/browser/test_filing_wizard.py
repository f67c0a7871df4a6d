"""A lawyer walks the filings wizard: case page → choose → review → the PDF downloaded → the sending logged."""

from __future__ import annotations

import io
import re

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_filing_wizard(transactional_db, live_server, page, artifacts, org, alice, settings):  # noqa: PLR0917  # fixtures
    import pypdf
    from playwright.sync_api import expect

    from refuge.filings.models import GeneratedFiling, Sending
    from tests.accounts.conftest import enrol_device, totp_now
    from tests.filings.notify_helpers import rule39_case

    settings.REFUGE_REQUIRE_2FA = True
    device, _ = enrol_device(alice)
    case = rule39_case(org, alice)

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "422" not in msg.text else None)
    screens: list[str] = []
    page.on("framenavigated", lambda frame: screens.append(frame.url) if frame == page.main_frame else None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(totp_now(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # Screen 1: the case page, with its Filings panel.
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    screens.clear()
    panel = page.locator("#filings")
    expect(panel).to_contain_text("Nothing generated yet.")
    page.screenshot(path=str(artifacts / "filing-1-case.png"), full_page=True)
    panel.get_by_role("link", name=re.compile("Prepare a filing")).click()

    # Screen 2: what to generate — a Rule 39 request in English by default, alice as the contact.
    expect(page.get_by_role("heading", name="Prepare a filing")).to_be_visible()
    expect(page.get_by_label("ECtHR Rule 39 request")).to_be_checked()
    page.get_by_label("Person to contact").fill("Alice Advocate")
    page.get_by_label("Telephone").fill("+90 000 000 00 01")
    page.screenshot(path=str(artifacts / "filing-2-choose.png"), full_page=True)
    page.get_by_role("button", name="Review").click()

    # Screen 3: the review — complete, with the facts it will state.
    expect(page.get_by_role("heading", name=re.compile("^Review"))).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("The checklist is complete")
    facts = page.locator("#filing-facts")
    expect(facts).to_contain_text("10 Dec 2026 06:30")
    expect(facts).to_contain_text("Syria")
    page.screenshot(path=str(artifacts / "filing-3-review.png"), full_page=True)
    page.get_by_role("button", name="Generate").click()

    # Screen 4: the version, its SHA-256, the download; then the sending.
    expect(page).to_have_url(re.compile(r"/filings/[0-9a-f-]{36}/$"), timeout=20_000)
    expect(page.get_by_role("heading", name=re.compile("^ECtHR Rule 39 request"))).to_be_visible()
    filing = GeneratedFiling.objects.get(case=case)
    expect(page.locator("#sha256")).to_have_text(filing.sha256)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert re.fullmatch(r"[A-Za-z0-9._-]+\.pdf", download.suggested_filename)  # ASCII, for the Rule 39 Site
    saved = artifacts / "filing-rule39.pdf"
    download.save_as(str(saved))
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(saved.read_bytes())).pages)
    assert "Rule 39 – Urgent" in text
    assert "Person to contact: Alice Advocate, +90 000 000 00 01" in text
    assert "10 December" in text and "06:30" in text and "Syria" in text
    page.screenshot(path=str(artifacts / "filing-4-download.png"), full_page=True)
    assert len(screens) == 3  # screens 2, 3 and 4 after the case page: the PDF is in hand

    page.get_by_label("Channel").select_option("fax")
    page.get_by_role("textbox", name="Reference").fill("R39-FAX-1")
    page.get_by_role("button", name="Record the sending").click()
    expect(page.locator(".message-success")).to_contain_text("Event e5 (Interim measure requested) added")
    expect(page.locator("#filings")).to_contain_text("Forum registries")
    expect(page.locator("#filings")).to_contain_text(filing.sha256)
    page.screenshot(path=str(artifacts / "filing-5-logged.png"), full_page=True)
    sending = Sending.objects.get(case=case)
    assert sending.event is not None and sending.event.type == "interim_measure_requested"
    assert errors == []
