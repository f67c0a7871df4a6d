"""One audit chain per organisation, and one for the server (chain 0).

How the existing log is re-linked: the append-only triggers are lifted; every entry gets the chain
of its organisation (0 when it has none); walking the old single chain in order of its seq, each
entry gets the next seq of its own chain, the hash of the previous entry of that chain as its
link, and its hash recomputed in the new format (refuge.audit/2, which covers the chain). Each
chain's head is written, the unique (chain, seq) constraint added, and the triggers put back.
The old chain was verified by nothing here: run `refuge audit verify` before migrating (an old
checkpoint does not verify the new chains; sign a new one after).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.db import migrations, models

from refuge.audit import chain, triggers


def lift(apps: Any, schema_editor: Any) -> None:
    triggers.drop(schema_editor.connection)


def put_back(apps: Any, schema_editor: Any) -> None:
    triggers.install(schema_editor.connection)


def relink(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    heads: dict[int, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, at, type, actor_id, organisation_id, target_kind, target_code, fields, data, ip_hash "
            "FROM audit_auditevent ORDER BY seq"
        )
        rows = cursor.fetchall()
        for pk, at, kind, actor, org, target_kind, target_code, fields, data, ip_hash in rows:
            if isinstance(at, str):
                at = datetime.fromisoformat(at)
            if at.tzinfo is None:
                at = at.replace(tzinfo=UTC)
            fields = json.loads(fields) if isinstance(fields, str) else fields
            data = json.loads(data) if isinstance(data, str) else data
            number = chain.chain_of(org)
            seq, prev = heads.get(number, (0, chain.GENESIS))
            seq += 1
            digest = chain.entry_hash(
                chain=number,
                seq=seq,
                at=at,
                type=kind,
                actor=actor,
                organisation=org,
                target_kind=target_kind,
                target_code=target_code,
                fields=fields,
                data=data,
                ip_hash=ip_hash,
                prev_hash=prev,
            )
            cursor.execute(
                "UPDATE audit_auditevent SET chain = %s, seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [number, seq, prev, digest, pk],
            )
            heads[number] = (seq, digest)
        for number, (seq, digest) in heads.items():
            cursor.execute("INSERT INTO audit_audithead (chain, seq, hash) VALUES (%s, %s, %s)", [number, seq, digest])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_refuse_update_and_delete")]

    operations = [
        migrations.RunPython(lift, put_back, elidable=False),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("chain", models.BigIntegerField(primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["chain", "seq"]}),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.BigIntegerField(
                default=0, help_text="The organisation's key, or 0 for the server's own events"
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(help_text="Position in its chain, from 1, without gaps"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="id",
            field=models.BigAutoField(primary_key=True, serialize=False),
        ),
        migrations.RunPython(relink, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_chain_seq"),
        ),
        migrations.RunPython(put_back, lift, elidable=False),
    ]
