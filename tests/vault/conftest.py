"""The vault's fixtures: a data dir per test, the vault wired in, a fresh process state for each test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.vault import settings_vault

# Until refuge/settings.py installs the vault, install it here, before the test database is made.
# Its middleware and upload handler are set per vault test (below), not for the other apps' tests,
# so the checks that demand them are silenced for the session meanwhile.
if settings_vault.VAULT_APP not in settings.INSTALLED_APPS:
    override_settings(
        INSTALLED_APPS=[*settings.INSTALLED_APPS, settings_vault.VAULT_APP],
        SILENCED_SYSTEM_CHECKS=[*settings.SILENCED_SYSTEM_CHECKS, "refuge.E101", "refuge.E102"],
    ).enable()

MNEMONIC_LINE = re.compile(r"^share \d+: (.+)$", re.MULTILINE)


@pytest.fixture(autouse=True)
def vault_wiring(settings, tmp_path: Path):
    from refuge.vault import state

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.MIDDLEWARE = settings_vault.MIDDLEWARE
    settings.FILE_UPLOAD_HANDLERS = settings_vault.FILE_UPLOAD_HANDLERS
    settings.ROOT_URLCONF = "tests.vault.urls_vault"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    state.reset_for_tests()
    yield
    state.reset_for_tests()


@pytest.fixture
def _dev_vault() -> None:
    """Stands in for the root conftest's autouse `_dev_vault` (once the vault is wired in): the
    vault's own tests make their vault themselves, with whichever root key source they test."""


@pytest.fixture
def dev_vault(db):
    """A vault initialised with a development key file and unsealed in this process."""
    from refuge.vault import state

    call_command("vault", "init", "--dev")
    state.unseal_with_dev_key()


def mnemonics_from(output: str) -> list[str]:
    return MNEMONIC_LINE.findall(output)


@pytest.fixture
def probe(dev_vault, case):
    from refuge.vault.models import VaultProbe

    return VaultProbe.objects.create(
        case=case, text="Lives at 12 Hidden Lane", numbers=["AB 123456"], day="1980-01-01"
    )
