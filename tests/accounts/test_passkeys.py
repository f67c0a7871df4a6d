"""Passkeys over HTTP: adding, logging in, what is refused (another origin or RP id, a replay, a clone,
an admin who does not verify), the organisation's policy, re-authentication, removal and the audit.

The authenticator is tests/accounts/softkey.py; the server is reached at REFUGE_BASE_URL below.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from refuge.accounts import twofactor
from refuge.accounts.models import Passkey
from refuge.accounts.sessions import REAUTH_AT
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from tests.accounts.conftest import enrol_device, password_step, totp_now, verified_client
from tests.accounts.softkey import SoftKey, options_from
from tests.conftest import PASSWORD

BASE = "https://refuge.example.org"
RP_ID = "refuge.example.org"


@pytest.fixture(autouse=True)
def _base_url(settings) -> None:
    settings.REFUGE_BASE_URL = BASE


def events(kind: EventType, user: Any) -> int:
    return AuditEvent.objects.filter(type=kind, target_code=str(user.code)).count()


def add_passkey(client: Client, key: SoftKey, name: str = "blue key", **extra: Any) -> Any:
    page = client.get(reverse("passkey_add"))
    assert page.status_code == 200, page.content.decode()[:2000]
    credential = key.create(options_from(page.content.decode()), **extra)
    return client.post(reverse("passkey_add"), {"name": name, "credential": credential})


def with_passkey(user: Any, *, verifies: bool = True) -> SoftKey:
    """The user's passkey, added on her account page by a verified session."""
    device, _ = enrol_device(user)
    key = SoftKey(rp_id=RP_ID, origin=BASE, verifies=verifies)
    response = add_passkey(verified_client(user, device), key)
    assert response.status_code == 302, response.content.decode()[:2000]
    return key


def passkey_step(client: Client, key: SoftKey, **extra: Any) -> Any:
    page = client.get(reverse("two_factor"))
    assert page.status_code == 200
    assert "Second step: your passkey" in page.content.decode()
    return client.post(reverse("two_factor"), {"credential": key.get(options_from(page.content.decode()), **extra)})


def test_a_lawyer_adds_a_passkey_and_logs_in_with_it(alice):
    key = with_passkey(alice)
    passkey = Passkey.objects.get(user=alice)
    assert (passkey.name, passkey.transports, passkey.last_used_at) == ("blue key", ["usb", "nfc"], None)
    assert bytes(passkey.credential_id) == key.credential_id
    assert bytes(passkey.user_handle) == key.user_handle and len(key.user_handle) >= 32
    assert key.user_handle not in (str(alice.pk).encode(), alice.code.bytes, b"alice")  # random, not an id
    assert events(EventType.PASSKEY_ADDED, alice) == 1

    client = Client()
    assert password_step(client, "alice")["Location"] == reverse("two_factor")
    response = passkey_step(client, key)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    passkey.refresh_from_db()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    assert events(EventType.PASSKEY_LOGIN, alice) == 1
    assert events(EventType.TOTP_FALLBACK, alice) == 0
    page = client.get(reverse("account")).content.decode()
    assert "blue key" in page and "never" not in page.split('id="passkeys"')[1].split("</table>")[0]


@pytest.mark.parametrize(
    ("origin", "rp_id"),
    [
        ("https://refuge-example.org", None),  # a look-alike page's origin
        ("http://refuge.example.org", None),  # the same host without TLS
        ("https://refuge.example.org:8443", None),  # another port
        (None, "refuge-example.org"),  # signed for another relying party
    ],
)
def test_an_assertion_for_another_origin_or_relying_party_is_refused(alice, origin, rp_id):
    key = with_passkey(alice)
    client = Client()
    password_step(client, "alice")
    response = passkey_step(client, key, origin=origin, rp_id=rp_id)
    assert response.status_code == 422
    assert "The passkey was refused" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302  # not logged in
    assert Passkey.objects.get(user=alice).sign_count == 0
    assert events(EventType.PASSKEY_LOGIN, alice) == 0


def test_a_registration_made_on_another_origin_is_refused(alice):
    device, _ = enrol_device(alice)
    response = add_passkey(verified_client(alice, device), SoftKey(rp_id=RP_ID, origin="https://evil.example"))
    assert response.status_code == 422
    assert "could not be checked" in response.content.decode()
    assert not Passkey.objects.filter(user=alice).exists()


