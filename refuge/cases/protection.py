"""What the case page says beside each removal: protected (by which measure, until when) or not, and what to file.

Read from the engine's last check of the case (``removals`` of refuge.check/1, stored in
CaseCheck, through refuge.cases.removals' one reader) and its deadline rows; nothing here
decides the law again (refuge.rules.timeline does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from refuge.cases.removals import instant, reported_removals

if TYPE_CHECKING:
    from refuge.cases.derived import Deadline

LATE_NOTICE = "LATE_NOTICE"
# Event types an unavailable forum's entry can be (the page says beside them that they protect nothing).
_FORUM_EVENTS = ("interim_measure_requested", "interim_measure_granted")


@dataclass(frozen=True)
class ProtectingMeasure:
    event: str
    forum: str
    granted_at: datetime
    destination: str | None
    until: datetime | None


@dataclass(frozen=True)
class RemovalView:
    event: str
    removal_at: datetime
    destination: str | None
    status: str  # scheduled | cancelled | executed | replaced
    protected_by: ProtectingMeasure | None
    file_now: list[Deadline] = field(default_factory=list)  # open deadlines for this removal, soonest first
    file_now_kinds: list[str] = field(default_factory=list)  # their kinds, as the report names them
    protection_flags: list[str] = field(default_factory=list)  # uncertainties of the protecting measure

    @property
    def protected(self) -> bool:
        return self.protected_by is not None

    @property
    def pending(self) -> bool:
        return self.status == "scheduled"

    @property
    def late_notice(self) -> bool:
        """Learnt of after its cut-off or target: file at once, the forums still act when they can."""
        return any(LATE_NOTICE in (d.flags or []) for d in self.file_now)


def removal_views(report: dict[str, Any] | None, deadlines: list[Deadline]) -> list[RemovalView]:
    """The report's removals, pending ones first (soonest first), then the others."""
    if not report:
        return []
    by_trigger: dict[str, list[Deadline]] = {}
    for d in deadlines:
        if d.status == "open" and d.trigger:
            by_trigger.setdefault(d.trigger, []).append(d)
    measure_flags: dict[tuple[str, str], list[str]] = {}
    for c in report.get("conflicts", []):
        events = c.get("events") or []
        if c.get("kind") == "removal_during_interim_measure" and len(events) >= 2:
            measure_flags[(str(events[0]), str(events[1]))] = [str(f) for f in c.get("flags") or []]
    views = []
    for item in reported_removals(report):
        by = item.protected_by or {}
        granted_at = instant(by.get("granted_at"))
        measure = None
        if granted_at is not None:
            measure = ProtectingMeasure(
                event=str(by.get("event")),
                forum=str(by.get("forum")),
                granted_at=granted_at,
                destination=by.get("destination"),
                until=instant(by.get("until")),
            )
        own = [d for d in by_trigger.get(item.event, []) if d.kind in item.file_now]
        views.append(
            RemovalView(
                event=item.event,
                removal_at=item.removal_at,
                destination=item.destination,
                status=item.status,
                protected_by=measure,
                file_now=own,
                file_now_kinds=list(item.file_now),
                protection_flags=measure_flags.get((item.event, measure.event), []) if measure else [],
            )
        )
    views.sort(key=lambda v: (not v.pending, v.removal_at))
    return views


def unprotecting_events(report: dict[str, Any] | None, events_by_key: dict[str, Any]) -> set[str]:
    """Keys of interim-measure events before a forum that does not cover the act: they protect nothing."""
    if not report:
        return set()
    found = set()
    for c in report.get("conflicts", []):
        if c.get("kind") != "forum_unavailable":
            continue
        for key in c.get("events", []):
            event = events_by_key.get(key)
            if event is not None and event.type in _FORUM_EVENTS:
                found.add(key)
    return found
