"""A stored case as a `refuge.case/1` document: what export writes and the engine reads.

Below both `cases.actions` (which imports and exports case files) and `cases.recompute` (which
hands the document to the engine), so neither has to import the other for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from refuge.casefile import vocab
from refuge.cases.models import EVENT_ROW, Case, Event, Person, Proceeding, event_item

_ROWS = "_refuge_event_rows"  # a batch's events of one case, as rows of EVENT_ROW (read_event_rows)
_AT = EVENT_ROW.index("at")
_ATTRIBUTES = EVENT_ROW.index("attributes")
_EVENTS = "_refuge_events"  # the same as Event instances, made when first asked for (case_events)
_PROCEEDINGS = "_refuge_proceeding_authorities"  # a batch's authority ids of a case's proceedings


def casefile_for(
    case: Case,
    *,
    extra_event: dict[str, Any] | None = None,
    drop_key: str | None = None,
    identity: bool = True,
    events: Iterable[Event] | None = None,
) -> dict[str, Any]:
    """The case as a `refuge.case/1` document (what export writes and the engine reads).

    With identity=False the client's names and birth date are left out: the engine needs neither,
    and a process without the vault's key (the alerts' worker) can then still recompute the case.
    `events`: the case's events as the caller has just read them (a page), instead of reading them again.
    """
    person: dict[str, Any] = {}
    try:
        p = case.person
    except Person.DoesNotExist:
        p = None
    if p is not None:
        person = {"nationality": p.nationality or None, "stateless": p.stateless, "languages": list(p.languages)}
        if identity and p.names:
            person["names"] = [dict(n) for n in p.names]
        if identity and p.birth_date:
            person["birth_date"] = p.birth_date.isoformat()
    rows = getattr(case, _ROWS, None)
    if events is None and rows is not None and not identity:  # a batch's rows, as Event.to_casefile gives them
        items = [event_item(*row[2:8]) for row in rows if row[2] != drop_key]
    else:
        stored = case.events.all() if events is None else events
        items = [e.to_casefile(free_text=identity) for e in stored if e.key != drop_key]
    if extra_event is not None:
        items = [e for e in items if e["id"] != extra_event["id"]] + [extra_event]
    data: dict[str, Any] = {
        "format": vocab.FORMAT,
        "reference": case.reference,
        "host_state": case.host_state,
    }
    if case.timezone_explicit:
        data["timezone"] = case.timezone
    data["person"] = person
    data["events"] = items
    return data


def read_event_rows(cases: Sequence[Case]) -> None:
    """Read the events of these cases with one query, as rows rather than model instances (which cost
    several times more to make), and keep each case's on it: `casefile_for(identity=False)` and
    `case_events` then read them. Cases whose events are prefetched already are left as they are."""
    wanted = {case.pk: case for case in cases if "events" not in getattr(case, "_prefetched_objects_cache", {})}
    if not wanted:
        return
    found: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in wanted}
    texts: dict[int, list[str]] = {pk: [] for pk in wanted}
    # The attributes come as the stored JSON text, each case's decoded with one json.loads: a decoding
    # per row (the field's own) costs more than the rest of the row. On SQLite the instants come as
    # their stored text too, read by `_sqlite_instant` (Django's converter, per row, cost as much).
    instant = _sqlite_instant() if connection.vendor == "sqlite" and settings.USE_TZ else None
    text = {"attributes", "at"} if instant is not None else {"attributes"}
    columns = [Cast(name, TextField()) if name in text else name for name in EVENT_ROW]
    for row in Event.objects.filter(case_id__in=list(wanted)).order_by("at", "id").values_list(*columns):
        found[row[1]].append(row)
        texts[row[1]].append(row[_ATTRIBUTES] or "{}")
    for pk, case in wanted.items():
        decoded = json.loads(f"[{','.join(texts[pk])}]")
        rows = [
            (
                *row[:_AT],
                row[_AT] if instant is None else instant(row[_AT]),
                *row[_AT + 1 : _ATTRIBUTES],
                attributes,
                *row[_ATTRIBUTES + 1 :],
            )
            for row, attributes in zip(found[pk], decoded, strict=True)
        ]
        setattr(case, _ROWS, rows)
        if hasattr(case, _EVENTS):
            delattr(case, _EVENTS)


def _sqlite_instant() -> Callable[[str], datetime]:
    """An instant from its text as SQLite stores it, as Django's converter reads it (the ISO form,
    naive in the connection's zone, UTC): `datetime.fromisoformat`, and the converter itself for any
    other form it accepts."""
    zone = connection.timezone
    convert = connection.ops.convert_datetimefield_value  # type: ignore[attr-defined]  # SQLite's own

    def instant(text: str) -> datetime:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            converted: datetime = convert(text, None, connection)
            return converted
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)

    return instant


def read_proceeding_authorities(cases: Sequence[Case]) -> None:
    """Read the authorities the proceedings of these cases name, with one query (ids, not instances),
    and keep each case's on it for `proceeding_authorities`. Cases whose proceedings are prefetched
    already are left as they are."""
    wanted = {case.pk: case for case in cases if "proceedings" not in getattr(case, "_prefetched_objects_cache", {})}
    found: dict[int, set[int]] = {pk: set() for pk in wanted}
    if wanted:
        rows = Proceeding.objects.filter(case_id__in=list(wanted), authority__isnull=False).order_by()
        for case_id, authority_id in rows.values_list("case_id", "authority_id"):
            found[case_id].add(authority_id)
    for pk, case in wanted.items():
        setattr(case, _PROCEEDINGS, found[pk])


def proceeding_authorities(case: Case) -> set[int]:
    """Ids of the directory's authorities the case's proceedings name (from a batch's read when it has one)."""
    found: set[int] | None = getattr(case, _PROCEEDINGS, None)
    if found is None:
        return {p.authority_id for p in case.proceedings.all() if p.authority_id is not None}
    return set(found)


def forget_event_rows(case: Case) -> None:
    """Drop what `read_event_rows` (and `case_events`, `read_proceeding_authorities`) kept on the case:
    it reads its events and proceedings again."""
    for name in (_ROWS, _EVENTS, _PROCEEDINGS):
        if hasattr(case, name):
            delattr(case, name)


def case_events(case: Case, *, keys: Collection[str] | None = None, types: Collection[str] = ()) -> list[Event]:
    """The case's events in their order (at, id); with `keys` or `types`, only those with one of these
    keys or of one of these types. When a batch read them as rows (`read_event_rows`), only the events
    asked for are made into instances (without their encrypted columns), each once."""
    rows = getattr(case, _ROWS, None)
    if rows is None:
        events = case.events.all()
        return [e for e in events if keys is None or e.key in keys or e.type in types]
    made: dict[int, Event] = getattr(case, _EVENTS, None) or {}
    setattr(case, _EVENTS, made)
    found = []
    for n, row in enumerate(rows):
        if keys is not None and row[2] not in keys and row[3] not in types:
            continue
        event = made.get(n)
        if event is None:
            event = made[n] = Event.from_db(None, EVENT_ROW, row)
            event.case = case
        found.append(event)
    return found


def event_authorities(case: Case) -> set[int]:
    """Ids of the directory's authorities the case's events name (from a batch's rows when it has them)."""
    rows = getattr(case, _ROWS, None)
    if rows is None:
        return {e.authority_id for e in case.events.all() if e.authority_id is not None}
    return {row[8] for row in rows if row[8] is not None}
