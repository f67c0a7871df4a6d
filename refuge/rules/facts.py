"""A validated ``refuge.case/1`` dict turned into small typed facts, once per evaluation.

No validation happens here (that is :mod:`refuge.casefile.validate`, at load); this only
parses dates and instants and indexes the events so that the engine never re-parses text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from refuge.casefile.vocab import EVENT_TYPES

if TYPE_CHECKING:
    from refuge.rules.timeline import Timeline

# per event type: the attributes to parse, and whether each is a date-time (else a date)
_TYPED_ATTRS: dict[str, tuple[tuple[str, bool], ...]] = {
    event_type: tuple(
        (name, kind.startswith("datetime")) for name, kind in attrs.items() if kind.startswith(("datetime", "date"))
    )
    for event_type, attrs in EVENT_TYPES.items()
}
_BASE = frozenset({"id", "type", "at", "source", "note"})  # source and note: never read by the engine


# Not frozen: a frozen dataclass's __init__ costs several times more, and parsing builds
# thirty of these per case. Nothing mutates an Event. eq=False: identity, one object per event.
@dataclass(slots=True, eq=False)
class Event:
    """One event: its instant and parsed attributes.

    ``at`` is aware: with the offset it was written with, or (a bare date) the start of that
    day in the case's zone. Code that needs a local date converts explicitly.
    """

    id: str
    type: str
    index: int  # position in the case file, for stable ordering
    at: datetime
    ts: float  # POSIX timestamp of ``at``, for cheap comparisons
    bare: bool  # ``at`` was a bare date: the time is unknown
    attrs: Mapping[str, Any]
    day: date  # the local date of ``at`` in the case's zone

    def get(self, name: str) -> Any:
        return self.attrs.get(name)


@dataclass(slots=True, eq=False)
class Readings:
    """What is read from the facts alone, built on first use and kept as long as the facts are.

    The facts themselves never change; this is the one typed place where a reading of them is
    kept, so that evaluating the same parsed case again (on another day) does not read it again.
    """

    merged: dict[tuple[str, ...], tuple[Event, ...]] = field(default_factory=dict)  # Facts.of()
    timeline: Timeline | None = None  # Timeline.of(), for the pack set it was built with

    def forget(self) -> None:
        """Drop what was read. The timeline refers back to its facts: a cycle that, left alone, only
        the cyclic garbage collector frees (a batch of cases drops its facts this way: `refuge.alerts.clock`)."""
        self.merged = {}
        self.timeline = None


@dataclass(frozen=True, slots=True)
class Facts:
    reference: str | None
    host_state: str
    zone_name: str
    zone: tzinfo
    nationality: str | None
    stateless: bool
    languages: tuple[str, ...]
    events: tuple[Event, ...]  # in time order (then file order)
    by_id: Mapping[str, Event]
    by_type: Mapping[str, tuple[Event, ...]]
    readings: Readings = field(default_factory=Readings, compare=False, repr=False)

    def of(self, *types: str) -> tuple[Event, ...]:
        """The events of these types, in time order."""
        if len(types) == 1:
            return self.by_type.get(types[0], ())
        known = self.readings.merged
        found = known.get(types)
        if found is None:
            merged = [e for t in types for e in self.by_type.get(t, ())]
            merged.sort(key=_order)
            found = known[types] = tuple(merged)
        return found


def _order(event: Event) -> tuple[float, int]:
    return (event.ts, event.index)


def parse_instant(value: str, zone: tzinfo) -> tuple[datetime, bool]:
    """An ISO date-time with offset, or a bare date (the start of that day in ``zone``)."""
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=zone), True
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:  # not valid input; read it in the case's zone rather than fail
        parsed = parsed.replace(tzinfo=zone)
    return parsed, False  # kept with its own offset: the engine converts where it needs a zone


def parse_facts(case: Mapping[str, Any], default_zone: str | None = None) -> Facts:
    """Parse an already-validated case dict. ``default_zone`` is the host pack's zone."""
    zone_name = case.get("timezone") or default_zone or "UTC"
    zone = ZoneInfo(zone_name)
    events: list[ParsedEvent] = []
    for raw in case.get("events", ()):
        at, bare = parse_instant(raw["at"], zone)
        events.append((raw["id"], raw["type"], at, bare, {k: v for k, v in raw.items() if k not in _BASE}))
    return facts_of(case, zone_name, zone, events)


# An event whose ``at`` is read: (id, type, at as parse_instant gives it, bare, its other attributes
# as written: a dict of its own, whose dates and instants are parsed in place).
ParsedEvent = tuple[str, str, datetime, bool, dict[str, Any]]


def facts_of(case: Mapping[str, Any], zone_name: str, zone: tzinfo, events: Iterable[ParsedEvent]) -> Facts:
    """The facts of a case whose events' instants are already read (``parse_facts``, or an import that
    read them as it stored them): the case's reference, host state and person from ``case``, the
    events given in the case file's order."""
    person = case.get("person") or {}
    nationality = person.get("nationality")
    stateless = bool(person.get("stateless", "nationality" in person and nationality is None))
    parsed: list[Event] = []
    for index, (event_id, event_type, at, bare, attrs) in enumerate(events):
        for name, is_instant in _TYPED_ATTRS.get(event_type, ()):
            value = attrs.get(name)
            if value is not None:
                attrs[name] = parse_instant(value, zone)[0] if is_instant else date.fromisoformat(value)
        day = at.date() if bare else at.astimezone(zone).date()
        parsed.append(Event(event_id, event_type, index, at, at.timestamp(), bare, attrs, day))
    parsed.sort(key=_order)
    by_type: dict[str, list[Event]] = {}
    for event in parsed:
        by_type.setdefault(event.type, []).append(event)
    return Facts(
        reference=case.get("reference"),
        host_state=case["host_state"],
        zone_name=zone_name,
        zone=zone,
        nationality=nationality,
        stateless=stateless,
        languages=tuple(person.get("languages", ())),
        events=tuple(parsed),
        by_id={e.id: e for e in parsed},
        by_type={t: tuple(v) for t, v in by_type.items()},
    )
