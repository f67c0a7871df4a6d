"""Failed logins slow guessing down (per name, per address, per both) and never lock anyone out:
the owner on a device she used before is not slowed by an attacker. No name is given away."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from refuge.accounts import throttle
from tests.accounts.conftest import log_in, password_step, totp_now, verified_client
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
SLOWED = "Too many failed logins for this name"


def _fail(username: str, times: int, *, address: str = "127.0.0.1", client: Client | None = None) -> list[int]:
    client = client or Client(REMOTE_ADDR=address)
    return [password_step(client, username, f"wrong password {i}").status_code for i in range(times)]


def test_five_failures_then_the_name_waits_even_for_the_right_password(bob):
    assert _fail("bob", 5) == [200] * 5
    response = password_step(Client(), "bob")
    assert response.status_code == 429 and SLOWED in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 2
    assert "_auth_user_id" not in Client().session


def test_the_wait_doubles_and_stops_at_a_minute(bob):
    start = timezone.now()
    waits = []
    with time_machine.travel(start, tick=False) as clock:
        _fail("bob", 5, address="203.0.113.200")
        for n in range(10):  # from ever new addresses: the name's own wait, not the address's
            response = password_step(Client(REMOTE_ADDR=f"203.0.113.{n}"), "bob", "still wrong")
            assert response.status_code == 429
            wait = int(response["Retry-After"])
            waits.append(wait)
            clock.shift(timedelta(seconds=wait))
            assert _fail("bob", 1, address=f"203.0.113.{n}") == [200]  # once waited, it is checked (and fails)
    assert waits[:4] == [2, 3, 5, 9]  # 1 s, 2 s, 4 s, 8 s after the last failure (rounded up)
    assert max(waits) == int(throttle.USERNAME_MAX_DELAY) + 1
    assert waits[-1] == waits[-2]  # capped


def test_the_name_may_try_again_after_its_wait(bob):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _fail("bob", 5)
        clock.shift(timedelta(seconds=2))
        assert password_step(Client(), "bob")["Location"] == reverse("dashboard")


def test_the_owner_logs_in_on_her_known_device_despite_1000_guesses_from_50_addresses(alice, alice_device):
    device, _ = alice_device
    with time_machine.travel(timezone.now(), tick=False) as clock:
        hers = Client(REMOTE_ADDR="192.0.2.10")
        log_in(hers, alice, device)  # an earlier login: this browser is now known for her name
        assert throttle.DEVICE_COOKIE in hers.cookies
        hers.post(reverse("logout"))
        attackers = [Client(REMOTE_ADDR=f"203.0.113.{n}") for n in range(1, 51)]
        answers = [password_step(attackers[i % 50], "alice", f"guess {i}").status_code for i in range(1000)]
        assert set(answers) <= {200, 429} and answers.count(200) <= 10  # 5 free, then a wait each time
        # A browser she never used waits like the attacker...
        assert password_step(Client(REMOTE_ADDR="192.0.2.10"), "alice").status_code == 429
        # ...her own device does not: password, then the code of a new time step.
        clock.shift(timedelta(seconds=31))
        response = password_step(hers, "alice")
        assert response.status_code == 302 and response["Location"] == reverse("two_factor")
        assert hers.post(reverse("two_factor"), {"code": totp_now(device)}).status_code == 302
        assert hers.get(reverse("dashboard")).status_code == 200


def test_a_device_cookie_for_another_name_or_forged_does_not_help(alice, bob):
    known = Client()
    password_step(known, "bob")  # bob's login: the browser is known for bob only
    assert throttle.DEVICE_COOKIE in known.cookies
    _fail("alice", 5, address="203.0.113.9")
    assert password_step(known, "alice").status_code == 429
    forged = Client()
    forged.cookies[throttle.DEVICE_COOKIE] = "alice:forged"
    assert password_step(forged, "alice").status_code == 429


def test_a_stolen_device_cookie_buys_only_a_few_guesses(bob):
    stolen = Client()
    password_step(stolen, "bob")
    stolen.post(reverse("logout"))
    answers = _fail("bob", throttle.DEVICE_LIMIT + 3, client=stolen)
    assert answers[: throttle.DEVICE_LIMIT] == [200] * throttle.DEVICE_LIMIT
    assert answers[-1] == 429  # the cookie is spent: the name's own wait applies again


def test_one_address_cannot_spray_many_names(db):
    spray = Client(REMOTE_ADDR="198.51.100.7")
    answers = [password_step(spray, f"name{i}", "Winter2026!").status_code for i in range(throttle.ADDRESS_LIMIT + 1)]
    assert answers[: throttle.ADDRESS_LIMIT] == [200] * throttle.ADDRESS_LIMIT
    assert answers[-1] == 429
    assert password_step(Client(REMOTE_ADDR="198.51.100.8"), "name-elsewhere").status_code == 200


def test_the_counters_keep_neither_names_nor_addresses(bob):
    from refuge.accounts.models import LoginThrottle

    _fail("bob", 2, address="203.0.113.77")
    rows = list(LoginThrottle.objects.values_list("key", "username_key"))
    assert len(rows) == 3  # the name, the address, the pair
    assert not any("bob" in k or "203.0.113" in k or "bob" in u for k, u in rows)


def test_refuge_unlock_clears_the_name_s_throttles(bob):
    _fail("bob", 6)
    out = io.StringIO()
    call_command("unlock", "bob", stdout=out)
    assert "Cleared" in out.getvalue() and "no longer slowed down" in out.getvalue()
    assert password_step(Client(), "bob")["Location"] == reverse("dashboard")


def test_an_admin_clears_them_with_the_button_on_the_user_page(bob, adam, adam_device):
    _fail("bob", 6)
    admin = verified_client(adam, adam_device[0])
    page = admin.get(reverse("user_detail", args=[bob.code])).content.decode()
    assert "slowed down after failed attempts" in page
    assert f'action="{reverse("user_unlock", args=[bob.code])}"' in page
    assert admin.post(reverse("user_unlock", args=[bob.code])).status_code == 302
    assert "slowed down" not in admin.get(reverse("user_detail", args=[bob.code])).content.decode()
    assert password_step(Client(), "bob")["Location"] == reverse("dashboard")


def test_an_admin_of_another_organisation_cannot_clear_them(bob, other_org):
    from refuge.accounts.models import Membership, User
    from tests.accounts.conftest import enrol_device

    olga = User.objects.create_user(username="olga", password=PASSWORD)
    Membership.objects.create(user=olga, organisation=other_org, role="admin")
    device, _ = enrol_device(olga)
    _fail("bob", 6)
    assert verified_client(olga, device).post(reverse("user_unlock", args=[bob.code])).status_code == 404
    assert password_step(Client(), "bob").status_code == 429


def test_unknown_names_are_slowed_alike(db):
    assert _fail("nobody-here", 6) == [200] * 5 + [429]
    assert SLOWED in password_step(Client(), "nobody-here").content.decode()


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
def counting_hasher(settings):
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


def test_guesses_sent_at_once_when_the_wait_ends_get_one_check(bob):
    from django.test import RequestFactory

    with time_machine.travel(timezone.now(), tick=False) as clock:
        _fail("bob", 5)
        clock.shift(timedelta(seconds=2))
        requests = [RequestFactory().post("/accounts/login/", REMOTE_ADDR=f"203.0.113.{n}") for n in range(5)]
        verdicts = [throttle.check(r, "bob") for r in requests]  # all before any of them fails
        assert [v.wait == 0 for v in verdicts] == [True, False, False, False, False]
