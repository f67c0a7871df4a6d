"""Session limits, ending sessions, and re-authentication before sensitive steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import enrol_device, log_in, password_step, totp_now, verified_client
from tests.conftest import PASSWORD

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _logged_out(client: Client) -> bool:
    response = client.get(reverse("dashboard"))
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_a_session_idle_for_fifteen_minutes_ends(clock, bob):
    client = Client()
    password_step(client, "bob")
    clock.move_to(T0 + timedelta(minutes=14))
    assert client.get(reverse("dashboard")).status_code == 200  # 14 minutes idle: still in
    clock.move_to(T0 + timedelta(minutes=14 + 15, seconds=30))
    response = client.get(reverse("case_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('case_list').replace('/', '%2F')}"
    assert "after 15 minutes without activity" in client.get(response["Location"]).content.decode()
    assert _logged_out(client)


def test_a_used_session_ends_eight_hours_after_login(clock, bob):
    client = Client()
    password_step(client, "bob")
    for minutes in range(10, 8 * 60, 10):  # a request every ten minutes
        clock.move_to(T0 + timedelta(minutes=minutes))
        assert client.get(reverse("dashboard")).status_code == 200, minutes
    clock.move_to(T0 + timedelta(hours=8, seconds=1))
    assert _logged_out(client)


def test_the_limits_follow_the_settings(clock, settings, bob):
    settings.REFUGE_SESSION_IDLE_SECONDS = 120
    client = Client()
    password_step(client, "bob")
    clock.move_to(T0 + timedelta(seconds=150))
    assert _logged_out(client)


def test_an_htmx_request_of_an_ended_session_reloads_the_whole_page(clock, bob):
    client = Client()
    password_step(client, "bob")
    clock.move_to(T0 + timedelta(minutes=20))
    response = client.get(reverse("dashboard"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("login")


def test_a_session_made_without_the_clocks_is_adopted_and_limited(clock, bob):
    """A session that predates the limits (no instants in it) starts its clocks at its first request."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from refuge.accounts.models import UserSession

    store = SessionStore()
    store[SESSION_KEY] = str(bob.pk)
    store[BACKEND_SESSION_KEY] = "refuge.accounts.backends.RefugeBackend"
    store[HASH_SESSION_KEY] = bob.get_session_auth_hash()
    store.create()
    client = Client()
    client.cookies["refuge-session"] = store.session_key
    assert client.get(reverse("dashboard")).status_code == 200
    assert UserSession.objects.filter(user=bob, session_key=store.session_key).exists()
    clock.move_to(T0 + timedelta(minutes=16))
    assert _logged_out(client)