def test_a_replayed_assertion_is_refused(alice):
    key = with_passkey(alice)
    first = Client()
    password_step(first, "alice")
    page = first.get(reverse("two_factor")).content.decode()
    assertion = key.get(options_from(page))
    assert first.post(reverse("two_factor"), {"credential": assertion}).status_code == 302

    # The same answer again: in the same session, and in another login's.
    first.logout()
    for client in (first, Client()):
        password_step(client, "alice")
        client.get(reverse("two_factor"))
        response = client.post(reverse("two_factor"), {"credential": assertion})
        assert response.status_code == 422, response.content.decode()[:500]
        assert client.get(reverse("dashboard")).status_code == 302
    assert events(EventType.PASSKEY_LOGIN, alice) == 1


def test_a_clone_whose_counter_is_behind_is_refused(alice):
    key = with_passkey(alice)
    clone = key.clone()
    for _ in range(2):
        client = Client()
        password_step(client, "alice")
        assert passkey_step(client, key).status_code == 302
    client = Client()
    password_step(client, "alice")
    response = passkey_step(client, clone)  # its counter says 1; the server has seen 2
    assert response.status_code == 422
    assert Passkey.objects.get(user=alice).sign_count == 2


def test_another_users_passkey_does_not_log_in(alice, bob):
    bobs = with_passkey(bob)
    with_passkey(alice)
    client = Client()
    password_step(client, "alice")
    page = client.get(reverse("two_factor")).content.decode()
    response = client.post(reverse("two_factor"), {"credential": bobs.get(options_from(page))})
    assert response.status_code == 422
    assert "not one of yours" in response.content.decode()


def test_admins_must_unlock_their_key(adam):
    key = with_passkey(adam)  # verified at registration
    key.verifies = False  # a touch, no PIN
    client = Client()
    password_step(client, "adam")
    assert passkey_step(client, key).status_code == 422
    key.verifies = True
    assert passkey_step(client, key).status_code == 302

    device, _ = enrol_device(adam)  # a second key that does not verify cannot even be added
    response = add_passkey(verified_client(adam, device), SoftKey(rp_id=RP_ID, origin=BASE, verifies=False))
    assert response.status_code == 422
    assert Passkey.objects.filter(user=adam).count() == 1


def test_an_empty_or_broken_answer_is_a_clear_error(alice):
    with_passkey(alice)
    client = Client()
    password_step(client, "alice")
    client.get(reverse("two_factor"))
    for credential in ("", "not json", '{"id": "x"}'):
        response = client.post(reverse("two_factor"), {"credential": credential})
        assert response.status_code == 422
        client.get(reverse("two_factor"))  # a fresh challenge for the next try


def test_a_code_stands_in_for_the_passkey_and_is_audited(alice):
    with_passkey(alice)
    device = alice.totpdevice_set.get()
    client = Client()
    password_step(client, "alice")
    assert "Use a code from the app" in client.get(reverse("two_factor")).content.decode()
    response = client.post(reverse("two_factor") + "?use=code", {"code": totp_now(device)})
    assert response.status_code == 302
    assert events(EventType.TOTP_FALLBACK, alice) == 1
    # Sensitive steps now want the passkey itself.
    response = client.post(reverse("recovery_codes_new"))
    assert response.status_code == 303 and response["Location"].startswith(reverse("reauth"))


def test_without_the_fallback_only_the_passkey_or_a_recovery_code_logs_in(alice):
    with_passkey(alice)
    device = alice.totpdevice_set.get()
    recovery = twofactor.new_recovery_codes(alice)
    organisation = alice.membership().organisation
    organisation.passkeys_required, organisation.totp_fallback = True, False
    organisation.save()

    client = Client()
    password_step(client, "alice")
    response = client.post(reverse("two_factor") + "?use=code", {"code": totp_now(device)})
    assert response.status_code == 422
    assert "not a code from the app" in response.content.decode()
    response = client.post(reverse("two_factor") + "?use=code", {"code": recovery[0]})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert events(EventType.RECOVERY_CODE_USED, alice) == 1
    assert events(EventType.TOTP_FALLBACK, alice) == 1
    entry = AuditEvent.objects.get(type=EventType.RECOVERY_CODE_USED)
    assert entry.data == {"left": 9}


