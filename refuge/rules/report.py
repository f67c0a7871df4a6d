"""The engine's answer as typed objects, serialised to ``refuge.check/1`` only at the edge.

    report = evaluate(case, today=date(2026, 12, 5))   # a CheckReport
    report.removal("e9").protected
    report.to_dict()                                   # the refuge.check/1 dict ``check`` returns

Every field of the dict form is a field here; ``to_dict`` adds nothing and drops nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from refuge.rules.timeutil import iso


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower
class ForumReport:
    forum: str
    available: bool
    basis: str
    suggest: tuple[str, ...]
    rule: str
    act: str | None  # the act whose date decided availability (the case's latest act)
    act_date: date

    def to_dict(self) -> dict[str, Any]:
        return {
            "forum": self.forum,
            "available": self.available,
            "basis": self.basis,
            "suggest": list(self.suggest),
            "rule": self.rule,
            "act": self.act,
            "act_date": self.act_date.isoformat(),
        }


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower
class AlternativeReport:
    code: str
    due_date: date
    due_at: datetime
    basis: str | None
    flags: tuple[str, ...] = ()
    rule: str | None = None  # a transition's alternative names the older rule version
    version: int | None = None

    def to_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {"code": self.code, "due_date": self.due_date.isoformat(), "due_at": iso(self.due_at)}
        item["basis"] = self.basis
        if self.rule is not None:
            item["rule"] = self.rule
            item["version"] = self.version
        item["flags"] = list(self.flags)
        return item


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower
class DeadlineReport:
    kind: str
    rule: str
    version: int
    trigger: str
    due_date: date
    due_at: datetime
    timezone: str
    status: str  # open | met | missed | cancelled
    met_by: str | None
    severity: str
    basis: str
    verified: bool
    nature: str
    alternatives: tuple[AlternativeReport, ...]
    safe_due_date: date
    reminders: tuple[str, ...]  # dates (day reminders) and instants (hour reminders), ISO
    flags: tuple[str, ...]
    notify: tuple[str, ...]
    # the anchor-only part already serialised (shared by the engine's memo); None: built here
    static: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @staticmethod
    def template(
        rule: Any,
        *,
        due_date: date,
        due_at: datetime,
        timezone: str,
        alternatives: tuple[AlternativeReport, ...],
        safe_due_date: date,
        reminders: tuple[str, ...],
    ) -> dict[str, Any]:
        """The dict form of what depends only on the rule and the dates (fields in report order)."""
        return {
            "kind": rule.kind,
            "rule": rule.id,
            "version": rule.version,
            "trigger": None,
            "due_date": due_date.isoformat(),
            "due_at": iso(due_at),
            "timezone": timezone,
            "status": None,
            "met_by": None,
            "severity": rule.severity,
            "basis": rule.basis,
            "verified": rule.verified,
            "nature": rule.nature,
            "alternatives": [a.to_dict() for a in alternatives],
            "safe_due_date": safe_due_date.isoformat(),
            "reminders": list(reminders),
            "flags": None,
            "notify": None,
        }

    def to_dict(self) -> dict[str, Any]:
        if self.static is not None:
            item = dict(self.static)  # a fresh dict and fresh lists: callers may change the report
            item["trigger"] = self.trigger
            item["status"] = self.status
            item["met_by"] = self.met_by
            item["alternatives"] = [{**a, "flags": list(a["flags"])} for a in item["alternatives"]]
            item["reminders"] = list(item["reminders"])
            item["flags"] = list(self.flags)
            item["notify"] = list(self.notify)
            return item
        return {
            "kind": self.kind,
            "rule": self.rule,
            "version": self.version,
            "trigger": self.trigger,
            "due_date": self.due_date.isoformat(),
            "due_at": iso(self.due_at),
            "timezone": self.timezone,
            "status": self.status,
            "met_by": self.met_by,
            "severity": self.severity,
            "basis": self.basis,
            "verified": self.verified,
            "nature": self.nature,
            "alternatives": [a.to_dict() for a in self.alternatives],
            "safe_due_date": self.safe_due_date.isoformat(),
            "reminders": list(self.reminders),
            "flags": list(self.flags),
            "notify": list(self.notify),
        }


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower
class MilestoneReport:
    kind: str  # decision_final | r39_processing
    event: str
    date: date | None
    status: str
    rule: str
    basis: str
    verified: bool
    at: datetime | None = None  # r39_processing: the Registry's processing instant
    timezone: str | None = None
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "kind": self.kind,
            "event": self.event,
            "date": self.date.isoformat() if self.date else None,
        }
        if self.kind == "r39_processing":
            item["at"] = iso(self.at) if self.at is not None else None
            item["timezone"] = self.timezone
        item.update(status=self.status, rule=self.rule, basis=self.basis, verified=self.verified)
        if self.kind == "r39_processing":
            item["flags"] = list(self.flags)
        return item


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower
class ConflictReport:
    kind: str
    severity: str
    events: tuple[str, ...]
    rule: str
    basis: str
    verified: bool
    flags: tuple[str, ...]
    notify: tuple[str, ...]
    since: str | None = None  # the instant a state conflict began (release_due …)

    def to_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "kind": self.kind,
            "severity": self.severity,
            "events": list(self.events),
            "rule": self.rule,
            "basis": self.basis,
            "verified": self.verified,
            "flags": list(self.flags),
            "notify": list(self.notify),
        }
        if self.since is not None:
            item["since"] = self.since
        return item


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower
class ProtectedBy:
    """The measure in force at a removal's instant covering its destination."""

    event: str
    forum: str
    granted_at: datetime
    destination: str | None
    until: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "forum": self.forum,
            "granted_at": iso(self.granted_at),
            "destination": self.destination,
            "until": iso(self.until) if self.until is not None else None,
        }


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower
class RemovalReport:
    """One scheduled removal: what became of it, whether a measure protects it, what to file now."""

    event: str
    removal_at: datetime  # when it happens (the executed time if recorded), with its offset
    destination: str | None
    status: str  # scheduled | cancelled | executed | replaced
    protected_by: ProtectedBy | None
    file_now: tuple[str, ...]  # kinds of the open deadlines for this removal

    @property
    def protected(self) -> bool:
        return self.protected_by is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "removal_at": iso(self.removal_at),
            "destination": self.destination,
            "status": self.status,
            "protected": self.protected,
            "protected_by": self.protected_by.to_dict() if self.protected_by is not None else None,
            "file_now": list(self.file_now),
        }


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower
class CheckReport:
    format: str
    reference: str | None
    today: date
    host_state: str
    timezone: str
    packs: tuple[tuple[str, int], ...]  # (pack, version)
    forums: tuple[ForumReport, ...]
    deadlines: tuple[DeadlineReport, ...]
    milestones: tuple[MilestoneReport, ...]
    conflicts: tuple[ConflictReport, ...]
    removals: tuple[RemovalReport, ...]

    def removal(self, event: str) -> RemovalReport | None:
        return next((r for r in self.removals if r.event == event), None)

    def to_dict(self) -> dict[str, Any]:
        """The ``refuge.check/1`` document (fresh dicts and lists: callers may change it)."""
        return {
            "format": self.format,
            "reference": self.reference,
            "today": self.today.isoformat(),
            "host_state": self.host_state,
            "timezone": self.timezone,
            "packs": [{"pack": name, "version": version} for name, version in self.packs],
            "forums": [f.to_dict() for f in self.forums],
            "deadlines": [d.to_dict() for d in self.deadlines],
            "milestones": [m.to_dict() for m in self.milestones],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "removals": [r.to_dict() for r in self.removals],
        }
