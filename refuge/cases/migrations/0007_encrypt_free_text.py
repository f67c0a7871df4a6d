"""Every free-text field of a case and every file name become vault ciphertext; existing rows are encrypted.

Document title, file name and SHA-256, a proceeding's reference number and note, an event's
source. See refuge/vault/migrating.py: rows to convert need the vault open in `migrate`.
"""

from django.db import migrations

import refuge.vault.fields
from refuge.vault.migrating import decrypt_rows, encrypt_rows

FIELDS = {
    "document": {"title": False, "filename": False, "sha256": False},
    "proceeding": {"reference_number": True, "note": True},
    "event": {"source": True},
}
HELP = {("event", "source"): "Where the fact comes from"}


def _field(model: str, name: str, blank: bool) -> refuge.vault.fields.EncryptedTextField:
    kwargs = {"blank": True} if blank else {}
    if (model, name) in HELP:
        kwargs["help_text"] = HELP[(model, name)]
    return refuge.vault.fields.EncryptedTextField(**kwargs)


def encrypt(apps, schema_editor):
    for model, fields in FIELDS.items():
        encrypt_rows(apps, "cases", model, {name: f"{name}_sealed" for name in fields})


def decrypt(apps, schema_editor):
    for model, fields in FIELDS.items():
        decrypt_rows(apps, "cases", model, {name: f"{name}_sealed" for name in fields})


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_deadline_calendar"),
        ("vault", "0001_keys_and_blind_indexes"),
        ("audit", "0002_refuse_update_and_delete"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=model, name=f"{name}_sealed", field=_field(model, name, True))
            for model, fields in FIELDS.items()
            for name in fields
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        *(
            migrations.RemoveField(model_name=model, name=name)
            for model, fields in FIELDS.items()
            for name in fields
        ),
        *(
            migrations.RenameField(model_name=model, old_name=f"{name}_sealed", new_name=name)
            for model, fields in FIELDS.items()
            for name in fields
        ),
        *(
            migrations.AlterField(model_name=model, name=name, field=_field(model, name, blank))
            for model, fields in FIELDS.items()
            for name, blank in fields.items()
        ),
    ]
