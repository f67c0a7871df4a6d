"""Blind indexes: find exact identifiers (document numbers) without storing them.

Each indexed value is stored as HMAC-SHA256(index key, scope NUL normalised value), where the
index key is derived from the root key by HKDF. The database can answer "which objects carry
this exact number" for someone who holds the key, and nothing else. A rotation of the root key
recomputes the entries under the new key (rotation.py); meanwhile lookups try every key held.
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import QuerySet

from refuge.vault import crypto, state
from refuge.vault.fields import (
    BLIND_INDEXED,
    EncryptedField,
    blind_index_values,
    case_id_of,
    label_of,
    object_code_of,
)
from refuge.vault.models import BlindIndexEntry


def reindex(instance: models.Model, field: EncryptedField) -> None:
    """Replace the entries of one object's field with those of its current plaintext."""
    scope = field.label
    code = object_code_of(instance)
    values = blind_index_values(field, getattr(instance, field.attname))
    with transaction.atomic():
        version = state.lock_wrap_version()
        key = state.index_keys()[version]
        digests = sorted({crypto.blind_index(key, value, scope=scope).hex() for value in values})
        BlindIndexEntry.objects.filter(scope=scope, object_code=code).delete()
        BlindIndexEntry.objects.bulk_create(
            BlindIndexEntry(
                case_id=case_id_of(instance), scope=scope, object_code=code, root_version=version, digest=digest
            )
            for digest in digests
        )


def forget(instance: models.Model, field: EncryptedField) -> None:
    BlindIndexEntry.objects.filter(scope=field.label, object_code=object_code_of(instance)).delete()


def matching_codes(model: type[models.Model], field_name: str, value: str) -> set[str]:
    """Codes of the objects whose field holds exactly `value` (after normalisation)."""
    scope = label_of(model, field_name)
    if scope not in BLIND_INDEXED:
        raise LookupError(f"{scope} has no blind index")
    if not crypto.normalise_identifier(value):
        return set()
    digests = [crypto.blind_index(key, value, scope=scope).hex() for key in state.index_keys().values()]
    return set(
        BlindIndexEntry.objects.filter(scope=scope, digest__in=digests).values_list("object_code", flat=True)
    )


def search(model: type[models.Model], field_name: str, value: str) -> QuerySet[models.Model]:
    """The objects whose field holds exactly `value`. Filter by what the user may see before use."""
    codes = matching_codes(model, field_name, value)
    code_path = getattr(model, "vault_code_field", "code")
    return model._default_manager.filter(**{f"{code_path}__in": codes})