def test_log_out_everywhere_ends_every_session_of_the_user_only(bob, ana):
    from refuge.accounts.models import UserSession

    laptop, phone, other = Client(), Client(), Client()
    password_step(laptop, "bob")
    password_step(phone, "bob")
    other.force_login(ana)
    assert "2" in laptop.get(reverse("account")).content.decode().split('id="session-count">')[1][:3]
    response = laptop.post(reverse("account_end_sessions"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert _logged_out(laptop) and _logged_out(phone)
    assert other.get(reverse("account")).status_code == 200  # the analyst is still logged in
    assert not UserSession.objects.filter(user=bob).exists()


def test_an_admin_ends_a_users_sessions(bob, adam):
    device, _ = enrol_device(adam)
    bobs = Client()
    password_step(bobs, "bob")
    admin = verified_client(adam, device)
    page = admin.get(reverse("user_detail", args=[bob.code])).content.decode()
    assert f'action="{reverse("user_end_sessions", args=[bob.code])}"' in page
    assert admin.post(reverse("user_end_sessions", args=[bob.code])).status_code == 302
    assert _logged_out(bobs)
    assert admin.get(reverse("dashboard")).status_code == 200


def test_an_admin_of_another_organisation_cannot_end_them(bob, other_org):
    from refuge.accounts.models import Membership, User

    olga = User.objects.create_user(username="olga", password=PASSWORD)
    Membership.objects.create(user=olga, organisation=other_org, role="admin")
    device, _ = enrol_device(olga)
    bobs = Client()
    password_step(bobs, "bob")
    olgas = verified_client(olga, device)
    for name in ("user_detail",):
        assert olgas.get(reverse(name, args=[bob.code])).status_code == 404
    for name in ("user_end_sessions", "user_disable", "user_reset_2fa"):
        assert olgas.post(reverse(name, args=[bob.code])).status_code == 404
    assert bobs.get(reverse("dashboard")).status_code == 200
    assert bob.username not in olgas.get(reverse("user_list")).content.decode()


def test_a_lawyer_cannot_end_a_colleagues_sessions(alice, bob):
    device, _ = enrol_device(alice)
    bobs = Client()
    password_step(bobs, "bob")
    assert verified_client(alice, device).post(reverse("user_end_sessions", args=[bob.code])).status_code == 404
    assert bobs.get(reverse("dashboard")).status_code == 200


def test_disabling_an_account_ends_its_sessions_and_its_logins(bob, adam):
    from refuge.accounts.models import UserSession

    device, _ = enrol_device(adam)
    bobs = Client()
    password_step(bobs, "bob")
    admin = verified_client(adam, device)
    assert admin.post(reverse("user_disable", args=[bob.code])).status_code == 302
    assert not UserSession.objects.filter(user=bob).exists()
    assert _logged_out(bobs)
    assert password_step(Client(), "bob").status_code == 200  # refused, with the usual message
    admin.post(reverse("user_enable", args=[bob.code]))
    assert password_step(Client(), "bob").status_code == 302


def test_disabling_by_any_path_ends_the_sessions(bob):
    bobs = Client()
    password_step(bobs, "bob")
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    from refuge.accounts.models import UserSession

    assert not UserSession.objects.filter(user=bob).exists()
    assert _logged_out(bobs)


def test_an_admin_cannot_disable_themself(adam):
    device, _ = enrol_device(adam)
    admin = verified_client(adam, device)
    admin.post(reverse("user_disable", args=[adam.code]))
    adam.refresh_from_db()
    assert adam.is_active


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(bob):
    here, elsewhere = Client(), Client()
    password_step(here, "bob")
    password_step(elsewhere, "bob")
    new = "a new and much longer passphrase 7"
    response = here.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302 and response["Location"] == reverse("account")
    assert here.get(reverse("dashboard")).status_code == 200
    assert _logged_out(elsewhere)
    assert password_step(Client(), "bob", new)["Location"] == reverse("dashboard")


def test_a_short_password_is_refused(bob):
    here = Client()
    password_step(here, "bob")
    response = here.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": "short 1", "new_password2": "short 1"}
    )
    assert response.status_code == 422 and "at least 12 characters" in response.content.decode()


def test_a_password_set_elsewhere_ends_every_session(bob):
    bobs = Client()
    password_step(bobs, "bob")
    bob.set_password("set by refuge createuser or a reset")
    bob.save()
    assert _logged_out(bobs)


# --- re-authentication --------------------------------------------------------------------


def test_sealing_asks_for_the_password_and_code_after_five_minutes(clock, adam):
    from refuge.vault import state

    device, _ = enrol_device(adam)
    client = Client()
    log_in(client, adam, device)
    clock.move_to(T0 + timedelta(minutes=4))
    assert client.get(reverse("dashboard")).status_code == 200
    clock.move_to(T0 + timedelta(minutes=6))
    response = client.post(reverse("vault_seal"), HTTP_REFERER="http://testserver/")
    assert response.status_code == 303
    assert response["Location"] == f"{reverse('reauth')}?next=%2F"
    assert not state.is_sealed()
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    # The password alone is not enough; password and code are.
    bad = client.post(reverse("reauth"), {"password": PASSWORD, "code": "", "next": "/"})
    assert bad.status_code == 422
    good = client.post(reverse("reauth"), {"password": PASSWORD, "code": totp_now(device, offset=1), "next": "/"})
    assert good.status_code == 302 and good["Location"] == "/"
    assert client.post(reverse("vault_seal")).status_code == 302
    assert state.is_sealed()


def test_wrong_passwords_at_reauthentication_are_throttled_and_end_the_session(adam):
    device, _ = enrol_device(adam)
    client = verified_client(adam, device)
    for _ in range(5):
        assert client.post(reverse("reauth"), {"password": "wrong", "code": totp_now(device)}).status_code == 422
    response = client.post(reverse("reauth"), {"password": "wrong", "code": totp_now(device)})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert _logged_out(client)  # the session that was guessing ended; the account is not locked


def test_reauthentication_never_sends_elsewhere(bob):
    client = Client()
    password_step(client, "bob")
    response = client.post(reverse("reauth"), {"password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_resetting_a_second_factor_needs_a_recent_reauthentication(clock, adam, alice):
    from refuge.accounts import twofactor

    enrol_device(alice)
    device, _ = enrol_device(adam)
    admin = Client()
    log_in(admin, adam, device)
    clock.move_to(T0 + timedelta(minutes=10))
    assert admin.post(reverse("user_reset_2fa", args=[alice.code])).status_code == 303
    assert twofactor.has_device(alice)
    admin.post(reverse("reauth"), {"password": PASSWORD, "code": totp_now(device, offset=1)})
    assert admin.post(reverse("user_reset_2fa", args=[alice.code])).status_code == 302
    assert not twofactor.has_device(alice)


def test_new_recovery_codes_need_a_recent_reauthentication(clock, alice):
    from refuge.accounts import twofactor

    device, old = enrol_device(alice)
    client = Client()
    log_in(client, alice, device)
    clock.move_to(T0 + timedelta(minutes=6))
    assert client.post(reverse("recovery_codes_new")).status_code == 303
    client.post(reverse("reauth"), {"password": PASSWORD, "code": totp_now(device, offset=1)})
    page = client.post(reverse("recovery_codes_new"))
    assert page.status_code == 200 and old[0] not in page.content.decode()
    assert twofactor.verify(alice, old[1]) is None


@pytest.mark.urls("tests.accounts.urls_reauth")
def test_an_export_needs_the_password_and_code_within_five_minutes(clock, alice):
    """No export view exists yet; this is how one must behave (require_recent_auth)."""
    device, _ = enrol_device(alice)
    client = Client()
    log_in(client, alice, device)
    assert client.get("/test-export/").status_code == 200  # just logged in: recent enough
    clock.move_to(T0 + timedelta(minutes=5, seconds=30))
    response = client.get("/test-export/")
    assert response.status_code == 302 and response["Location"] == f"{reverse('reauth')}?next=%2Ftest-export%2F"
    client.post(reverse("reauth"), {"password": PASSWORD, "code": totp_now(device, offset=1)})
    assert client.get("/test-export/").status_code == 200
    clock.move_to(T0 + timedelta(minutes=11))
    assert client.get("/test-export/").status_code == 302
