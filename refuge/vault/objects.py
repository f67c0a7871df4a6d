"""Which case or organisation an object of an encrypted model belongs to, and its stable code.

Read from the model's `vault_case_field`, `vault_code_field` (and the field's label): shared by the
encrypted fields, the encrypted files and the blind indexes, below all three.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def _walk(instance: models.Model, path: str) -> Any:
    value: Any = instance
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def case_id_of(instance: models.Model) -> int:
    """The id of the case whose data key protects this instance (the model's `vault_case_field`)."""
    path = getattr(instance, "vault_case_field", None)
    if not path:
        raise TypeError(f"{type(instance).__name__} has encrypted fields but no vault_case_field")
    *hops, last = path.split("__")
    owner: Any = instance
    for hop in hops:
        owner = getattr(owner, hop)
    case_id = getattr(owner, f"{last}_id")
    if case_id is None:
        raise ValueError(f"{type(instance).__name__}.{path} is not set: the vault does not know the case")
    return int(case_id)


def object_code_of(instance: models.Model) -> str:
    code = _walk(instance, getattr(instance, "vault_code_field", "code"))
    if code is None or code == "":
        raise ValueError(f"{type(instance).__name__} has no code for the vault to bind its ciphertexts to")
    return str(code)


def label_of(model: type[models.Model], field_name: str) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}.{field_name}"
