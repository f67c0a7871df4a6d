"""Data migrations that turn plaintext columns into vault ciphertext, row by row, in one transaction.

Each converted field goes through four operations: a new encrypted column beside the old one,
`encrypt_rows` filling it, the old column dropped, the new one renamed to the old name. The
ciphertexts are bound to the *final* field label, as if the model had always been this way.

The key: a database with rows to convert needs the vault open in the `migrate` process. A
development vault opens from its key file; otherwise `refuge migrate` asks for the passphrase or
the shares (on the terminal, or from standard input), and without them it stops with a message
and changes nothing (the migration is one transaction). Encrypting later, on each row's next
save, was the other choice: it would leave every row nobody edits in plaintext, indefinitely.
Old plaintext pages are zeroed by SQLite's secure_delete when the old column's table is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from refuge.vault import cli, crypto, state
from refuge.vault.fields import Ciphertext, ciphertext_of, owner_key


def _owner(row: Any, case_field: str, organisation_field: str | None) -> tuple[str, int]:
    if organisation_field is not None:
        return "organisation", int(getattr(row, organisation_field))
    return "case", int(getattr(row, case_field))


class PlaintextMigrationError(RuntimeError):
    """Rows hold plaintext to encrypt and the vault could not be opened for it."""


def _open_vault(label: str, count: int) -> None:
    from django.core.management.base import CommandError  # noqa: PLC0415  # only a migration needs it


    if not state.is_sealed():
        return
    try:
        cli.unseal_if_initialised()
    except CommandError as exc:
        raise PlaintextMigrationError(
            f"{count} rows of {label} hold plaintext that this migration encrypts, and the vault is sealed "
            f"({exc}). Run `refuge migrate` again and give the vault's passphrase or shares when asked "
            "(on standard input when it is not a terminal). Nothing was changed."
        ) from None


def open_vault_for(label: str, count: int) -> None:
    """Open the vault for a data migration with `count` rows of `label` to convert; raise if it cannot."""
    _open_vault(label, count)


def _rows_to_convert(model: Any, label: str) -> Iterator[Any]:
    """Every row of a model to convert, with the vault open for them (nothing to open for none)."""
    rows = model.objects.all()
    count = rows.count()
    if not count:
        return
    _open_vault(label, count)
    yield from rows.iterator()


def encrypt_rows(
    apps: Any,
    app_label: str,
    model_name: str,
    fields: dict[str, str],
    *,
    case_field: str = "case_id",
    organisation_field: str | None = None,
) -> None:
    """For each row, encrypt `old` into `new` for each (old, new) of `fields`, under the row's case key
    (or its organisation's key, when `organisation_field` names the row's organisation id)."""
    model = apps.get_model(app_label, model_name)
    for row in _rows_to_convert(model, f"{app_label}.{model_name}"):
        version, key = owner_key(_owner(row, case_field, organisation_field), None)
        for old, new in fields.items():
            plain = getattr(row, old) or ""
            blob = crypto.encrypt_field(
                key,
                str(plain).encode(),
                label=f"{app_label}.{model_name.lower()}.{old}",
                code=str(row.code),
                key_version=version,
            )
            setattr(row, new, Ciphertext(blob))
        row.save(update_fields=list(fields.values()))


def decrypt_rows(
    apps: Any,
    app_label: str,
    model_name: str,
    fields: dict[str, str],
    *,
    case_field: str = "case_id",
    organisation_field: str | None = None,
) -> None:
    """The reverse of `encrypt_rows`: each `new` ciphertext decrypted back into its plaintext column `old`."""
    model = apps.get_model(app_label, model_name)
    for row in _rows_to_convert(model, f"{app_label}.{model_name}"):
        for old, new in fields.items():
            blob = ciphertext_of(row, model._meta.get_field(new).attname)
            if blob is None:
                setattr(row, old, "")
                continue
            _v, key = owner_key(_owner(row, case_field, organisation_field), crypto.field_key_version(blob))
            label = f"{app_label}.{model_name.lower()}.{old}"
            setattr(row, old, crypto.decrypt_field(key, bytes(blob), label=label, code=str(row.code)).decode())
        row.save(update_fields=list(fields))
