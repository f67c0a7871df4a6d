"""A stored case as a `refuge.case/1` document: what export writes and the engine reads.

Below both `cases.actions` (which imports and exports case files) and `cases.recompute` (which
hands the document to the engine), so neither has to import the other for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from refuge.casefile import vocab
from refuge.cases.models import Case, Event, Person


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
