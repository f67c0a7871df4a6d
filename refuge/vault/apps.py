from __future__ import annotations

from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "refuge.vault"
    label = "vault"
    verbose_name = "Vault"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from refuge.vault import checks  # noqa: F401, PLC0415  # deferred: registers the checks; they import the models
