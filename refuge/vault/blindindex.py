"""Blind indexes: find exact identifiers (document numbers) without storing them.

Each indexed value is stored as HMAC-SHA256(index key, scope NUL normalised value), where the
index key is derived from the root key by HKDF. The database can answer "which objects carry
this exact number" for someone who holds the key, and nothing else. A rotation of the root key
recomputes the entries under the new key (rotation.py); meanwhile lookups try every key held.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from refuge.vault import crypto, state
from refuge.vault.objects import case_id_of, label_of, object_code_of
from refuge.vault.records import BlindIndexEntry

if TYPE_CHECKING:
    from refuge.vault.fields import EncryptedField

# Which fields have one (filled as the models are declared), and the receivers that keep them current.
BLIND_INDEXED: dict[str, tuple[type[models.Model], EncryptedField]] = {}


def register(model: type[models.Model], field: EncryptedField) -> None:
    """Index `field` of `model` from now on (called by the field as its model is declared)."""
    BLIND_INDEXED[label_of(model, field.name)] = (model, field)
    uid = f"vault-blind-index-{label_of(model, field.name)}"
    post_save.connect(_saved, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(_deleted, sender=model, weak=False, dispatch_uid=uid)


def blind_index_values(field: EncryptedField, plain: Any) -> list[str]:
    """The identifiers to index: a string, or the strings of a list (or their "number"/"value")."""
    if callable(field.blind_index):
        return [str(v) for v in field.blind_index(plain) if str(v).strip()]
    items = plain if isinstance(plain, list) else [plain]
    values = []
    for item in items:
        value = item.get("number", item.get("value")) if isinstance(item, dict) else item
        if isinstance(value, str | int) and str(value).strip():
            values.append(str(value))
    return values


def _saved(sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    for model, field in list(BLIND_INDEXED.values()):
        if model is sender:
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and field.name not in update_fields:
                continue
            slot = instance.__dict__.get(field.attname)  # the field's _Slot: re-index once the plaintext was set
            if created or getattr(slot, "has_plain", False):
                reindex(instance, field)


def _deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    for model, field in list(BLIND_INDEXED.values()):
        if model is sender:
            forget(instance, field)


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
