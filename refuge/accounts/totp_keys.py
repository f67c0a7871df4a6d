"""TOTP secrets encrypted at rest, under a key derived from the server's secret key.

django-otp keeps each authenticator's secret as hex in `otp_totp_totpdevice.key`: a copy of the
database would let anyone make the staff's codes. Here the column holds `v1:` + base64 of
AES-256-GCM(key, secret), bound to the device's user, and `TOTPDevice.bin_key` (the one place
django-otp and Refuge read the secret) decrypts it.

Why the server's secret key and not the vault: the login page answers while the vault is sealed,
and the second factor must work there too (an admin logs in to see that the server is sealed and
to seal it again with re-authentication); a key that only exists once the vault is unsealed would
lock every lawyer and admin out of a sealed server. The secret key lives outside the database
(REFUGE_SECRET_KEY_FILE, /etc/refuge/secret-key in the README's production setup), so a copy of
the database, a backup or a PostgreSQL server alone gives no codes. Rotating the secret key: the
old one goes to Django's SECRET_KEY_FALLBACKS, which are tried in turn, and each device is
re-encrypted under the new key the next time it is saved (every successful code saves it).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from refuge.vault import crypto

PREFIX = "v1:"
_INFO = b"refuge.accounts.totp-secret.v1"


def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=crypto.KEY_BYTES, salt=None, info=_INFO).derive(secret.encode())


def _aad(user_id: object) -> bytes:
    return f"otp_totp.totpdevice.key:user:{user_id}".encode()


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def encrypt(hex_secret: str, user_id: object) -> str:
    blob = crypto.seal(_key(settings.SECRET_KEY), binascii.unhexlify(hex_secret), aad=_aad(user_id))
    return PREFIX + base64.b64encode(blob).decode("ascii")


def decrypt(stored: str, user_id: object) -> bytes:
    """The binary secret; DecryptionError if no configured secret key opens it."""
    blob = base64.b64decode(stored[len(PREFIX) :])
    for secret in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        try:
            return crypto.open_sealed(_key(secret), blob, aad=_aad(user_id))
        except crypto.DecryptionError:
            continue
    raise crypto.DecryptionError("no configured secret key opens this TOTP secret")


def _bin_key(device: Any) -> bytes:
    stored = device.key
    if is_encrypted(stored):
        return decrypt(stored, device.user_id)
    return binascii.unhexlify(stored.encode())  # an unsaved device (enrolment) holds the hex secret


def _encrypt_on_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if is_encrypted(instance.key):
        if not _opens_with_current(instance):
            instance.key = encrypt(binascii.hexlify(_bin_key(instance)).decode(), instance.user_id)
        return
    instance.key = encrypt(instance.key, instance.user_id)


def _opens_with_current(device: Any) -> bool:
    try:
        blob = base64.b64decode(device.key[len(PREFIX) :])
        crypto.open_sealed(_key(settings.SECRET_KEY), blob, aad=_aad(device.user_id))
    except crypto.DecryptionError:
        return False
    return True


def install() -> None:
    """Called from AccountsConfig.ready(): the secret is decrypted where read, encrypted where saved."""
    from django.db.models.signals import pre_save  # noqa: PLC0415  # at app loading
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415  # at app loading

    TOTPDevice.bin_key = property(_bin_key)
    pre_save.connect(_encrypt_on_save, sender=TOTPDevice, dispatch_uid="refuge.accounts.totp_keys")
