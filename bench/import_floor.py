"""What `refuge import` cannot do without, per case, measured alone: the floor under its rate.

    python -m bench.import_floor [--cases 2000] [--seed 5]

Writes N fictional 30-event case files (bench.importer's), prepares a fresh SQLite data directory
(migrate, a vault with a dev root key, one organisation, the N cases' rows), then times in this
process, by its CPU clock, only the work every imported case needs, each part written as tightly
as Python allows:

- read: reading the file and parsing its JSON;
- seal: per event a code (UUID 4), its attributes as JSON, and its three free-text fields (text
  attributes, source, note) sealed with AES-GCM under the case's data key (`crypto.FieldSealer`,
  the import's own), into a row of values the backend takes as they are;
- insert: those rows into the events table, with its indexes, by one `executemany` per 2,000 rows
  inside one transaction (SQLite's C code; nothing in Python per value);
- engine: the facts parsed and the deadlines and conflicts evaluated (`parse_facts`, `evaluate`).

The import does all of this and more (validation against the schema, the derived rows and their
history, alerts, statistics, the audit chain, the client record); the sum here is the least it
could cost, and 1,000 / that sum the most cases per second one core could import.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

SPLIT = ("text_attributes", "source", "note")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="refuge-bench-floor-"))
    try:
        return _run(root, args.cases, args.seed)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run(root: Path, count: int, seed: int) -> int:
    from bench.importer import ORGANISATION, SETUP, USER, write_cases  # noqa: PLC0415  # after the settings

    data_dir, files_dir = root / "data", root / "files"
    data_dir.mkdir()
    files_dir.mkdir()
    os.environ["REFUGE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "refuge.settings"
    os.environ.pop("REFUGE_DATABASE_URL", None)
    import django  # noqa: PLC0415  # the settings above first

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import transaction  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from refuge.accounts.models import Organisation  # noqa: PLC0415
    from refuge.cases.bulk import insert_new  # noqa: PLC0415
    from refuge.cases.models import Case  # noqa: PLC0415
    from refuge.rules import evaluate, load_packs, parse_facts  # noqa: PLC0415
    from refuge.vault import state as vault_state  # noqa: PLC0415
    from refuge.vault.cli import unseal_if_initialised  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    exec(SETUP.format(org=ORGANISATION, user=USER), {})  # noqa: S102  # the benchmark's own set-up text
    unseal_if_initialised()
    paths = write_cases(files_dir, count, seed)
    organisation = Organisation.objects.get(name=ORGANISATION)
    packs = load_packs()
    today = timezone.now().date()

    start = time.process_time()
    docs = [json.loads(path.read_bytes()) for path in paths]
    parts = {"read": time.process_time() - start}
    with transaction.atomic():
        cases = [
            Case(organisation=organisation, reference=doc["reference"], host_state=doc["host_state"],
                 timezone=doc.get("timezone") or "UTC")
            for doc in docs
        ]  # fmt: skip
        insert_new(cases)
        vault_state.create_data_keys([(case.pk, str(case.code)) for case in cases])
        start = time.process_time()
        rows = _sealed_rows(cases, docs)
        parts["seal"] = time.process_time() - start
        start = time.process_time()
        _insert(rows)
        parts["insert"] = time.process_time() - start
        transaction.set_rollback(True)  # measured, not kept
    start = time.process_time()
    for doc in docs:
        evaluate(parse_facts(doc, packs), today, packs)
    parts["engine"] = time.process_time() - start

    total = sum(parts.values())
    events = sum(len(doc["events"]) for doc in docs)
    print(f"cases: {count} ({events / count:.0f} events each), SQLite, CPU per case:")
    for name, seconds in parts.items():
        print(f"  {name:<7} {seconds / count * 1000:6.3f} ms")
    print(f"  {'sum':<7} {total / count * 1000:6.3f} ms: at most {count / total:,.0f} cases per CPU second")
    return 0


def _sealed_rows(cases: list[Any], docs: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The events' rows as the import makes them (`IMPORT_EVENT_FIELDS`' order, values as SQLite takes them)."""
    from django.utils import timezone  # noqa: PLC0415

    from refuge.casefile.vocab import EVENT_FIELDS, split_text_attributes  # noqa: PLC0415
    from refuge.cases.bulk import adapters  # noqa: PLC0415
    from refuge.cases.bulk_import import IMPORT_EVENT_FIELDS  # noqa: PLC0415
    from refuge.cases.models import Event  # noqa: PLC0415
    from refuge.vault import crypto  # noqa: PLC0415
    from refuge.vault import state as vault_state  # noqa: PLC0415
    from refuge.vault.fields import EncryptedField  # noqa: PLC0415

    adapt = dict(zip(IMPORT_EVENT_FIELDS, adapters(Event, IMPORT_EVENT_FIELDS), strict=True))
    to_code, to_at, to_json = adapt["code"], adapt["at"], adapt["attributes"]
    if to_code is None or to_at is None or to_json is None:
        raise SystemExit("bench.import_floor measures SQLite, whose UUIDs, instants and JSON are text")
    made = to_at(timezone.now())
    sealed = {f.name: f for f in Event._meta.concrete_fields if isinstance(f, EncryptedField)}
    text_label, source_label, note_label = (sealed[name].label for name in SPLIT)
    encode_text, encode_plain = sealed["text_attributes"].encode, sealed["note"].encode
    rows = []
    for case, doc in zip(cases, docs, strict=True):
        version, key = vault_state.current_data_key(case.pk)
        seal = crypto.FieldSealer(key, version)
        for item in doc["events"]:
            attributes, text = split_text_attributes(item["type"], item, EVENT_FIELDS)
            code = uuid.uuid4()
            bound = str(code)
            at = item["at"]
            rows.append((
                to_code(code), case.pk, item["id"], item["type"], at, 0, len(at) == 10, to_json(attributes),
                seal(encode_text(text), label=text_label, code=bound), None, None, None,
                seal(encode_plain(item.get("source") or ""), label=source_label, code=bound),
                seal(encode_plain(item.get("note") or ""), label=note_label, code=bound),
                made, made,
            ))  # fmt: skip
    return rows


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """The rows into the events table by the DB-API connection's own executemany (no Django layer)."""
    from django.db import connection  # noqa: PLC0415

    from refuge.cases.bulk_import import IMPORT_EVENT_FIELDS  # noqa: PLC0415
    from refuge.cases.models import Event  # noqa: PLC0415

    columns = ", ".join(Event._meta.get_field(name).column for name in IMPORT_EVENT_FIELDS)  # type: ignore[union-attr]
    marks = ", ".join("?" * len(IMPORT_EVENT_FIELDS))
    sql = f"INSERT INTO cases_event ({columns}) VALUES ({marks})"  # noqa: S608  # the model's own columns
    raw = connection.connection
    for first in range(0, len(rows), 2_000):
        raw.executemany(sql, rows[first : first + 2_000])


if __name__ == "__main__":
    sys.exit(main())
