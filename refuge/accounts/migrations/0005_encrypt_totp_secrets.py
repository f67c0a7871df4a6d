"""TOTP secrets already stored in hex are encrypted under the server's secret key (refuge/accounts/totp_keys.py).

The secret key is in the settings of every process, so this needs no unsealed vault.
"""

import binascii

from django.db import migrations

from refuge.accounts import totp_keys


def encrypt(apps, schema_editor):
    for device in apps.get_model("otp_totp", "TOTPDevice").objects.all():
        if not totp_keys.is_encrypted(device.key):
            device.key = totp_keys.encrypt(device.key, device.user_id)
            device.save(update_fields=["key"])


def decrypt(apps, schema_editor):
    for device in apps.get_model("otp_totp", "TOTPDevice").objects.all():
        if totp_keys.is_encrypted(device.key):
            device.key = binascii.hexlify(totp_keys.decrypt(device.key, device.user_id)).decode()
            device.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_login_throttles"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
