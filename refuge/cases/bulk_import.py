"""`refuge import`'s bulk path: many case files, checked by `load_casefile`, stored with one insert per table.

What `actions.import_casefile` stores for each file (the same rows, compared by tests/cli/test_import_bulk.py),
without a model instance per event: each event is a tuple of values, its free text sealed under the
case's data key fetched once per case.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from refuge.audit import actions as audit
from refuge.audit.events import EventType
from refuge.casefile import vocab
from refuge.casefile.validate import CaseFileError, Problem
from refuge.casefile.vocab import AUTHORITY_ATTRIBUTES, EVENT_FIELDS, split_text_attributes
from refuge.cases.actions import (
    IMPORT_QUIET,
    NO_DEFAULT_ZONE,
    REFERENCE_REPEATED,
    REFERENCE_TAKEN,
    _person,
    authority_directory,
    default_timezone,
    parse_at,
)
from refuge.cases.bulk import insert_new, insert_rows
from refuge.cases.models import Authority, Case, CaseMember, CaseStatus, Event, NewEvent, Person, event_at_iso
from refuge.cases.recompute import recompute_new_cases
from refuge.vault import blindindex, crypto
from refuge.vault import state as vault_state
from refuge.vault.fields import EncryptedField

if TYPE_CHECKING:
    from refuge.accounts.models import Organisation, User


def import_casefiles(
    *, docs: Sequence[dict[str, Any]], organisation: Organisation, user: User | None, now: datetime | None = None
) -> list[Case]:
    """Create cases from case files already checked by `load_casefile`, many at a time (`refuge import`).

    What `import_casefile` stores for each file, with the inserts made in bulk: the cases, their team,
    their data keys, their events, and the engine's deadlines, conflicts and history
    (`recompute_new_cases`); one audit entry per case, as `import_casefile` writes. Cases whose file
    says `dormant` or `closed` raise no alert. Call inside a transaction: a failure stores nothing of
    this batch.
    """
    references = [doc["reference"] for doc in docs]
    if len(set(references)) != len(references):
        raise CaseFileError([Problem("$.reference", REFERENCE_REPEATED, code="reference_repeated")])
    if Case.objects.filter(organisation=organisation, reference__in=references).exists():
        raise CaseFileError([Problem("$.reference", REFERENCE_TAKEN, code="reference_taken")])
    cases: list[Case] = []
    for doc in docs:
        tz_name = doc.get("timezone") or default_timezone(doc["host_state"])
        if tz_name is None:
            raise CaseFileError([Problem("$.timezone", NO_DEFAULT_ZONE, code="no_default_zone")])
        cases.append(
            Case(
                organisation=organisation,
                reference=doc["reference"],
                host_state=doc["host_state"],
                timezone=tz_name,
                timezone_explicit="timezone" in doc,
                created_by=user,
                status=doc.get("status") or CaseStatus.OPEN,
            )
        )
    insert_new(cases)  # as bulk_create, without its per-value layers (the transaction holds the write lock)
    if user is not None:
        insert_new([CaseMember(case=case, user=user) for case in cases])
    if not vault_state.is_sealed():  # sealed: each case's key is made on first use, and fails as it would
        vault_state.create_data_keys([(case.pk, str(case.code)) for case in cases])
    directory = authority_directory(organisation.pk)
    persons: list[Person] = []
    for case, doc in zip(cases, docs, strict=True):
        persons.append(_person(case, doc))
    # In bulk, without post_save: the blind index here; the name index from hooks.CASES_IMPORTED.
    insert_new(persons)
    blindindex.index_new(persons)
    events: list[tuple[Any, ...]] = []
    casefiles: list[dict[str, Any]] = []
    new_events: list[list[NewEvent]] = []
    made = timezone.now()
    for case, doc, person in zip(cases, docs, persons, strict=True):
        items, held = _event_rows(case, doc, user, directory, made=made, out=events)
        casefiles.append(_engine_casefile(case, person, items))
        new_events.append(held)
    insert_rows(Event, _EVENT_FIELDS, events)
    recompute_new_cases(
        cases=cases,
        casefiles=casefiles,
        events=new_events,
        cause="import",
        actor=user,
        now=now,
        quiet={c.pk for c in cases if c.status in IMPORT_QUIET},
    )
    audit.record_many(  # one entry per case, as import_casefile writes, appended as one segment of the chain
        type=EventType.CASE_CREATED,
        actor=user,
        targets=cases,
        data=[{"via": "import", "events": len(doc["events"])} for doc in docs],
    )
    return cases


_EVENT_FIELDS = (
    "code", "case", "key", "type", "at", "utc_offset_minutes", "date_only", "attributes", "text_attributes",
    "authority", "proceeding", "author", "source", "note", "created_at", "updated_at",
)  # fmt: skip


_EVENT_SEALS = {f.name: f for f in Event._meta.concrete_fields if isinstance(f, EncryptedField)}


def _event_rows(
    case: Case,
    doc: dict[str, Any],
    user: User | None,
    directory: dict[str, Authority],
    *,
    made: datetime,
    out: list[tuple[Any, ...]],
) -> tuple[list[dict[str, Any]], list[NewEvent]]:
    """Append the rows of a new case's events to `out` (as `record_event` would store each, its free
    text encrypted under the case's data key, fetched once); return them as the engine reads them,
    in `case.events.all()`'s order, and as the conflict providers read them (`NewEvent`)."""
    tz = case.tzinfo
    version, key = vault_state.current_data_key(case.pk)  # once per case, not once per field
    sealer = crypto.FieldSealer(key, version)
    seal_text, seal_source, seal_note = (_EVENT_SEALS[n].seal for n in ("text_attributes", "source", "note"))
    author_id = user.pk if user is not None else None
    items = []
    for item in doc["events"]:
        instant, offset, date_only = parse_at(item["at"], tz)
        kind = item["type"]
        attributes, text = split_text_attributes(kind, item, EVENT_FIELDS)
        named = text.get(AUTHORITY_ATTRIBUTES.get(kind, ""))
        authority = directory.get(named.strip().casefold()) if isinstance(named, str) and named.strip() else None
        code = uuid.uuid4()
        bound = str(code)  # what the ciphertexts are bound to, as object_code_of gives it
        out.append(
            (
                code, case.pk, item["id"], kind, instant, offset, date_only, attributes,
                seal_text(text, sealer, bound),
                authority.pk if authority is not None else None,
                None, author_id,
                seal_source(item.get("source") or "", sealer, bound),  # the file's own; how it came: the audit entry
                seal_note(item.get("note") or "", sealer, bound),
                made, made,
            )
        )  # fmt: skip
        at = event_at_iso(instant, offset, date_only)
        items.append(
            (
                {"id": item["id"], "type": kind, "at": at, **attributes},
                NewEvent(item["id"], kind, instant, attributes, authority),
            )
        )
    items.sort(key=lambda pair: pair[1].at)  # stable: by `at`, then as inserted (Event.Meta.ordering)
    return [engine for engine, _held in items], [held for _engine, held in items]


def _engine_casefile(case: Case, person: Person, events: list[dict[str, Any]]) -> dict[str, Any]:
    """`casefile_for(case, identity=False)` of a case just imported, from what was stored (no query)."""
    data: dict[str, Any] = {"format": vocab.FORMAT, "reference": case.reference, "host_state": case.host_state}
    if case.timezone_explicit:
        data["timezone"] = case.timezone
    data["person"] = {
        "nationality": person.nationality or None,
        "stateless": person.stateless,
        "languages": list(person.languages),
    }
    data["events"] = events
    return data
