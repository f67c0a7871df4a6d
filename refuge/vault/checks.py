"""System checks for the vault's wiring (STYLE.md §9): misconfiguration fails loudly, by id."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from refuge.vault import keys

MIDDLEWARE_PATH = "refuge.vault.middleware.SealedMiddleware"
HANDLER_PATH = "refuge.vault.storage.EncryptingUploadHandler"
# Sessions kept in the database, which sealing deletes: Django's backend, or Refuge's subclass of it.
DATABASE_SESSIONS = frozenset({"refuge.accounts.session_store", "django.contrib.sessions.backends.db"})


@register("refuge")
def check_vault(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if MIDDLEWARE_PATH not in settings.MIDDLEWARE:
        messages.append(
            Error(
                "the vault's SealedMiddleware is not in MIDDLEWARE", hint=f"add {MIDDLEWARE_PATH!r}", id="refuge.E101"
            )
        )
    if list(settings.FILE_UPLOAD_HANDLERS) != [HANDLER_PATH]:
        messages.append(
            Error(
                "uploads could reach a plaintext temporary file",
                hint=f"set FILE_UPLOAD_HANDLERS = [{HANDLER_PATH!r}]",
                id="refuge.E102",
            )
        )
    if settings.SESSION_ENGINE not in DATABASE_SESSIONS:
        messages.append(
            Error(
                "sealing ends sessions by deleting them from the database",
                hint="keep SESSION_ENGINE = 'refuge.accounts.session_store' (Django's database sessions)",
                id="refuge.E103",
            )
        )
    if keys.dev_key_exists():
        messages.append(
            Warning(
                f"the vault's development key file {keys.dev_key_path()} is on disk: client data is NOT protected",
                hint="for real data: `refuge vault init --shares N --threshold K` on a fresh database",
                id="refuge.W101",
            )
        )
    return messages
