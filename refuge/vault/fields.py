"""Encrypted model fields: ciphertext in the database, plaintext through the attribute.

    class Person(models.Model):
        case = models.OneToOneField(Case, ...)
        names = EncryptedJSONField(default=list, blank=True)
        birth_date = EncryptedDateField(null=True, blank=True)
        document_numbers = EncryptedJSONField(default=list, blank=True, blind_index=True)

        vault_case_field = "case"        # path (Django `__` syntax) to the case whose data key is used
        vault_code_field = "case__code"  # path to the stable code the ciphertext is bound to

A model that belongs to an organisation rather than a case (the authority directory) names
`vault_organisation_field` instead: its fields are under the organisation's data key.

The column holds `format | key version | nonce | AES-256-GCM(data key, value, aad)` with
aad = `app_label.model.field:code:key_version`, so a ciphertext copied to another row, field or key
version fails to decrypt. Values are decrypted on first access and encrypted again on save; a
value never read is saved as the ciphertext it was loaded as (no key needed for that).
Decryption failure raises (DecryptionError, KeyDestroyed, VaultSealed); there is no fallback.

Guards: a plaintext can never reach the column. `get_prep_value` accepts only the ciphertext that
`pre_save` made, so `bulk_update` and `QuerySet.update` with a plaintext raise instead of writing it.
Encrypted fields cannot be filtered on; exact identifiers are found through blind indexes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from django import forms
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields import NOT_PROVIDED

from refuge.vault import blindindex, crypto, state
from refuge.vault.objects import case_id_of, label_of, object_code_of

BlindIndexSpec = bool | Callable[[Any], Iterable[str]]


class Ciphertext(bytes):
    """Bytes known to be a vault ciphertext (from the database or from pre_save)."""


class _Slot:
    """What an instance holds for one encrypted field: the ciphertext and, once read, the plaintext."""

    __slots__ = ("ciphertext", "has_plain", "plain")

    def __init__(self, ciphertext: Ciphertext | None = None) -> None:
        self.ciphertext = ciphertext
        self.has_plain = False
        self.plain: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"ciphertext": self.ciphertext, "has_plain": self.has_plain, "plain": self.plain}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.ciphertext = state["ciphertext"]
        self.has_plain = state["has_plain"]
        self.plain = state["plain"]


def key_owner_of(instance: models.Model) -> tuple[str, int]:
    """("organisation", id) for a model with `vault_organisation_field`, else ("case", id)."""
    path = getattr(instance, "vault_organisation_field", None)
    if path:
        owner_id = getattr(instance, f"{path}_id")
        if owner_id is None:
            raise ValueError(f"{type(instance).__name__}.{path} is not set: the vault does not know the organisation")
        return "organisation", int(owner_id)
    return "case", case_id_of(instance)


def owner_key(owner: tuple[str, int], version: int | None) -> tuple[int, bytes]:
    """(version, key) of a key owner: the newest to encrypt with (version None), or the one asked for."""
    kind, owner_id = owner
    if version is None:
        if kind == "organisation":
            return state.current_organisation_key(owner_id)
        return state.current_data_key(owner_id)
    if kind == "organisation":
        return version, state.organisation_key(owner_id, version)
    return version, state.data_key(owner_id, version)


class _Descriptor:
    def __init__(self, field: EncryptedField) -> None:
        self.field = field

    def _slot(self, instance: models.Model) -> _Slot:
        name = self.field.attname
        slot = instance.__dict__.get(name)
        if slot is None:
            # Deferred (only()/defer()): load the ciphertext the way Django loads deferred fields.
            instance.refresh_from_db(fields=[name])
            slot = instance.__dict__.get(name)
            if slot is None:
                slot = instance.__dict__[name] = _Slot()
        assert isinstance(slot, _Slot)  # noqa: S101  # only this descriptor writes the slot
        return slot

    def __get__(self, instance: models.Model | None, owner: type[models.Model]) -> Any:
        if instance is None:
            return self
        slot = self._slot(instance)
        if not slot.has_plain:
            if slot.ciphertext is None:
                slot.plain = self.field.plain_default()
            else:
                slot.plain = self.field.decrypt(instance, slot.ciphertext)
            slot.has_plain = True
        return slot.plain

    def __set__(self, instance: models.Model, value: Any) -> None:
        if isinstance(value, Ciphertext):
            instance.__dict__[self.field.attname] = _Slot(value)
            return
        # A new slot each time: a shallow copy of the instance must not change with this one.
        old = instance.__dict__.get(self.field.attname)
        slot = _Slot(old.ciphertext if isinstance(old, _Slot) else None)
        slot.plain = self.field.to_plain(value)
        slot.has_plain = True
        instance.__dict__[self.field.attname] = slot


class EncryptedField(models.BinaryField):  # type: ignore[type-arg]  # generic only in django-stubs, not at run time
    """Base of the encrypted fields: a binary column, a plaintext attribute."""

    plain_form_class: type[forms.Field] = forms.CharField

    def __init__(self, *args: Any, blind_index: BlindIndexSpec = False, **kwargs: Any) -> None:
        self.blind_index = blind_index
        # The default is a plaintext default, applied through the attribute; the column has none
        # (a schema default would be written as a plaintext), so it is kept away from Django.
        self.plain_default_value = kwargs.pop("default", NOT_PROVIDED)
        kwargs.setdefault("editable", True)
        kwargs["null"] = True  # NULL until the first save; never NULL after it
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        kwargs.pop("null", None)
        if self.plain_default_value is not NOT_PROVIDED:
            kwargs["default"] = self.plain_default_value
        if self.blind_index is not False:
            kwargs["blind_index"] = True
        return name, path, args, kwargs

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, _Descriptor(self))
        # Migrations render historical models in their own registry: only real models are indexed.
        if self.blind_index is not False and not cls._meta.abstract and cls._meta.apps is global_apps:
            blindindex.register(cls, self)

    # --- plaintext <-> bytes (per type) ---

    def plain_default(self) -> Any:
        default = self.plain_default_value
        if default is NOT_PROVIDED:
            return self.to_plain(None)
        return self.to_plain(default() if callable(default) else default)

    def to_plain(self, value: Any) -> Any:
        return value

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    # --- crypto ---

    @property
    def label(self) -> str:
        return label_of(self.model, self.name)

    def encrypt(self, instance: models.Model, value: Any) -> Ciphertext:
        version, key = owner_key(key_owner_of(instance), None)
        blob = crypto.encrypt_field(
            key, self.encode(value), label=self.label, code=object_code_of(instance), key_version=version
        )
        return Ciphertext(blob)

    def decrypt(self, instance: models.Model, blob: bytes) -> Any:
        _version, key = owner_key(key_owner_of(instance), crypto.field_key_version(blob))
        return self.decode(crypto.decrypt_field(key, blob, label=self.label, code=object_code_of(instance)))

    # --- Django plumbing ---

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Ciphertext | None:
        if value is None:
            return None
        return Ciphertext(bytes(value))

    def to_python(self, value: Any) -> Any:
        # Model.clean_fields() hands the plaintext attribute here: check its type, keep it.
        try:
            return self.to_plain(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError(str(exc)) from None

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, Ciphertext):
            return value
        raise TypeError(
            f"{self.label} is encrypted: save it with Model.save() (never update()/bulk_update() with a plaintext)"
        )

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = self.get_prep_value(value)
        return None if value is None else connection.Database.Binary(bytes(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> Ciphertext | None:
        slot = model_instance.__dict__.get(self.attname)
        if not isinstance(slot, _Slot):
            slot = model_instance.__dict__[self.attname] = _Slot()
        if slot.has_plain or slot.ciphertext is None:
            plain = slot.plain if slot.has_plain else self.plain_default()
            slot.ciphertext = self.encrypt(model_instance, plain)
        return slot.ciphertext

    def value_from_object(self, obj: models.Model) -> Any:
        """The plaintext (forms); `ciphertext_of` gives the stored bytes."""
        return getattr(obj, self.attname)

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisers (dumpdata) get the ciphertext, never the plaintext.
        import base64  # noqa: PLC0415  # only serialisation needs it

        blob = ciphertext_of(obj, self.attname)
        return "" if blob is None else base64.b64encode(blob).decode("ascii")

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        # A form edits the plaintext: the plain type's form field, not BinaryField's.
        if form_class is not None:
            kwargs["form_class"] = form_class
        if choices_form_class is not None:
            kwargs["choices_form_class"] = choices_form_class
        return models.Field.formfield(self, **{"form_class": self.plain_form_class, **kwargs})

    def get_default(self) -> Any:
        # Model.__init__ sets the default through the descriptor: a plaintext default.
        return self.plain_default()


def open_fields(instances: Iterable[models.Model]) -> None:
    """Decrypt now every encrypted field of these instances not yet read, as reading each would, with
    one cipher per data key (a case page's thirty events, three fields each: the key's lookup and the
    cipher's set-up cost more than the decryption). Deferred and empty fields are left to the attribute."""
    openers: dict[tuple[tuple[str, int], int], crypto.FieldOpener] = {}
    for instance in instances:
        owner: tuple[str, int] | None = None
        code = ""
        for field, label in _encrypted_fields(type(instance)):
            slot = instance.__dict__.get(field.attname)
            if not isinstance(slot, _Slot) or slot.has_plain or slot.ciphertext is None:
                continue
            if owner is None:
                owner, code = key_owner_of(instance), object_code_of(instance)
            version = crypto.field_key_version(slot.ciphertext)
            opener = openers.get((owner, version))
            if opener is None:
                opener = openers[(owner, version)] = crypto.FieldOpener(owner_key(owner, version)[1])
            slot.plain = field.decode(opener(slot.ciphertext, label=label, code=code))
            slot.has_plain = True


_ENCRYPTED: dict[type[models.Model], list[tuple[EncryptedField, str]]] = {}


def _encrypted_fields(model: type[models.Model]) -> list[tuple[EncryptedField, str]]:
    """A model's encrypted fields with their labels (the associated data's first part)."""
    found = _ENCRYPTED.get(model)
    if found is None:
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        found = _ENCRYPTED[model] = [(f, f.label) for f in fields]
    return found


def ciphertext_of(obj: models.Model, attname: str) -> Ciphertext | None:
    slot = obj.__dict__.get(attname)
    return slot.ciphertext if isinstance(slot, _Slot) else None


class EncryptedTextField(EncryptedField):
    plain_form_class = forms.CharField

    def to_plain(self, value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise TypeError(f"{self.name} takes text, not {type(value).__name__}")
        return value

    def encode(self, value: Any) -> bytes:
        return str(value).encode()

    def decode(self, data: bytes) -> str:
        return data.decode()

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        kwargs.setdefault("widget", forms.Textarea)
        return super().formfield(form_class, choices_form_class, **kwargs)


# What `json.dumps(value, ensure_ascii=False, separators=(",", ":"))` uses, made once: with options,
# json.dumps builds a new encoder for every value.
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class EncryptedJSONField(EncryptedField):
    plain_form_class = forms.JSONField

    def to_plain(self, value: Any) -> Any:
        json.dumps(value)  # raises TypeError for what JSON cannot hold
        return value

    def encode(self, value: Any) -> bytes:
        return _COMPACT_JSON.encode(value).encode()

    def decode(self, data: bytes) -> Any:
        return json.loads(data)


class EncryptedDateField(EncryptedField):
    plain_form_class = forms.DateField

    def to_plain(self, value: Any) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            return date.fromisoformat(value)
        raise TypeError(f"{self.name} takes a date, not {type(value).__name__}")

    def encode(self, value: Any) -> bytes:
        return b"" if value is None else value.isoformat().encode()

    def decode(self, data: bytes) -> date | None:
        return date.fromisoformat(data.decode()) if data else None
