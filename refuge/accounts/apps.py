from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "refuge.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from refuge.accounts import checks, signals, totp_keys  # noqa: F401, PLC0415  # registers checks and receivers

        totp_keys.install()
