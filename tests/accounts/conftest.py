"""Login, sessions and headers as in production: the second factor required, guesses throttled.

Helpers log users in the way a person does (password, then code) or, where the login itself is
not under test, with force_login plus django-otp's verified mark.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _login_hardening_off(settings, monkeypatch) -> None:
    """Overrides the root fixture of this name: here login is hardened as in production."""
    settings.REFUGE_REQUIRE_2FA = True
    settings.REFUGE_DEMO_NO_2FA = False
    monkeypatch.setenv("REFUGE_REQUIRE_2FA", "true")



def totp_now(device: Any, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (or `offset` time steps away)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol_device(user: Any) -> tuple[Any, list[str]]:
    """A confirmed TOTP device and 10 recovery codes for the user, as enrolment leaves them."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from refuge.accounts import twofactor

    device = TOTPDevice.objects.create(user=user, name=twofactor.TOTP_NAME, confirmed=True)
    return device, twofactor.new_recovery_codes(user)


def password_step(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def log_in(client: Client, user: Any, device: Any | None = None) -> None:
    """Password, then (for a user with a device) the current code."""
    response = password_step(client, user.username)
    assert response.status_code == 302, response.content.decode()[:2000]
    if device is not None:
        response = client.post(reverse("two_factor"), {"code": totp_now(device)})
        assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(reverse("dashboard")).status_code == 200


def verified_client(user: Any, device: Any | None = None) -> Client:
    """A logged-in client whose session django-otp counts as verified (no real login)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def secret_from(html: str) -> str:
    match = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', html)
    assert match, "no secret on the page"
    return match.group(1).replace(" ", "")


@pytest.fixture
def alice_device(alice):
    return enrol_device(alice)


@pytest.fixture
def adam_device(adam):
    return enrol_device(adam)
