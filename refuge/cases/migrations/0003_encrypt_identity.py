"""Identifying fields become vault ciphertext columns; plaintext columns are dropped, not converted.

Converting in place would copy plaintext into the new columns and leave it in SQLite's free pages
and the WAL; the project had no real client data yet, so development databases are rebuilt
(`refuge demo` lays the demo down again). Files stored before this migration are plaintext and
can no longer be read through the vault: upload them again.
"""

import refuge.cases.models
import refuge.vault.fields
import refuge.vault.storage
from django.db import migrations

PERSON_FIELDS = {
    "names": refuge.vault.fields.EncryptedJSONField(
        blank=True, default=list, help_text='[{"value": ..., "script": "Latn"}]'
    ),
    "birth_date": refuge.vault.fields.EncryptedDateField(blank=True),
    "contact_notes": refuge.vault.fields.EncryptedTextField(blank=True),
    "location_notes": refuge.vault.fields.EncryptedTextField(blank=True),
    "document_numbers": refuge.vault.fields.EncryptedJSONField(blank=True, blind_index=True, default=list),
}


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_engine_output"),
    ]

    operations = [
        *(migrations.RemoveField(model_name="person", name=name) for name in PERSON_FIELDS),
        *(migrations.AddField(model_name="person", name=name, field=field) for name, field in PERSON_FIELDS.items()),
        migrations.RemoveField(model_name="event", name="note"),
        migrations.AddField(model_name="event", name="note", field=refuge.vault.fields.EncryptedTextField(blank=True)),
        migrations.AlterField(
            model_name="document",
            name="file",
            field=refuge.vault.storage.EncryptedFileField(upload_to=refuge.cases.models.document_upload_path),
        ),
    ]
