"""The reads every request makes, compiled once per connection, answer as Django's and django-otp's own:
the session's data (refuge.accounts.session_store), the session's user (RefugeBackend.get_user) and
its second-factor device (PreparedOTPMiddleware)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends import db as django_db
from django.utils import timezone

from refuge.accounts import session_store
from refuge.accounts.backends import RefugeBackend
from refuge.accounts.middleware import PreparedOTPMiddleware
from refuge.accounts.models import User
from tests.accounts.conftest import enrol_device

pytestmark = pytest.mark.django_db


def _both(key: str | None) -> tuple[dict, dict, str | None, str | None]:
    ours, django = session_store.SessionStore(key), django_db.SessionStore(key)
    return ours.load(), django.load(), ours.session_key, django.session_key


def test_a_session_is_read_as_djangos_database_backend_reads_it(time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    live = django_db.SessionStore()
    live.update({"refuge_seen_at": 1.5, "_auth_user_id": "7", "words": ["Ясно", "좋아요"]})
    live.create()
    expired = django_db.SessionStore()
    expired["x"] = 1
    expired.create()
    expired.set_expiry(timezone.now() - timedelta(seconds=1))
    expired.save()
    ours, django, our_key, django_key = _both(live.session_key)
    assert ours == django == {"refuge_seen_at": 1.5, "_auth_user_id": "7", "words": ["Ясно", "좋아요"]}
    assert our_key == django_key == live.session_key
    for key in (expired.session_key, "x" * 32):  # expired, unknown: empty, and the key is dropped
        assert _both(key) == ({}, {}, None, None)
    time_machine.shift(timedelta(seconds=live.get_expiry_age() + 1))  # the live one expires in its turn
    assert _both(live.session_key) == ({}, {}, None, None)


def test_the_session_store_writes_as_djangos(db) -> None:
    store = session_store.SessionStore()
    store["n"] = 1
    store.save()
    again = session_store.SessionStore(store.session_key)
    assert again["n"] == 1
    again["n"] = 2
    again.save()
    assert django_db.SessionStore(store.session_key).load() == {"n": 2}


def test_the_session_user_is_the_querysets(alice, org) -> None:
    want = User.objects.select_related("membership_row__organisation").get(pk=alice.pk)
    for _again in range(2):  # compiled, then reused
        got = RefugeBackend().get_user(alice.pk)
        assert got is not None
        fields = [f.attname for f in User._meta.concrete_fields]
        assert [getattr(got, f) for f in fields] == [getattr(want, f) for f in fields]
        assert got.membership().pk == want.membership_row.pk
        assert got.membership().organisation.name == org.name
    assert RefugeBackend().get_user(str(alice.pk)).pk == alice.pk  # as the session may hold it
    assert RefugeBackend().get_user(None) is None


def test_the_session_device_is_the_one_django_otp_reads(alice, bob) -> None:
    from django_otp.models import Device

    device, _codes = enrol_device(alice)
    static = alice.staticdevice_set.first()
    middleware = PreparedOTPMiddleware(lambda request: None)
    for found in (device, static):
        for _again in range(2):
            got = middleware._device_from_persistent_id(found.persistent_id)
            want = Device.from_persistent_id(found.persistent_id)
            assert type(got) is type(want) and got.pk == want.pk and got.user_id == alice.pk
            assert got.bin_key == want.bin_key if hasattr(want, "bin_key") else got.name == want.name
    # The same refusals: a missing id, a malformed one, an unknown model.
    gone = f"otp_totp.totpdevice/{device.pk + 1000}"
    for persistent_id in (gone, "otp_totp.totpdevice/x", "nosuch.model/1", "nonsense", "a.b.c.d/1"):
        assert middleware._device_from_persistent_id(persistent_id) == Device.from_persistent_id(
            middleware._normalize_persistent_id(persistent_id)
        )
    legacy = f"django_otp.plugins.otp_totp.models.TOTPDevice/{device.pk}"  # the import path of older versions
    assert middleware._device_from_persistent_id(legacy) == device
