"""Run the law engine on a stored case and store what it derives, with a history of changes.

What else happens after a recomputation (conflicts other apps add, statistics, alerts) is not
called from here by name: `recompute_case` fires `hooks.CASE_CONFLICTS` and `hooks.CASE_RECOMPUTED`,
and every subscriber is connected in refuge/wiring/subscribers.py.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from refuge import hooks
from refuge.cases.bulk import insert_new
from refuge.cases.casefiles import casefile_for
from refuge.cases.derived import SEVERITY_RANK, CaseCheck, Conflict, Deadline, DerivedChange
from refuge.rules import PackSet, check, evaluate, load_packs, parse_facts, timeline

if TYPE_CHECKING:
    from refuge.accounts.models import User
    from refuge.cases.models import Case, NewEvent
    from refuge.rules import CheckReport, Facts
    from refuge.rules.timeline import Timeline


_DATE_FIELDS = ("due_date", "due_at", "safe_due_date", "alternatives")


@functools.cache
def packs() -> PackSet:
    """The rule packs, loaded once per process (a pack change takes `refuge recompute --all`).

    Settings are read on the first call, not at import time."""
    extra = [settings.REFUGE_RULE_PACKS_DIR] if settings.REFUGE_RULE_PACKS_DIR else []
    return load_packs(extra)


def packs_version() -> str:
    return ",".join(sorted(f"{p.name}@{p.version}" for p in packs().packs))


@dataclass
class Recomputed:
    case: Case
    report: dict[str, Any]
    now: datetime | None = None
    changes: list[DerivedChange] = field(default_factory=list)
    quiet: bool = False  # alert no one about this recomputation (an archive's dormant case, imported)
    # A new case's engine run, kept for what follows in the same batch (statistics): not parsed twice.
    facts: Facts | None = None
    evaluated: CheckReport | None = None
    timeline: Timeline | None = None
    # A new case's rows as just inserted (with their ids), for the alerts of the same batch: not read back.
    new_deadlines: list[Deadline] | None = None
    new_conflicts: list[Conflict] | None = None

    @property
    def dates_changed(self) -> bool:
        return any(c.item == "deadline" and c.change != DerivedChange.Change.STATUS for c in self.changes)


def case_today(case: Case, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(case.tzinfo).date()


def run_check(case: Case, *, today: date) -> dict[str, Any]:
    return check(casefile_for(case, identity=False), today=today, packs=packs())


def case_timeline(case: Case) -> Timeline:
    """The engine's timeline of a stored case (no identity read: works without the vault's key)."""
    return timeline(casefile_for(case, identity=False), packs())


def _deadline_values(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": item["kind"],
        "rule": item.get("rule", ""),
        "trigger": item.get("trigger") or "",
        "due_date": date.fromisoformat(item["due_date"]) if item.get("due_date") else None,
        "due_at": datetime.fromisoformat(item["due_at"]) if item.get("due_at") else None,
        "timezone": item.get("timezone", ""),
        "status": item.get("status", "open"),
        "met_by": item.get("met_by") or "",
        "severity": item.get("severity", "high"),
        "basis": item.get("basis", ""),
        "verified": bool(item.get("verified", True)),
        "alternatives": item.get("alternatives", []),
        "safe_due_date": date.fromisoformat(item["safe_due_date"]) if item.get("safe_due_date") else None,
        "reminders": item.get("reminders", []),
        "flags": item.get("flags", []),
        "calendar": item.get("calendar") or {},
        "unconfirmed_years": " ".join(str(y) for y in (item.get("calendar") or {}).get("unconfirmed_years", ())),
    }


def _snapshot(values: dict[str, Any], zone: str) -> dict[str, Any]:
    """The dates a change is about, instants written in the deadline's own zone."""
    out = {}
    for name in (*_DATE_FIELDS, "status"):
        value = values.get(name)
        if isinstance(value, datetime):
            value = value.astimezone(ZoneInfo(zone)) if zone else value
        out[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


def conflict_key(kind: str, events: list[str]) -> str:
    """A conflict's identity: its kind and the set of events it reads, whatever order the engine lists
    them in, so one that persists across recomputations stays one row and one alert."""
    return f"{kind}|{','.join(sorted(events))}"


def _add_provided_conflicts(case: Case, report: dict[str, Any], now: datetime) -> datetime | None:
    """Add the conflict providers' items to the report; the earliest instant one asks to be asked again."""
    recheck_at: datetime | None = None
    for provided in hooks.CASE_CONFLICTS.fire(case, report, now):
        report.setdefault("conflicts", []).extend(provided.conflicts)
        if provided.recheck_at and (recheck_at is None or provided.recheck_at < recheck_at):
            recheck_at = provided.recheck_at
    return recheck_at


@transaction.atomic
def recompute_case(
    *,
    case: Case,
    cause: str,
    cause_event: str = "",
    actor: User | None = None,
    now: datetime | None = None,
    quiet: bool = False,
) -> Recomputed:
    """Recompute and store a case's deadlines and conflicts (call inside the change's transaction).

    Subscribers of `hooks.CASE_CONFLICTS` add conflicts first; those of `hooks.CASE_RECOMPUTED`
    (statistics, alerts) run at the end, in this transaction. See refuge/wiring/subscribers.py for the list.
    """
    now = now or timezone.now()
    today = case_today(case, now)
    report = run_check(case, today=today)
    recheck_at = _add_provided_conflicts(case, report, now)
    result = Recomputed(case=case, report=report, now=now, quiet=quiet)
    log = _Log(result=result, cause=cause, cause_event=cause_event, actor=actor, now=now)
    _store_deadlines(case, report, log)
    _store_conflicts(case, report, log, now)
    CaseCheck.objects.update_or_create(
        case=case,
        defaults={
            "report": report,
            "today": today,
            "computed_at": now,
            "packs_version": packs_version(),
            "recheck_at": recheck_at,
        },
    )
    DerivedChange.objects.bulk_create(result.changes)
    hooks.CASE_RECOMPUTED.fire(result)
    return result


def recompute_new_cases(
    *,
    cases: Sequence[Case],
    casefiles: Sequence[dict[str, Any]],
    events: Sequence[list[NewEvent]],
    cause: str,
    actor: User | None = None,
    now: datetime | None = None,
    quiet: Collection[int] = (),
) -> list[Recomputed]:
    """`recompute_case` for many cases just created (a bulk import), in the caller's transaction.

    The same engine run, conflict providers, rows and history as `recompute_case`, but a new case has
    no stored rows to compare with, so the deadlines, conflicts, checks and history of all the cases
    are inserted with one `executemany` each (refuge.cases.bulk); `hooks.CASES_IMPORTED` then fires once for the batch
    (statistics and alerts, as CASE_RECOMPUTED does them for one case).
    Cases whose id is in `quiet` are recomputed with `Recomputed.quiet`: no alerts for them.
    `casefiles` are the cases as `casefile_for(case, identity=False)` would read them back (the
    caller built them from the files it stored: the engine's view, without a query or the events
    as model objects); `events` are their events as the conflict providers read them, in
    `case.events.all()`'s order.
    """
    now = now or timezone.now()
    results: list[Recomputed] = []
    deadlines: list[Deadline] = []
    conflicts: list[Conflict] = []
    checks: list[CaseCheck] = []
    packset = packs()
    version = packs_version()
    for case, casefile, case_events in zip(cases, casefiles, events, strict=True):
        today = case_today(case, now)
        facts = parse_facts(casefile, packset)  # parsed once: the checks, stats
        evaluated = evaluate(facts, today, packset)
        report = evaluated.to_dict()
        case_line = timeline(facts, packset)
        recheck_at: datetime | None = None
        for provided in hooks.NEW_CASE_CONFLICTS.fire(case, case_line, case_events, now):
            report.setdefault("conflicts", []).extend(provided.conflicts)
            if provided.recheck_at and (recheck_at is None or provided.recheck_at < recheck_at):
                recheck_at = provided.recheck_at
        result = Recomputed(
            case=case,
            report=report,
            now=now,
            quiet=case.pk in quiet,
            facts=facts,
            evaluated=evaluated,
            timeline=case_line,
        )
        log = _Log(result=result, cause=cause, cause_event="", actor=actor, now=now)
        first_deadline, first_conflict = len(deadlines), len(conflicts)
        _store_deadlines(case, report, log, new_rows=deadlines)
        _store_conflicts(case, report, log, now, new_rows=conflicts)
        result.new_deadlines = deadlines[first_deadline:]
        result.new_conflicts = conflicts[first_conflict:]
        checks.append(
            CaseCheck(
                case=case, report=report, today=today, computed_at=now, packs_version=version, recheck_at=recheck_at
            )
        )
        results.append(result)
    insert_new(deadlines)
    insert_new(conflicts)
    insert_new(checks)
    insert_new([c for r in results for c in r.changes])
    hooks.CASES_IMPORTED.fire(results)
    return results


@dataclass
class _Log:
    """Records the derived changes of one recomputation, each with its cause."""

    result: Recomputed
    cause: str
    cause_event: str
    actor: User | None
    now: datetime

    def __call__(self, item: str, key: str, kind: str, change: str, before: Any, after: Any) -> None:  # noqa: PLR0917  # a local recorder
        self.result.changes.append(
            DerivedChange(
                case=self.result.case,
                item=item,
                key=key,
                kind=kind,
                change=change,
                before=before,
                after=after,
                cause_event=self.cause_event,
                cause=self.cause,
                actor=self.actor,
                at=self.now,
            )
        )


def _store_deadlines(case: Case, report: dict[str, Any], log: _Log, new_rows: list[Deadline] | None = None) -> None:
    """Store the report's deadlines; for a new case (`new_rows` given) only collect its rows there."""
    old = {d.key: d for d in case.deadlines.all()} if new_rows is None else {}
    seen: set[str] = set()
    for item in report.get("deadlines", []):
        values = _deadline_values(item)
        key = f"{values['kind']}|{values['rule']}|{values['trigger']}"
        if key in seen:  # two deadlines of one rule on one trigger: keep them apart by due date
            key = f"{key}|{values['due_at']}"
        seen.add(key)
        row = old.pop(key, None)
        if row is None:
            fresh = Deadline(case=case, organisation_id=case.organisation_id, key=key, **values)
            if new_rows is None:
                fresh.save(force_insert=True)
            else:
                new_rows.append(fresh)
            log(
                "deadline", key, values["kind"], DerivedChange.Change.ADDED, None, _snapshot(values, values["timezone"])
            )
            continue
        before = _snapshot({n: getattr(row, n) for n in (*_DATE_FIELDS, "status")}, row.timezone)
        after = _snapshot(values, values["timezone"])
        changed = [n for n, v in values.items() if getattr(row, n) != v]
        if not changed:
            continue
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
        if any(before[n] != after[n] for n in _DATE_FIELDS):
            log("deadline", key, row.kind, DerivedChange.Change.MOVED, before, after)
        elif before["status"] != after["status"]:
            log("deadline", key, row.kind, DerivedChange.Change.STATUS, before, after)
    for key, row in old.items():
        log(
            "deadline",
            key,
            row.kind,
            DerivedChange.Change.REMOVED,
            _snapshot({n: getattr(row, n) for n in (*_DATE_FIELDS, "status")}, row.timezone),
            None,
        )
        row.delete()


def _store_conflicts(
    case: Case, report: dict[str, Any], log: _Log, now: datetime, new_rows: list[Conflict] | None = None
) -> None:
    # Rows stored before keys were order-free are found by their kind and events, and re-keyed quietly.
    old_conflicts = {conflict_key(c.kind, c.events): c for c in case.conflicts.all()} if new_rows is None else {}
    for item in report.get("conflicts", []):
        key = conflict_key(item["kind"], item.get("events", []))
        values = {
            "key": key,
            "kind": item["kind"],
            "severity": item["severity"],
            "severity_rank": SEVERITY_RANK.get(item["severity"], 9),
            "rule": item.get("rule", ""),
            "events": item.get("events", []),
            "basis": item.get("basis", ""),
            "flags": item.get("flags", []),
            "notify": item.get("notify", []),
        }
        conflict_row = old_conflicts.pop(key, None)
        if conflict_row is None:
            fresh = Conflict(case=case, organisation_id=case.organisation_id, raised_at=now, **values)
            if new_rows is None:
                fresh.save(force_insert=True)
            else:
                new_rows.append(fresh)
            log("conflict", key, item["kind"], DerivedChange.Change.ADDED, None, {"severity": item["severity"]})
            continue
        changed = [n for n, v in values.items() if getattr(conflict_row, n) != v]
        if changed:
            for name in changed:
                setattr(conflict_row, name, values[name])
            conflict_row.save(update_fields=changed)
    for key, conflict_row in old_conflicts.items():
        log("conflict", key, conflict_row.kind, DerivedChange.Change.REMOVED, {"severity": conflict_row.severity}, None)
        conflict_row.delete()
