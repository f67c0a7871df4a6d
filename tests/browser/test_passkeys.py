"""Passkeys in Chromium, with the DevTools protocol's virtual authenticator standing in for a key.

alice (a lawyer) adds a passkey on her account page and logs in with it; a copy of that passkey
on another authenticator, whose signature counter is behind, is refused as a clone; and with her
organisation's policy on, bob's promotion to lawyer walks him through adding one at his login.
The live server is reached as http://localhost:<port>: a passkey needs a host name (no IP address)
and localhost is a secure context without TLS.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


def _authenticator(page: Any) -> tuple[Any, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    return cdp, found["authenticatorId"]


def _password(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def passkey_server(live_server, settings):
    from urllib.parse import urlsplit

    assert urlsplit(live_server.url).hostname == "localhost", "WebAuthn needs the live server at a host name"
    settings.REFUGE_REQUIRE_2FA = True
    settings.REFUGE_DEMO_NO_2FA = False
    settings.REFUGE_BASE_URL = live_server.url  # the relying party: localhost, this port
    return live_server


def test_a_lawyer_adds_a_passkey_logs_in_with_it_and_a_clone_is_refused(transactional_db, passkey_server, page, alice):
    from playwright.sync_api import expect

    from refuge.accounts.models import Passkey
    from refuge.audit.events import EventType
    from refuge.audit.models import AuditEvent
    from tests.accounts.conftest import enrol_device, totp_now

    url = passkey_server.url
    device, _ = enrol_device(alice)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    cdp, first = _authenticator(page)

    # Password and code, then a passkey from the account page.
    _password(page, url, "alice")
    page.get_by_label("Code").fill(totp_now(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.goto(f"{url}/accounts/")
    page.get_by_role("link", name="Add a passkey").click()
    page.get_by_label("Name of this passkey").fill("laptop key")
    page.get_by_role("button", name="Add the passkey").click()
    expect(page.locator(".message-success")).to_contain_text("laptop key")
    expect(page.locator("#passkeys")).to_contain_text("laptop key")
    passkey = Passkey.objects.get(user=alice)
    assert passkey.name == "laptop key" and passkey.last_used_at is None
    assert AuditEvent.objects.filter(type=EventType.PASSKEY_ADDED, actor=alice).count() == 1

    # A new login: the password, then the passkey (no code).
    page.context.clear_cookies()
    _password(page, url, "alice")
    expect(page.get_by_role("heading", name="Second step: your passkey")).to_be_visible()
    page.get_by_role("button", name="Use my passkey").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    assert passkey.sign_count >= 1
    assert AuditEvent.objects.filter(type=EventType.PASSKEY_LOGIN, actor=alice).count() == 1

    # The account page lists it with its last use.
    page.goto(f"{url}/accounts/")
    expect(page.locator("#passkeys")).not_to_contain_text("never")

    # A clone: the same private key on another authenticator, its counter behind the server's.
    credential = cdp.send("WebAuthn.getCredentials", {"authenticatorId": first})["credentials"][0]
    assert credential["signCount"] == passkey.sign_count
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": first})
    second = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]
    clone = {**credential, "signCount": 0}
    cdp.send("WebAuthn.addCredential", {"authenticatorId": second, "credential": clone})
    page.context.clear_cookies()
    _password(page, url, "alice")
    page.get_by_role("button", name="Use my passkey").click()
    expect(page.get_by_role("alert").filter(has_text="The passkey was refused")).to_be_visible()
    expect(page.get_by_role("heading", name="Second step: your passkey")).to_be_visible()
    passkey.refresh_from_db()
    assert passkey.sign_count == credential["signCount"]  # the clone moved nothing
    assert AuditEvent.objects.filter(type=EventType.PASSKEY_LOGIN, actor=alice).count() == 1
    assert not errors, errors


def test_with_the_policy_on_a_lawyer_must_add_a_passkey_at_login(transactional_db, passkey_server, page, alice):
    from playwright.sync_api import expect

    from refuge.accounts.models import Passkey
    from tests.accounts.conftest import enrol_device, totp_now

    url = passkey_server.url
    organisation = alice.membership().organisation
    organisation.passkeys_required = True
    organisation.save(update_fields=["passkeys_required"])
    device, _ = enrol_device(alice)
    _authenticator(page)

    _password(page, url, "alice")
    page.get_by_label("Code").fill(totp_now(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Add a passkey")).to_be_visible()
    expect(page.locator(".message-info")).to_contain_text("requires a passkey")
    expect(page.get_by_role("link", name="Cancel")).to_have_count(0)

    # No way around it: every other page leads back here.
    for path in ("/", "/cases/", "/accounts/"):
        page.goto(f"{url}{path}")
        expect(page.get_by_role("heading", name="Add a passkey")).to_be_visible()

    page.get_by_label("Name of this passkey").fill("phone")
    page.get_by_role("button", name="Add the passkey").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()  # the page last asked for
    assert Passkey.objects.filter(user=alice, name="phone").exists()
    page.goto(f"{url}/cases/")
    expect(page.get_by_role("heading", name="Add a passkey")).to_have_count(0)


def test_after_a_code_instead_of_the_passkey_a_token_needs_the_passkey(transactional_db, passkey_server, page, alice):
    """A login by the fallback proves less: making an API token (a sensitive step) asks for the passkey."""
    from playwright.sync_api import expect

    from refuge.audit.events import EventType
    from refuge.audit.models import AuditEvent
    from tests.accounts.conftest import enrol_device, totp_now

    url = passkey_server.url
    device, _ = enrol_device(alice)
    _authenticator(page)
    _password(page, url, "alice")
    page.get_by_label("Code").fill(totp_now(device))
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{url}/accounts/passkeys/add/")
    page.get_by_label("Name of this passkey").fill("laptop key")
    page.get_by_role("button", name="Add the passkey").click()
    expect(page.locator("#passkeys")).to_contain_text("laptop key")

    page.context.clear_cookies()
    _password(page, url, "alice")
    page.get_by_role("link", name="Use a code from the app or a recovery code instead").click()
    page.get_by_label("Code").fill(totp_now(device, offset=1))  # the next step: the first one is spent
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert AuditEvent.objects.filter(type=EventType.TOTP_FALLBACK, actor=alice).count() == 1

    page.goto(f"{url}/accounts/tokens/new/")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    expect(page.get_by_text("your password and your passkey")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_have_count(0)
    assert page.url.endswith("/accounts/tokens/new/")
