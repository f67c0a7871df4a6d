from __future__ import annotations

from django.apps import AppConfig

from refuge.accounts import checks, totp_keys  # noqa: F401  # registers the checks; neither imports a model


class AccountsConfig(AppConfig):
    name = "refuge.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        totp_keys.install()