def test_a_recovery_code_is_audited_for_a_user_without_passkeys(alice):
    _, codes = enrol_device(alice)
    client = Client()
    password_step(client, "alice")
    assert client.post(reverse("two_factor"), {"code": codes[0]}).status_code == 302
    assert events(EventType.RECOVERY_CODE_USED, alice) == 1
    assert events(EventType.TOTP_FALLBACK, alice) == 0


def test_the_policy_sends_a_lawyer_without_a_passkey_to_add_one_first(alice):
    device, _ = enrol_device(alice)
    organisation = alice.membership().organisation
    organisation.passkeys_required = True
    organisation.save()
    client = Client()
    password_step(client, "alice")
    response = client.post(reverse("two_factor"), {"code": totp_now(device)})
    assert response.status_code == 302 and response["Location"].startswith(reverse("passkey_add"))
    for name in ("dashboard", "account", "case_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("passkey_add")), name
    page = client.get(reverse("passkey_add")).content.decode()
    assert "requires a passkey" in page and "Cancel" not in page
    key = SoftKey(rp_id=RP_ID, origin=BASE)
    assert add_passkey(client, key).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_policy_lets_a_lawyer_with_no_factor_start_with_a_passkey(alice):
    organisation = alice.membership().organisation
    organisation.passkeys_required = True
    organisation.save()
    client = Client()
    password_step(client, "alice")
    response = client.get(reverse("two_factor"))
    assert response["Location"] == reverse("passkey_add")
    key = SoftKey(rp_id=RP_ID, origin=BASE)
    response = add_passkey(client, key)
    assert response.status_code == 200  # the recovery codes, shown once
    assert len(response.context["codes"]) == 10
    assert client.get(reverse("dashboard")).status_code == 200
    assert events(EventType.PASSKEY_LOGIN, alice) == 1


def test_a_caseworker_is_not_covered_by_the_policy(bob):
    organisation = bob.membership().organisation
    organisation.passkeys_required = True
    organisation.save()
    client = Client()
    response = password_step(client, "bob")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_re_authentication_asks_for_the_passkey(alice):
    key = with_passkey(alice)
    client = Client()
    password_step(client, "alice")
    passkey_step(client, key)
    session = client.session
    session[REAUTH_AT] = time.time() - 3600
    session.save()
    response = client.post(reverse("recovery_codes_new"))
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert "your password and your passkey" in page
    options = options_from(page)
    response = client.post(reverse("reauth"), {"password": PASSWORD, "next": reverse("account")})
    assert response.status_code == 422  # the password alone is not enough
    page = response.content.decode()
    response = client.post(
        reverse("reauth"),
        {"password": PASSWORD, "credential": key.get(options_from(page)), "next": reverse("account")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("account")
    assert options["challenge"] != options_from(page)["challenge"]
    assert client.post(reverse("recovery_codes_new")).status_code == 200


def test_removal_needs_re_authentication_and_is_audited(alice, bob):
    with_passkey(alice)
    passkey = Passkey.objects.get(user=alice)
    device = alice.totpdevice_set.get()
    client = verified_client(alice, device)
    url = reverse("passkey_remove", args=[passkey.code])
    session = client.session
    session[REAUTH_AT] = time.time() - 3600
    session.save()
    response = client.post(url, HTTP_REFERER="http://testserver" + reverse("account"))
    assert response.status_code == 303 and response["Location"].startswith(reverse("reauth"))
    assert Passkey.objects.filter(pk=passkey.pk).exists()

    bobs = verified_client(bob)
    assert bobs.post(url).status_code == 404  # not his

    session = client.session
    session[REAUTH_AT] = time.time()
    session.save()
    assert client.post(url).status_code == 302
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    assert events(EventType.PASSKEY_REMOVED, alice) == 1


def test_the_last_passkey_the_policy_requires_stays(alice):
    with_passkey(alice)
    organisation = alice.membership().organisation
    organisation.passkeys_required = True
    organisation.save()
    passkey = Passkey.objects.get(user=alice)
    client = verified_client(alice, passkey)
    response = client.post(reverse("passkey_remove", args=[passkey.code]))
    assert response.status_code == 302
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_an_admin_sets_the_policy_and_it_is_audited(adam, alice, settings):
    client = verified_client(adam, enrol_device(adam)[0])
    url = reverse("organisation_passkeys")
    response = client.post(url, {"passkeys_required": "on"})
    assert response.status_code == 302
    organisation = adam.membership().organisation
    organisation.refresh_from_db()
    assert (organisation.passkeys_required, organisation.totp_fallback) == (True, False)
    entry = AuditEvent.objects.get(type=EventType.PASSKEY_POLICY_CHANGED)
    assert entry.data == {"required": True, "totp_fallback": False}
    lawyer = verified_client(alice, enrol_device(alice)[0])
    assert lawyer.post(url, {}).status_code == 404  # a lawyer is not an admin

    settings.REFUGE_BASE_URL = "https://203.0.113.7"
    client.post(url, {})
    organisation.refresh_from_db()
    assert not organisation.passkeys_required  # switching it off is always possible
    response = client.post(url, {"passkeys_required": "on", "totp_fallback": "on"}, follow=True)
    assert "IP address" in response.content.decode()
    organisation.refresh_from_db()
    assert not organisation.passkeys_required


def test_passkeys_are_unavailable_on_an_ip_address(alice, settings):
    settings.REFUGE_BASE_URL = "http://127.0.0.1:8000"
    device, _ = enrol_device(alice)
    page = verified_client(alice, device).get(reverse("passkey_add")).content.decode()
    assert "needs a host name" in page
    assert "passkey-options" not in page


def test_the_deploy_check_refuses_the_policy_on_an_ip_address(alice, settings):
    from refuge.accounts.checks import check_passkey_policy

    organisation = alice.membership().organisation
    assert check_passkey_policy() == []
    organisation.passkeys_required = True
    organisation.save()
    assert check_passkey_policy() == []  # a host name
    settings.REFUGE_BASE_URL = "https://203.0.113.7"
    assert [m.id for m in check_passkey_policy()] == ["refuge.E014"]
    settings.REFUGE_BASE_URL = "https://[2001:db8::1]"
    assert [m.id for m in check_passkey_policy()] == ["refuge.E014"]


def test_a_second_passkey_shares_the_users_handle(alice, bob):
    first = with_passkey(alice)
    device = alice.totpdevice_set.get()
    second = SoftKey(rp_id=RP_ID, origin=BASE)
    assert add_passkey(verified_client(alice, device), second, name="spare key").status_code == 302
    assert second.user_handle == first.user_handle  # an authenticator replaces, not duplicates, her account
    assert with_passkey(bob).user_handle != first.user_handle
    page = add_passkey(verified_client(alice, device), SoftKey(rp_id=RP_ID, origin=BASE), name="spare key")
    assert page.status_code == 422 and "of that name already" in page.content.decode()


def test_an_admins_reset_removes_the_passkeys_too(adam, alice):
    with_passkey(alice)
    admin = verified_client(adam, enrol_device(adam)[0])
    page = admin.get(reverse("user_detail", args=[alice.code])).content.decode()
    assert "1 passkey" in page
    assert admin.post(reverse("user_reset_2fa", args=[alice.code])).status_code == 302
    assert not Passkey.objects.filter(user=alice).exists()
    client = Client()
    password_step(client, "alice")
    assert client.get(reverse("two_factor"))["Location"] == reverse("two_factor_enrol")  # starts afresh


def test_the_policy_is_confirmed_in_the_admins_language(adam):
    adam.language = "ru"
    adam.save(update_fields=["language"])
    client = verified_client(adam, enrol_device(adam)[0])
    url = reverse("organisation_passkeys")
    page = client.post(url, {"passkeys_required": "on", "totp_fallback": "on"}, follow=True).content.decode()
    assert "Администраторам и юристам теперь нужен ключ доступа" in page and "Admins and lawyers" not in page
    page = client.post(url, {"passkeys_required": "on", "totp_fallback": "on"}, follow=True).content.decode()
    assert "Правило о ключах доступа не изменилось." in page
    page = client.post(url, {}, follow=True).content.decode()
    assert "Ключи доступа больше не обязательны." in page
