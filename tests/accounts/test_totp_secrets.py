"""TOTP secrets are stored encrypted under a key derived from the server's secret key."""

from __future__ import annotations

import binascii

import pytest
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from refuge.vault import crypto
from tests.accounts.conftest import enrol_device, log_in, totp_now


def stored_key(device) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_the_database_holds_no_totp_secret_in_clear(alice):
    device, _ = enrol_device(alice)
    secret_hex = binascii.hexlify(TOTPDevice.objects.get(pk=device.pk).bin_key).decode()
    stored = stored_key(device)
    assert stored.startswith("v1:")
    assert secret_hex not in stored and secret_hex.upper() not in stored


def test_a_lawyer_still_logs_in_with_the_code(alice, client):
    device, _ = enrol_device(alice)
    log_in(client, alice, TOTPDevice.objects.get(pk=device.pk))


def test_a_secret_moved_to_another_user_does_not_open(alice, bob):
    device, _ = enrol_device(alice)
    stolen = stored_key(device)
    other, _ = enrol_device(bob)
    TOTPDevice.objects.filter(pk=other.pk).update(key=stolen)
    with pytest.raises(crypto.DecryptionError):
        TOTPDevice.objects.get(pk=other.pk).bin_key  # noqa: B018  # reading it is the point


def test_a_rotated_secret_key_still_opens_through_the_fallbacks_and_re_encrypts(alice, settings):
    device, _ = enrol_device(alice)
    code_before = totp_now(TOTPDevice.objects.get(pk=device.pk))
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "n" * 64, [old]
    fresh = TOTPDevice.objects.get(pk=device.pk)
    assert totp_now(fresh) == code_before
    fresh.save()
    settings.SECRET_KEY_FALLBACKS = []
    assert totp_now(TOTPDevice.objects.get(pk=device.pk)) == code_before
