"""The vault app's models: its records (refuge.vault.records) and the probe its tests exercise."""

from __future__ import annotations

import uuid

from django.db import models

from refuge.vault.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField
from refuge.vault.records import (
    BlindIndexEntry,
    CaseKey,
    OrganisationKey,
    RootKey,
    RootKeySource,
    RootKeyStatus,
    VaultControl,
)
from refuge.vault.storage import EncryptedFileField

__all__ = [
    "BlindIndexEntry",
    "CaseKey",
    "OrganisationKey",
    "RootKey",
    "RootKeySource",
    "RootKeyStatus",
    "VaultControl",
    "VaultProbe",
]


def _probe_upload_path(instance: VaultProbe, filename: str) -> str:
    return f"vault-probe/{instance.case.code}/{instance.code}"


class VaultProbe(models.Model):
    """A model with one field of each encrypted kind: the vault's own tests exercise them here."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField(blank=True)
    numbers = EncryptedJSONField(default=list, blank=True, blind_index=True)
    day = EncryptedDateField(null=True, blank=True)
    file = EncryptedFileField(upload_to=_probe_upload_path, blank=True)

    vault_case_field = "case"
    vault_code_field = "code"

    def __str__(self) -> str:
        return f"vault probe {self.code}"
