"""Sealed start, the 503 page, the unseal page, the seal button, `refuge seal` ending every session."""

from __future__ import annotations

import io
import time

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse

from refuge.vault import state
from refuge.vault.models import VaultControl
from tests.conftest import PASSWORD
from tests.vault.conftest import mnemonics_from

pytestmark = pytest.mark.django_db

PASSPHRASE = "seven lanterns over a frozen river"


@pytest.fixture
def passphrase_vault(db, monkeypatch):
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    call_command("vault", "init", "--passphrase", "--scrypt-n", str(2**14))


def _case_pages(case) -> list[str]:
    return [
        "/",
        reverse("case_list"),
        reverse("case_detail", args=[case.code]),
        reverse("person_edit", args=[case.code]),
        reverse("vault_test_whoami"),
        "/api/cases/",
        "/no/such/page/",
    ]


def test_sealed_server_answers_503_with_no_data(dev_vault, client, alice, case) -> None:
    state.seal(reason="test")
    client.force_login(alice)
    for url in _case_pages(case):
        response = client.get(url)
        assert response.status_code == 503, url
        body = response.content.decode()
        assert "Sealed" in body
        assert case.reference not in body and "Testov" not in body and "alice" not in body.lower()
        assert response["Cache-Control"] == "no-store"
    assert client.post(reverse("case_list"), {"reference": "X"}).status_code == 503


def test_sealed_server_still_serves_the_unseal_and_login_pages(passphrase_vault, client) -> None:
    response = client.get(reverse("vault_unseal"))
    assert response.status_code == 503  # the page itself says "sealed", with its form
    assert b'name="passphrase"' in response.content
    assert client.get(reverse("login")).status_code == 200
    assert client.get("/static/refuge/nothing.css").status_code == 404  # static is not held back


def test_unseal_guesses_from_one_address_are_slowed_down(passphrase_vault) -> None:
    from django.test import Client

    guesser = Client(REMOTE_ADDR="203.0.113.5")
    for i in range(5):
        assert guesser.post(reverse("vault_unseal"), {"passphrase": f"guess number {i}"}).status_code == 403
    response = guesser.post(reverse("vault_unseal"), {"passphrase": PASSPHRASE})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert state.is_sealed()  # not even the right passphrase is tried while it waits
    operator = Client(REMOTE_ADDR="127.0.0.1")
    assert operator.post(reverse("vault_unseal"), {"passphrase": PASSPHRASE}).status_code == 303
    assert not state.is_sealed()


def test_unsealed_server_serves_case_pages(dev_vault, client, alice, case) -> None:
    client.force_login(alice)
    response = client.get(reverse("case_detail", args=[case.code]))
    assert response.status_code == 200
    assert case.reference in response.content.decode()


def test_the_unseal_page_opens_the_vault_with_the_passphrase(passphrase_vault, client) -> None:
    response = client.post(reverse("vault_unseal"), {"passphrase": "not the passphrase at all"})
    assert response.status_code == 403
    assert state.is_sealed()
    assert VaultControl.objects.get(pk=state.CONTROL_PK).failed_unseals == 1
    response = client.post(reverse("vault_unseal"), {"passphrase": PASSPHRASE})
    assert response.status_code == 303
    assert response["Location"] == reverse("login")
    assert not state.is_sealed()


def test_the_unseal_page_collects_shares_from_several_operators(db, client) -> None:
    out = io.StringIO()
    call_command("vault", "init", "--shares", "3", "--threshold", "2", stdout=out)
    shares = mnemonics_from(out.getvalue())
    response = client.post(reverse("vault_unseal"), {"shares": shares[2]})
    assert response.status_code == 202
    assert b"1 of 2 shares" in response.content
    assert state.is_sealed()
    assert client.post(reverse("vault_unseal"), {"shares": shares[0]}).status_code == 303
    assert not state.is_sealed()


