"""The two login steps: password, then a TOTP or recovery code; enrolment; who needs a code."""

from __future__ import annotations

import base64
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import enrol_device, log_in, password_step, secret_from, totp_now, verified_client
from tests.conftest import PASSWORD


def test_a_lawyer_logs_in_with_the_password_then_a_totp_code(client, alice, alice_device):
    device, _ = alice_device
    response = password_step(client, "alice")
    assert response.status_code == 302 and response["Location"] == reverse("two_factor")
    # Half-way in is not in.
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    page = client.get(reverse("two_factor"))
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    response = client.post(reverse("two_factor"), {"code": totp_now(device)})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    assert int(client.session["_auth_user_id"]) == alice.pk
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_wrong_code_is_refused_and_nobody_is_logged_in(client, alice, alice_device):
    device, _ = alice_device
    password_step(client, "alice")
    right = totp_now(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(reverse("two_factor"), {"code": wrong})
    assert response.status_code == 422
    assert "That code is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


def test_a_used_totp_code_does_not_log_in_twice(alice, alice_device):
    device, _ = alice_device
    first, second = Client(), Client()
    code = totp_now(device)
    password_step(first, "alice")
    assert first.post(reverse("two_factor"), {"code": code}).status_code == 302
    password_step(second, "alice")
    assert second.post(reverse("two_factor"), {"code": code}).status_code == 422


def test_a_recovery_code_works_once(alice, alice_device):
    _, codes = alice_device
    first = Client()
    password_step(first, "alice")
    response = first.post(reverse("two_factor"), {"code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    arrival = first.get(reverse("dashboard"))
    assert arrival.status_code == 200 and "You used a recovery code; 9 left" in arrival.content.decode()
    again = Client()
    password_step(again, "alice")
    assert again.post(reverse("two_factor"), {"code": codes[0]}).status_code == 422
    assert "_auth_user_id" not in again.session


def test_a_recovery_code_is_consumed(alice, alice_device):
    from refuge.accounts import twofactor

    _, codes = alice_device
    client = Client()
    password_step(client, "alice")
    client.post(reverse("two_factor"), {"code": codes[3]})
    assert twofactor.recovery_codes_left(alice) == 9
    assert twofactor.verify(alice, codes[3]) is None


def test_a_lawyer_without_a_device_enrols_then_gets_ten_recovery_codes_once(client, alice):
    from django_otp.oath import TOTP

    response = password_step(client, "alice")
    assert client.get(response["Location"])["Location"] == reverse("two_factor_enrol")
    page = client.get(reverse("two_factor_enrol"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg role="img" aria-label="QR code of the secret" class="qr"' in html
    assert "style=" not in html and "<script>" not in html
    secret = secret_from(html)
    assert secret_from(client.get(reverse("two_factor_enrol")).content.decode()) == secret
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))  # not in yet

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    assert client.post(reverse("two_factor_enrol"), {"code": "000000"}).status_code in (422,)
    response = client.post(reverse("two_factor_enrol"), {"code": f"{TOTP(key).token():06d}"})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert response["Cache-Control"] == "no-store"
    # Logged in and verified by the new device; the codes are not shown again.
    assert client.get(reverse("dashboard")).status_code == 200
    account = client.get(reverse("account")).content.decode()
    assert "10 recovery codes left" in account and codes[0] not in account
    assert client.get(reverse("two_factor_enrol"))["Location"] == reverse("account")


def test_enrolment_with_a_wrong_code_saves_no_device(client, alice):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    password_step(client, "alice")
    client.get(reverse("two_factor_enrol"))
    assert client.post(reverse("two_factor_enrol"), {"code": "12345"}).status_code == 422
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_an_enrolled_lawyer_is_asked_for_the_code_next_time(alice, alice_device):
    assert alice_device
    client = Client()
    password_step(client, "alice")
    assert client.get(reverse("two_factor_enrol"))["Location"] == reverse("two_factor")


def test_a_caseworker_without_a_device_logs_in_with_the_password_alone(client, bob):
    response = password_step(client, "bob")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_caseworker_who_enrolled_uses_the_code(client, bob):
    device, _ = enrol_device(bob)
    assert password_step(client, "bob")["Location"] == reverse("two_factor")
    assert client.post(reverse("two_factor"), {"code": totp_now(device)}).status_code == 302


def test_an_analyst_and_an_admin_need_what_their_roles_need(ana, adam):
    from refuge.accounts import twofactor

    assert not twofactor.requires_second_factor(ana)
    assert twofactor.requires_second_factor(adam)


def test_the_half_way_login_expires_after_five_minutes(client, alice, alice_device):
    device, _ = alice_device
    with time_machine.travel(0, tick=False) as clock:
        clock.move_to("2026-03-01T10:00:00Z")
        password_step(client, "alice")
        clock.move_to("2026-03-01T10:05:30Z")
        response = client.post(reverse("two_factor"), {"code": totp_now(device)})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_the_page_asked_for_survives_the_second_step(client, alice, case, alice_device):
    device, _ = alice_device
    target = reverse("case_detail", args=[case.code])
    response = password_step(client, "alice", next=target)
    assert response["Location"] == reverse("two_factor")
    response = client.post(reverse("two_factor"), {"code": totp_now(device)})
    assert response["Location"] == target


def test_a_next_url_elsewhere_is_ignored(client, alice, alice_device):
    device, _ = alice_device
    password_step(client, "alice", next="https://evil.example/phish")
    response = client.post(reverse("two_factor"), {"code": totp_now(device)})
    assert response["Location"] == reverse("dashboard")


def test_a_password_only_session_of_a_lawyer_is_sent_back_to_the_code(alice, alice_device):
    """A session without django-otp's mark (force_login, a promotion to lawyer) must give a code."""
    device, _ = alice_device
    client = Client()
    client.force_login(alice)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("two_factor")
    assert "_auth_user_id" not in client.session
    assert client.post(reverse("two_factor"), {"code": totp_now(device)})["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_verified_session_goes_through(alice, alice_device):
    device, _ = alice_device
    assert verified_client(alice, device).get(reverse("dashboard")).status_code == 200


def test_htmx_requests_of_an_unverified_session_redirect_the_whole_page(alice, alice_device):
    client = Client()
    client.force_login(alice)
    response = client.get(reverse("dashboard"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("two_factor")


@pytest.mark.parametrize("flag", [True, False])
def test_demo_users_need_no_second_factor_only_with_the_demo_flag(db, settings, flag):
    from refuge.accounts import twofactor
    from refuge.accounts.models import Membership, Organisation, User

    settings.REFUGE_DEMO_NO_2FA = flag
    organisation = Organisation.objects.create(name="A demo by any name", is_demo=True)
    lawyer = User.objects.create_user(username="demo-lawyer", password="a published password")
    Membership.objects.create(user=lawyer, organisation=organisation, role="lawyer")
    assert twofactor.requires_second_factor(lawyer) is not flag
    client = Client()
    response = password_step(client, "demo-lawyer", "a published password")
    assert response["Location"] == (reverse("dashboard") if flag else reverse("two_factor"))


def test_the_demo_exemption_covers_the_demo_organisation_only(settings, alice):
    from refuge.accounts import twofactor

    settings.REFUGE_DEMO_NO_2FA = True
    assert twofactor.requires_second_factor(alice)


def test_the_demo_organisation_is_known_by_its_flag_not_its_name(db, settings):
    from refuge.accounts import twofactor
    from refuge.accounts.models import Membership, Organisation, User
    from refuge.demo.manifest import read_manifest

    settings.REFUGE_DEMO_NO_2FA = True
    # An organisation that merely bears the demo's name is not the demo: its lawyer needs a second factor.
    namesake = Organisation.objects.create(name=read_manifest().organisation)
    real = User.objects.create_user(username="real-lawyer", password="x")
    Membership.objects.create(user=real, organisation=namesake, role="lawyer")
    assert twofactor.requires_second_factor(real)
    # The flagged organisation, renamed by its admin, is still the demo.
    demo = Organisation.objects.create(name="Renamed by its admin", is_demo=True)
    lawyer = User.objects.create_user(username="demo-lawyer", password="x")
    Membership.objects.create(user=lawyer, organisation=demo, role="lawyer")
    assert not twofactor.requires_second_factor(lawyer)


def test_the_demo_command_says_how_to_log_in(db, settings):
    import io

    from django.core.management import call_command

    settings.REFUGE_DEMO_NO_2FA = True
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "need no second factor" in out.getvalue()
    settings.REFUGE_DEMO_NO_2FA = False
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "set up an authenticator app" in out.getvalue()


def test_log_in_helper_logs_in(alice, alice_device):
    log_in(Client(), alice, alice_device[0])


def test_the_password_field_is_still_the_first_step(client):
    html = client.get(reverse("login")).content.decode()
    assert 'autocomplete="current-password"' in html and 'autocomplete="username"' in html
    assert PASSWORD not in html
