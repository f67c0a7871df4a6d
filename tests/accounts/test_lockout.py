"""Five failed logins lock a username out until an admin unlocks it; no name is given away."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import password_step, totp_now, verified_client
from tests.conftest import PASSWORD

LOCKED = "This account is locked after too many failed logins"


def _fail(username: str, times: int) -> list[int]:
    client = Client()
    return [password_step(client, username, f"wrong password {i}").status_code for i in range(times)]


def test_five_failures_lock_the_username_even_for_the_right_password(bob):
    assert _fail("bob", 4) == [200] * 4
    assert password_step(Client(), "bob", "wrong again").status_code == 429  # the fifth locks
    response = password_step(Client(), "bob")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in Client().session


def test_four_failures_then_the_right_password_logs_in_and_the_count_starts_again(bob):
    _fail("bob", 4)
    assert password_step(Client(), "bob")["Location"] == reverse("dashboard")
    assert _fail("bob", 4) == [200] * 4  # the success reset the count


def test_the_lockout_is_by_username_not_by_address(bob, carol):
    _fail("bob", 5)
    other = password_step(Client(REMOTE_ADDR="127.0.0.1"), "carol")
    assert other.status_code == 302  # same address, other name: not locked
    assert password_step(Client(REMOTE_ADDR="10.9.9.9"), "bob").status_code == 429  # other address, same name


def test_refuge_unlock_lets_the_name_log_in_again(bob):
    _fail("bob", 5)
    out = io.StringIO()
    call_command("unlock", "bob", stdout=out)
    assert "Unlocked 'bob'" in out.getvalue()
    assert password_step(Client(), "bob")["Location"] == reverse("dashboard")


def test_an_admin_unlocks_with_the_button_on_the_user_page(bob, adam, adam_device):
    _fail("bob", 5)
    admin = verified_client(adam, adam_device[0])
    page = admin.get(reverse("user_detail", args=[bob.code])).content.decode()
    assert "locked out after failed logins" in page
    assert f'action="{reverse("user_unlock", args=[bob.code])}"' in page
    assert admin.post(reverse("user_unlock", args=[bob.code])).status_code == 302
    assert "locked out" not in admin.get(reverse("user_detail", args=[bob.code])).content.decode()
    assert password_step(Client(), "bob")["Location"] == reverse("dashboard")


def test_an_admin_of_another_organisation_cannot_unlock(bob, other_org):
    from refuge.accounts.models import Membership, User

    olga = User.objects.create_user(username="olga", password=PASSWORD)
    Membership.objects.create(user=olga, organisation=other_org, role="admin")
    from tests.accounts.conftest import enrol_device

    device, _ = enrol_device(olga)
    _fail("bob", 5)
    assert verified_client(olga, device).post(reverse("user_unlock", args=[bob.code])).status_code == 404
    assert password_step(Client(), "bob").status_code == 429


def test_a_lockout_ends_the_names_open_sessions(bob):
    from refuge.accounts.models import UserSession

    open_session = Client()
    open_session.force_login(bob)
    assert open_session.get(reverse("dashboard")).status_code == 200
    _fail("bob", 5)
    assert open_session.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    assert not UserSession.objects.filter(user=bob).exists()


def test_unknown_names_lock_out_alike(db):
    assert _fail("nobody-here", 5) == [200] * 4 + [429]
    assert LOCKED in password_step(Client(), "nobody-here").content.decode()


def test_wrong_codes_do_not_log_in_and_slow_down(alice, alice_device):
    device, _ = alice_device
    client = Client()
    password_step(client, "alice")
    right = totp_now(device)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    assert client.post(reverse("two_factor"), {"code": wrong}).status_code == 422
    # Straight after a wrong code even the right one waits (django-otp's throttling: 1 s, 2 s, ...).
    response = client.post(reverse("two_factor"), {"code": right})
    assert response.status_code == 422 and "wait a minute" in response.content.decode()
    time.sleep(1.1)
    assert client.post(reverse("two_factor"), {"code": right}).status_code == 302


# --- no user enumeration -------------------------------------------------------------------


def _normalised(html: str, username: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": ""', html)
    html = re.sub(r'nonce="[^"]+"', 'nonce=""', html)
    return html.replace(f'value="{username}"', 'value="NAME"')


def test_an_unknown_name_and_a_wrong_password_get_the_same_answer(alice):
    known = password_step(Client(), "alice", "not her password at all")
    unknown = password_step(Client(), "alicia", "not her password at all")
    assert known.status_code == unknown.status_code == 200
    assert "Please enter a correct username and password" in known.content.decode()
    assert _normalised(known.content.decode(), "alice") == _normalised(unknown.content.decode(), "alicia")
    assert sorted(known.headers) == sorted(unknown.headers)


def test_a_disabled_account_gets_the_same_answer_as_a_wrong_password(alice):
    alice.is_active = False
    alice.save()
    disabled = password_step(Client(), "alice")  # the right password
    unknown = password_step(Client(), "alicia")
    assert _normalised(disabled.content.decode(), "alice") == _normalised(unknown.content.decode(), "alicia")


@pytest.fixture
def counting_hasher(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.CountingHasher"]
    from tests.accounts.hashers import CountingHasher

    CountingHasher.calls = 0
    return CountingHasher


def test_an_unknown_name_costs_one_password_hash_as_a_wrong_password_does(counting_hasher, db):
    from refuge.accounts.models import User

    User.objects.create_user(username="hana", password=PASSWORD)
    counting_hasher.calls = 0
    password_step(Client(), "hana", "wrong password here")
    known = counting_hasher.calls
    counting_hasher.calls = 0
    password_step(Client(), "hanna", "wrong password here")
    assert known == counting_hasher.calls == 1


def test_an_unknown_name_takes_as_long_as_a_wrong_password(settings, db):
    """Argon2 for real: the median time of each kind within a factor of two of the other."""
    import statistics

    from refuge.accounts.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    User.objects.create_user(username="hana", password=PASSWORD)

    def median(username: str) -> float:
        times = []
        for i in range(3):
            client = Client()
            start = time.perf_counter()
            password_step(client, username, f"wrong password {i}")
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    median("warm-up")
    known, unknown = median("hana"), median("hanna")
    assert 0.5 < known / unknown < 2.0, (known, unknown)