def test_the_admin_of_the_only_organisation_seals_with_a_button_and_every_session_ends(
    dev_vault, client, adam, alice, case
) -> None:
    from django.test import Client

    alice_client = Client()
    alice_client.force_login(alice)
    assert alice_client.get(reverse("vault_test_whoami")).status_code == 200
    client.force_login(adam)
    response = client.post(reverse("vault_seal"))
    assert response.status_code == 302
    assert state.is_sealed()
    assert not Session.objects.exists()
    assert alice_client.get(reverse("vault_test_whoami")).status_code == 503
    # Unsealed again, the old sessions are still gone.
    state.unseal_with_dev_key()
    assert alice_client.get(reverse("vault_test_whoami")).status_code == 401


def test_only_admins_may_seal(dev_vault, client, alice) -> None:
    assert client.post(reverse("vault_seal")).status_code == 302  # anonymous: to the login page
    client.force_login(alice)
    assert client.post(reverse("vault_seal")).status_code == 404
    assert client.get(reverse("vault_seal")).status_code == 405
    assert not state.is_sealed()


def test_an_organisation_admin_cannot_seal_a_server_of_two_organisations(
    dev_vault, client, adam, carol
) -> None:
    client.force_login(adam)
    assert client.post(reverse("vault_seal")).status_code == 404
    assert not state.is_sealed()
    assert b"Seal the server" not in client.get(reverse("user_list")).content


def test_an_operator_granted_on_the_host_seals_a_server_of_two_organisations(
    dev_vault, client, adam, carol
) -> None:
    from refuge.audit.events import EventType
    from refuge.audit.models import AuditEvent

    out = io.StringIO()
    call_command("operator", "grant", "adam", stdout=out)
    assert "is now an operator" in out.getvalue()
    assert AuditEvent.objects.filter(type=EventType.OPERATOR_GRANTED, target_code=str(adam.code)).exists()
    client.force_login(adam)
    assert b"Seal the server" in client.get(reverse("user_list")).content
    assert client.post(reverse("vault_seal")).status_code == 302
    assert state.is_sealed()


def test_refuge_seal_ends_every_session(dev_vault, client, alice) -> None:
    assert client.login(username="alice", password=PASSWORD)
    assert client.get(reverse("vault_test_whoami")).content.startswith(b"alice:")
    assert Session.objects.exists()
    call_command("seal", stdout=io.StringIO())
    assert not Session.objects.exists()
    assert state.is_sealed()
    assert client.get(reverse("vault_test_whoami")).status_code == 503


def test_a_seal_by_another_process_drops_the_key_before_the_next_request(dev_vault, client, alice) -> None:
    client.force_login(alice)
    assert client.get(reverse("vault_test_whoami")).status_code == 200
    # What `refuge seal` in another process leaves in the database (tested for real in test_processes.py).
    from django.db.models import F

    started = time.monotonic()
    VaultControl.objects.get_or_create(pk=state.CONTROL_PK)
    VaultControl.objects.filter(pk=state.CONTROL_PK).update(seal_epoch=F("seal_epoch") + 1)
    Session.objects.all().delete()
    assert client.get(reverse("vault_test_whoami")).status_code == 503
    assert state.is_sealed()
    assert time.monotonic() - started < 2


def test_a_server_with_a_dev_key_file_starts_unsealed_and_says_so(dev_vault, client, alice, case, capsys) -> None:
    state.reset_for_tests()  # as a freshly started server process
    capsys.readouterr()
    client.force_login(alice)
    assert client.get(reverse("case_detail", args=[case.code])).status_code == 200
    assert "DEVELOPMENT KEY FILE" in capsys.readouterr().err


def test_a_server_without_a_dev_key_file_starts_sealed(dev_vault, client, alice, case) -> None:
    from refuge.vault import keys

    keys.dev_key_path().unlink()
    state.reset_for_tests()
    client.force_login(alice)
    assert client.get(reverse("case_detail", args=[case.code])).status_code == 503


def test_system_checks_name_missing_wiring(settings) -> None:
    from refuge.vault.checks import check_vault

    assert [m.id for m in check_vault()] == []
    settings.FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "vault" not in m]
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    assert sorted(m.id for m in check_vault()) == ["refuge.E101", "refuge.E102", "refuge.E103"]


def test_system_checks_warn_about_a_dev_key_file(dev_vault) -> None:
    from refuge.vault.checks import check_vault

    assert [m.id for m in check_vault()] == ["refuge.W101"]
