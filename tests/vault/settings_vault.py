"""Refuge's settings with the vault wired in, for the vault's subprocess tests (and until settings.py has it)."""

from __future__ import annotations

from refuge.settings import *  # noqa: F403  # the project's settings, then the vault's wiring
from refuge.settings import INSTALLED_APPS, MIDDLEWARE

VAULT_APP = "refuge.vault"
VAULT_MIDDLEWARE = "refuge.vault.middleware.SealedMiddleware"

if VAULT_APP not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, VAULT_APP]
if VAULT_MIDDLEWARE not in MIDDLEWARE:
    MIDDLEWARE = [MIDDLEWARE[0], VAULT_MIDDLEWARE, *MIDDLEWARE[1:]]
FILE_UPLOAD_HANDLERS = ["refuge.vault.storage.EncryptingUploadHandler"]
ROOT_URLCONF = "tests.vault.urls_vault"
