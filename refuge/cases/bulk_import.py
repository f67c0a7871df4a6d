"""`refuge import`'s bulk path: many case files, checked by `load_casefile`, stored with one insert per table.

What `actions.import_casefile` stores for each file (the same rows, compared by tests/cli/test_import_bulk.py),
without a model instance per event: each event is a tuple of values, its free text sealed under the
case's data key fetched once per case.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from refuge.audit import actions as audit
from refuge.audit.events import EventType
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
from refuge.cases.bulk import adapters, insert_new, insert_rows
from refuge.cases.models import Authority, Case, CaseMember, CaseStatus, Event, NewEvent, Person
from refuge.cases.recompute import recompute_new_cases
from refuge.rules.facts import Facts, ParsedEvent, facts_of
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
    facts: list[Facts] = []
    new_events: list[list[NewEvent]] = []
    writer = _EventWriter(user, directory, timezone.now())
    for case, doc, person in zip(cases, docs, persons, strict=True):
        items, held = writer.rows(case, doc, events)
        facts.append(_engine_facts(case, person, items))
        new_events.append(held)
    insert_rows(Event, IMPORT_EVENT_FIELDS, events, adapted=True)
    recompute_new_cases(
        cases=cases,
        facts=facts,
        events=new_events,
        cause="import",
        actor=user,
        now=now,
        quiet={c.pk for c in cases if c.status in IMPORT_QUIET},
    )
    for case_facts in facts:  # each case's timeline refers back to its facts: let the batch go without the collector
        case_facts.readings.forget()
    audit.record_many(  # one entry per case, as import_casefile writes, appended as one segment of the chain
        type=EventType.CASE_CREATED,
        actor=user,
        targets=cases,
        data=[{"via": "import", "events": len(doc["events"])} for doc in docs],
    )
    return cases


IMPORT_EVENT_FIELDS = (
    "code", "case", "key", "type", "at", "utc_offset_minutes", "date_only", "attributes", "text_attributes",
    "authority", "proceeding", "author", "source", "note", "created_at", "updated_at",
)  # fmt: skip


_EVENT_SEALS: dict[str, EncryptedField] = {
    f.name: f for f in Event._meta.concrete_fields if isinstance(f, EncryptedField)
}
_AS_GIVEN = (EncryptedField, models.IntegerField)  # fields whose adapter takes what the import gives as it is


class _EventWriter:
    """A batch's events as rows ready for the backend (`insert_rows(..., adapted=True)`), as `record_event`
    would store each: the free text sealed under its case's data key (fetched once per case) and bound to
    the event's code, the other values made by the fields' own adapters (`adapters`), each once."""

    def __init__(self, user: User | None, directory: dict[str, Authority], made: datetime) -> None:
        self.author = user.pk if user is not None else None
        self.directory = directory
        adapt = dict(zip(IMPORT_EVENT_FIELDS, adapters(Event, IMPORT_EVENT_FIELDS), strict=True))
        for name in set(IMPORT_EVENT_FIELDS) - {"code", "at", "attributes", "created_at", "updated_at"}:
            # the values given as they are: ints, bools, texts and sealed bytes, which every backend takes
            if adapt[name] is not None and not isinstance(Event._meta.get_field(name), _AS_GIVEN):
                raise TypeError(f"cases.Event.{name}: the import does not adapt this field")
        self.adapt_code = adapt["code"] or _same
        self.adapt_at = adapt["at"] or _same
        self.adapt_json = adapt["attributes"] or _same
        self.made = (adapt["created_at"] or _same)(made)
        self.labels = tuple(_EVENT_SEALS[name].label for name in ("text_attributes", "source", "note"))
        self.encode_text = _EVENT_SEALS["text_attributes"].encode  # JSON, compact: what EncryptedJSONField stores
        self.encode_plain = _EVENT_SEALS["note"].encode  # text, as EncryptedTextField stores it

    def rows(
        self, case: Case, doc: dict[str, Any], out: list[tuple[Any, ...]]
    ) -> tuple[list[ParsedEvent], list[NewEvent]]:
        """Append the rows of a new case's events to `out`; return them as the engine reads them
        (`facts_of`), in `case.events.all()`'s order, and as the conflict providers read them (`NewEvent`)."""
        tz = case.tzinfo
        version, key = vault_state.current_data_key(case.pk)  # once per case, not once per field
        seal = crypto.FieldSealer(key, version)
        text_label, source_label, note_label = self.labels
        encode_text, encode_plain, directory = self.encode_text, self.encode_plain, self.directory
        adapt_code, adapt_at, adapt_json, made, author = (
            self.adapt_code, self.adapt_at, self.adapt_json, self.made, self.author
        )  # fmt: skip
        empty = encode_plain("")
        case_pk = case.pk
        items = []
        for item in doc["events"]:
            instant, offset, date_only = parse_at(item["at"], tz)
            kind = item["type"]
            attributes, text = split_text_attributes(kind, item, EVENT_FIELDS)
            named = text.get(AUTHORITY_ATTRIBUTES.get(kind, ""))
            authority = directory.get(named.strip().casefold()) if isinstance(named, str) and named.strip() else None
            code = uuid.uuid4()
            bound = str(code)  # what the ciphertexts are bound to, as object_code_of gives it
            source, note = item.get("source"), item.get("note")  # the file's own; how it came: the audit entry
            out.append(
                (
                    adapt_code(code), case_pk, item["id"], kind, adapt_at(instant), offset, date_only,
                    adapt_json(attributes),
                    seal(encode_text(text), label=text_label, code=bound),
                    authority.pk if authority is not None else None,
                    None, author,
                    seal(encode_plain(source) if source else empty, label=source_label, code=bound),
                    seal(encode_plain(note) if note else empty, label=note_label, code=bound),
                    made, made,
                )
            )  # fmt: skip
            # The engine's instant is the one stored read back: a bare date, the start of that day in the
            # case's zone (as parse_at made it); a date-time, with the offset it was written with.
            engine_at = instant if date_only else instant.astimezone(_offset(offset))
            items.append(
                (
                    (item["id"], kind, engine_at, date_only, dict(attributes)),  # the engine parses its own copy
                    NewEvent(item["id"], kind, instant, attributes, authority),
                )
            )
        items.sort(key=lambda pair: pair[1].at)  # stable: by `at`, then as inserted (Event.Meta.ordering)
        return [engine for engine, _held in items], [held for _engine, held in items]


def _same(value: Any) -> Any:
    return value


def _engine_facts(case: Case, person: Person, events: list[ParsedEvent]) -> Facts:
    """`parse_facts(casefile_for(case, identity=False))` of a case just imported, from what was stored
    (no query, and no instant written as text to be read again)."""
    data: dict[str, Any] = {"reference": case.reference, "host_state": case.host_state}
    data["person"] = {
        "nationality": person.nationality or None,
        "stateless": person.stateless,
        "languages": list(person.languages),
    }
    return facts_of(data, case.timezone, case.tzinfo, events)


@functools.cache
def _offset(minutes: int) -> dt_timezone:
    """The fixed zone of an offset in minutes (as `datetime.fromisoformat` reads one from text)."""
    return dt_timezone(timedelta(minutes=minutes))
