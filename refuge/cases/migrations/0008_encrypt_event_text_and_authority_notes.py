"""An event's free-text attributes and an authority's notes become vault ciphertext; existing rows are encrypted.

- `Event.text_attributes`: the attributes of kind `text` (a detention's place, a decision's
  authority) move out of the plaintext `attributes` into an encrypted column under the case's key.
  `Event.authority` links the directory entry such an attribute names (matched here by name), which
  the worker's authority_not_notified check follows while sealed.
- `Authority.notes`: encrypted under the organisation's data key (refuge/vault/crypto.py).

See refuge/vault/migrating.py: rows to convert need the vault open in `migrate`.
"""

import json

import django.db.models.deletion
from django.db import migrations, models

import refuge.vault.fields
from refuge.vault import crypto
from refuge.vault.fields import Ciphertext, ciphertext_of, owner_key
from refuge.vault.migrating import decrypt_rows, encrypt_rows, open_vault_for

# As refuge/casefile/vocab.py has them when this migration was written.
TEXT_ATTRIBUTES = {"detention_started": ("place",), "decision_issued": ("authority",)}
AUTHORITY_ATTRIBUTES = {"decision_issued": "authority", "detention_started": "place"}
LABEL = "cases.event.text_attributes"


def _encode(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def encrypt(apps, schema_editor):
    encrypt_rows(apps, "cases", "authority", {"notes": "notes_sealed"}, organisation_field="organisation_id")
    event_model = apps.get_model("cases", "Event")
    authority_model = apps.get_model("cases", "Authority")
    rows = [
        e
        for e in event_model.objects.filter(type__in=list(TEXT_ATTRIBUTES)).select_related("case")
        if any(name in e.attributes for name in TEXT_ATTRIBUTES[e.type])
    ]
    if not rows:
        return
    open_vault_for("cases.event", len(rows))
    directories = {}
    for row in rows:
        org = row.case.organisation_id
        if org not in directories:
            directories[org] = {a.name.strip().casefold(): a.pk for a in authority_model.objects.filter(organisation_id=org)}
        text = {name: row.attributes.pop(name) for name in TEXT_ATTRIBUTES[row.type] if name in row.attributes}
        version, key = owner_key(("case", row.case_id), None)
        row.text_attributes = Ciphertext(
            crypto.encrypt_field(key, _encode(text), label=LABEL, code=str(row.code), key_version=version)
        )
        named = text.get(AUTHORITY_ATTRIBUTES[row.type])
        row.authority_id = directories[org].get(named.strip().casefold()) if isinstance(named, str) else None
        row.save(update_fields=["attributes", "text_attributes", "authority"])


def decrypt(apps, schema_editor):
    event_model = apps.get_model("cases", "Event")
    rows = [e for e in event_model.objects.all() if ciphertext_of(e, "text_attributes") is not None]
    if rows:
        open_vault_for("cases.event", len(rows))
    for row in rows:
        blob = bytes(ciphertext_of(row, "text_attributes"))
        _v, key = owner_key(("case", row.case_id), crypto.field_key_version(blob))
        text = json.loads(crypto.decrypt_field(key, blob, label=LABEL, code=str(row.code)))
        row.attributes = {**row.attributes, **text}
        row.save(update_fields=["attributes"])
    decrypt_rows(apps, "cases", "authority", {"notes": "notes_sealed"}, organisation_field="organisation_id")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_encrypt_free_text"),
        ("vault", "0002_organisation_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="attributes",
            field=models.JSONField(
                blank=True, default=dict, help_text="What the engine reads: enums, dates, countries, event ids"
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="text_attributes",
            field=refuge.vault.fields.EncryptedJSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="event",
            name="authority",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="named_by_events",
                to="cases.authority",
            ),
        ),
        migrations.AddField(
            model_name="authority", name="notes_sealed", field=refuge.vault.fields.EncryptedTextField(blank=True)
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.RemoveField(model_name="authority", name="notes"),
        migrations.RenameField(model_name="authority", old_name="notes_sealed", new_name="notes"),
    ]
