"""A validated ``refuge.case/1`` dict turned into small typed facts, once per evaluation.

No validation happens here (that is :mod:`refuge.casefile.validate`, at load); this only
parses dates and instants and indexes the events so that the engine never re-parses text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from refuge.casefile.vocab import EVENT_TYPES

_DATETIME_ATTRS = frozenset(
    name for attrs in EVENT_TYPES.values() for name, kind in attrs.items() if kind.startswith("datetime")
)
_DATE_ATTRS = frozenset(name for attrs in EVENT_TYPES.values() for name, kind in attrs.items() if kind == "date")


@dataclass(frozen=True, slots=True)
class Event:
    """One event: its instant (aware, in the case's zone) and parsed attributes."""

    id: str
    type: str
    index: int  # position in the case file, for stable ordering
    at: datetime
    ts: float  # POSIX timestamp of ``at``, for cheap comparisons
    bare: bool  # ``at`` was a bare date: the time is unknown
    attrs: Mapping[str, Any]

    def get(self, name: str) -> Any:
        return self.attrs.get(name)


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

    def of(self, *types: str) -> tuple[Event, ...]:
        if len(types) == 1:
            return self.by_type.get(types[0], ())
        found = [e for t in types for e in self.by_type.get(t, ())]
        found.sort(key=_order)
        return tuple(found)


def _order(event: Event) -> tuple[float, int]:
    return (event.ts, event.index)


def parse_instant(value: str, zone: tzinfo) -> tuple[datetime, bool]:
    """An ISO date-time with offset, or a bare date (the start of that day in ``zone``)."""
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=zone), True
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:  # not valid input; read it in the case's zone rather than fail
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(zone), False


def parse_facts(case: Mapping[str, Any], default_zone: str | None = None) -> Facts:
    """Parse an already-validated case dict. ``default_zone`` is the host pack's zone."""
    zone_name = case.get("timezone") or default_zone or "UTC"
    zone = ZoneInfo(zone_name)
    person = case.get("person") or {}
    nationality = person.get("nationality")
    stateless = bool(person.get("stateless", "nationality" in person and nationality is None))
    events: list[Event] = []
    for index, raw in enumerate(case.get("events", ())):
        at, bare = parse_instant(raw["at"], zone)
        attrs: dict[str, Any] = {}
        for key, raw_value in raw.items():
            if key in ("id", "type", "at"):
                continue
            value: Any = raw_value
            if value is not None and key in _DATETIME_ATTRS:
                value = parse_instant(value, zone)[0]
            elif value is not None and key in _DATE_ATTRS:
                value = date.fromisoformat(value)
            attrs[key] = value
        events.append(Event(raw["id"], raw["type"], index, at, at.timestamp(), bare, attrs))
    events.sort(key=_order)
    by_type: dict[str, list[Event]] = {}
    for event in events:
        by_type.setdefault(event.type, []).append(event)
    return Facts(
        reference=case.get("reference"),
        host_state=case["host_state"],
        zone_name=zone_name,
        zone=zone,
        nationality=nationality,
        stateless=stateless,
        languages=tuple(person.get("languages", ())),
        events=tuple(events),
        by_id={e.id: e for e in events},
        by_type={t: tuple(v) for t, v in by_type.items()},
    )
