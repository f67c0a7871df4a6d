"""A deployment driven through its action functions, in its own process (REFUGE_DATA_DIR, REFUGE_DATABASE_URL).

    python tests/backup/drive.py seed CANARY N      an organisation, a lawyer, N cases with a document each
    python tests/backup/drive.py write CANARY STOP  add events and new cases until the file STOP exists
    python tests/backup/drive.py shred CODE         delete one case (crypto-shredding), as its lawyer would
    python tests/backup/drive.py probe              every case, event, document and audit entry, decrypted, as JSON

The canary is written into every client name, note and document body, so a test can look for it
in a backup's decrypted payload. Everything is fictional.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")

import django

django.setup()  # before the models are imported

from django.db import models  # noqa: E402

from refuge.accounts.models import Membership, Organisation, User  # noqa: E402
from refuge.audit.models import AuditEvent  # noqa: E402
from refuge.cases.actions import create_case, delete_case, record_event, store_document  # noqa: E402
from refuge.cases.models import Case, Document, Event, Person  # noqa: E402
from refuge.vault import state  # noqa: E402


def lawyer() -> User:
    user = User.objects.filter(username="drill-lawyer").first()
    if user is not None:
        return user
    organisation = Organisation.objects.create(name="Drill Legal Aid (fictional)")
    user = User.objects.create_user(username="drill-lawyer", password="drill password 42 (fictional)")
    Membership.objects.create(user=user, organisation=organisation, role="lawyer")
    return user


def new_case(user: User, canary: str, n: int) -> Case:
    membership = Membership.objects.get(user=user)
    case = create_case(
        organisation=membership.organisation,
        user=user,
        reference=f"DRILL-{n:05d}",
        host_state="RU",
        timezone="Europe/Moscow",
        person={
            "nationality": "KP",
            "stateless": False,
            "languages": ["ko"],
            "names": [{"value": f"{canary} Person {n}", "script": "Latn"}],
            "birth_date": date(1980, 1, 1).isoformat(),
        },
        events=[
            {"id": "e1", "type": "detention_started", "at": "2026-03-02T09:00:00+03:00", "basis": "administrative"},
        ],
    )
    store_document(
        case=case,
        user=user,
        content=f"{canary} statement of case {n}\n".encode() * 50,
        filename=f"{canary}-statement-{n}.txt",
        doc_type="other",
        title=f"{canary} statement {n}",
        date=None,
        language="en",
        events=[],
    )
    return case


def add_event(case: Case, user: User, canary: str, day: int) -> None:
    record_event(
        case=case,
        user=user,
        type="consular_contact",
        at=f"2026-03-{3 + day % 20:02d}T10:00:00+03:00",
        attributes={"country": "KP"},
        note=f"{canary} note {day}",
    )


def seed(canary: str, count: int) -> None:
    state.unseal_with_dev_key()
    user = lawyer()
    for n in range(count):
        case = new_case(user, canary, n)
        add_event(case, user, canary, n)
    print(json.dumps({"cases": [str(c) for c in Case.objects.values_list("code", flat=True)]}))


def write(canary: str, stop: Path) -> None:
    """Alternate new cases and new events on existing ones until told to stop; print how many writes."""
    state.unseal_with_dev_key()
    user = lawyer()
    writes = 0
    n = 1000
    while not stop.exists():
        if writes % 3 == 0:
            new_case(user, canary, n)
            n += 1
        else:
            case = Case.objects.order_by("?").first()
            assert case is not None
            add_event(case, user, canary, writes)
        writes += 1
        (stop.parent / "writes.partial").write_text(str(writes))
        (stop.parent / "writes.partial").replace(stop.parent / "writes")  # a reader never sees it half written
        time.sleep(0.01)
    print(json.dumps({"writes": writes}))


def shred(code: str) -> None:
    case = Case.objects.get(code=code)
    delete_case(case=case, actor=lawyer(), confirm_reference=case.reference)


def _value(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _rows(model: type[models.Model]) -> dict[str, Any]:
    fields = list(model._meta.concrete_fields)
    rows = {}
    for obj in model.objects.order_by("pk"):
        rows[str(obj.pk)] = {f.attname: _value(getattr(obj, f.attname)) for f in fields}
    return rows


def probe() -> None:
    """Every row of the compared tables, each decrypted field read, and each document's plaintext hash."""
    state.unseal_with_dev_key()
    out: dict[str, Any] = {
        name: _rows(model)
        for name, model in {
            "case": Case,
            "person": Person,
            "event": Event,
            "document": Document,
            "audit": AuditEvent,
        }.items()
    }
    out["document_plaintext"] = {
        str(d.pk): hashlib.sha256(d.file.read_plaintext()).hexdigest() for d in Document.objects.order_by("pk")
    }
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    verb, *args = sys.argv[1:]
    if verb == "seed":
        seed(args[0], int(args[1]))
    elif verb == "write":
        write(args[0], Path(args[1]))
    elif verb == "shred":
        shred(args[0])
    elif verb == "probe":
        probe()
    else:
        raise SystemExit(f"unknown verb {verb}")
