from __future__ import annotations

from django.apps import AppConfig

from refuge.accounts import totp_keys


class AccountsConfig(AppConfig):
    name = "refuge.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from refuge.accounts import checks  # noqa: F401, PLC0415  # deferred: registers the checks, which read models

        totp_keys.install()
