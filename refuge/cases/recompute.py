"""Run the law engine on a stored case and store what it derives, with a history of changes.

What else happens after a recomputation (conflicts other apps add, statistics, alerts) is not
called from here by name: `recompute_case` fires `hooks.CASE_CONFLICTS` and `hooks.CASE_RECOMPUTED`,
and every subscriber is connected in refuge/wiring/subscribers.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from refuge import hooks
from refuge.cases.bulk import insert_new, insert_rows
from refuge.cases.casefiles import casefile_for, forget_event_rows, read_event_rows, read_proceeding_authorities
from refuge.cases.derived import (
    CHANGE_FIELDS,
    SEVERITY_RANK,
    CaseCheck,
    Change,
    Conflict,
    Deadline,
    DerivedChange,
    NewRow,
)
from refuge.cases.models import Case, Event
from refuge.rules import CheckReport, Facts, PackSet, check, evaluate, load_packs, parse_facts, timeline

if TYPE_CHECKING:
    from refuge.accounts.models import User
    from refuge.cases.models import NewEvent
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
    changes: list[Change] = field(default_factory=list)  # the history, written as DerivedChange rows
    quiet: bool = False  # alert no one about this recomputation (an archive's dormant case, imported)
    # The engine's parsed case and report, when the caller kept them (a batch, an import): not parsed twice.
    facts: Facts | None = None
    evaluated: CheckReport | None = None
    timeline: Timeline | None = None
    # A new case's rows as just inserted (with their ids), for the alerts of the same batch: not read back.
    new_deadlines: list[NewRow] | None = None
    new_conflicts: list[NewRow] | None = None
    # The case's deadline rows once stored, when the recomputation has them at hand (a case's own, or a
    # batch's; where a batch's report did not change, only the columns its reminders need: `_reminder_rows`).
    deadlines: list[Deadline | NewRow] | None = None

    @property
    def dates_changed(self) -> bool:
        return any(c.item == "deadline" and c.change != DerivedChange.Change.STATUS for c in self.changes)


def case_today(case: Case, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(case.tzinfo).date()


def run_check(case: Case, *, today: date) -> dict[str, Any]:
    return check(casefile_for(case, identity=False), today=today, packs=packs())


def case_timeline(case: Case, events: Iterable[Event] | None = None) -> Timeline:
    """The engine's timeline of a stored case (no identity read: works without the vault's key).

    `events`: the case's events just read by the caller, in the stored order (else they are read here).
    In a batch (`evaluate_cases`) the case carries its parsed facts, and their timeline is reused."""
    facts = getattr(case, _FACTS, None)
    if facts is not None:
        return timeline(facts, packs())
    return timeline(casefile_for(case, identity=False, events=events), packs())


def next_check(case: Case, today: date, recheck_at: datetime | None) -> datetime:
    """When a case checked on `today` is due again: its next local midnight, or `recheck_at` if sooner."""
    midnight = datetime.combine(today + timedelta(days=1), time(0), tzinfo=case.tzinfo).astimezone(UTC)
    return min(midnight, recheck_at) if recheck_at is not None else midnight


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


def _evaluate_one(case: Case, today: date, now: datetime) -> tuple[Facts, CheckReport, dict[str, Any], datetime | None]:
    """The engine and the conflict providers on one stored case, as `evaluate_cases` runs them on a
    batch: its events read once, as rows, and parsed once; the providers' timelines reuse the facts
    and the statistics the report (`Recomputed.facts`, `.evaluated`). The rows and facts leave the case
    afterwards: the caller's case object reads its events afresh next time."""
    packset = packs()
    read_event_rows([case])
    try:
        facts = parse_facts(casefile_for(case, identity=False), packset)
        setattr(case, _FACTS, facts)
        evaluated = evaluate(facts, today, packset)
        report = evaluated.to_dict()
        recheck_at = _add_provided_conflicts(case, report, now)
    finally:
        forget_event_rows(case)
        if hasattr(case, _FACTS):
            delattr(case, _FACTS)
    return facts, evaluated, report, recheck_at


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
    facts, evaluated, report, recheck_at = _evaluate_one(case, today, now)
    result = Recomputed(case=case, report=report, now=now, quiet=quiet, facts=facts, evaluated=evaluated)
    log = _Log(result=result, cause=cause, cause_event=cause_event, actor=actor, now=now)
    # Compared and written as a batch's are (a few statements, not one per row), in the order a case's
    # rows are read (their model's), which is the order removed rows are logged in.
    writes = _Writes.of({case.pk: case}, ordered=True)
    result.deadlines = writes.kept_deadlines(case)  # for the alerts: not read back
    _store_deadlines(case, report, log, writes=writes)
    _store_conflicts(case, report, log, now, writes=writes)
    writes.flush()
    values = {
        "report": report,
        "today": today,
        "computed_at": now,
        "packs_version": packs_version(),
        "recheck_at": recheck_at,
        "next_check_at": next_check(case, today, recheck_at),
    }
    # One UPDATE where the case has its check (every case but a new one), rather than reading the row
    # (and its report) to save it whole; the other columns (a claim) are left as they are, as before.
    if not CaseCheck.objects.filter(case=case).update(**values):
        CaseCheck.objects.update_or_create(case=case, defaults=values)
    DerivedChange.objects.bulk_create([c.row() for c in result.changes])
    hooks.CASE_RECOMPUTED.fire(result)
    return result


def recompute_new_cases(
    *,
    cases: Sequence[Case],
    facts: Sequence[Facts],
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
    `facts` are the cases' facts as `parse_facts(casefile_for(case, identity=False))` would read them
    back (the caller built them from the files it stored, with the instants it read: the engine's view,
    without a query, the events as model objects or their times written and read again); `events` are
    their events as the conflict providers read them, in `case.events.all()`'s order.
    """
    now = now or timezone.now()
    results: list[Recomputed] = []
    deadlines: list[NewRow] = []
    conflicts: list[NewRow] = []
    checks: list[CaseCheck] = []
    packset = packs()
    version = packs_version()
    for case, case_facts, case_events in zip(cases, facts, events, strict=True):
        today = case_today(case, now)
        evaluated = evaluate(case_facts, today, packset)
        report = evaluated.to_dict()
        case_line = timeline(case_facts, packset)
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
            facts=case_facts,
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
                case=case,
                report=report,
                today=today,
                computed_at=now,
                packs_version=version,
                recheck_at=recheck_at,
                next_check_at=next_check(case, today, recheck_at),
            )
        )
        results.append(result)
    _insert_new_rows(Deadline, deadlines)
    _insert_new_rows(Conflict, conflicts)
    insert_new(checks)
    insert_rows(DerivedChange, CHANGE_FIELDS, [c.values() for r in results for c in r.changes])
    hooks.CASES_IMPORTED.fire(results)
    return results


def _insert_new_rows(model: type[Deadline | Conflict], rows: list[NewRow]) -> None:
    """Insert a new case's deadlines or conflicts (values, `_NewRows`) as `insert_rows` does; give each its id."""
    if not rows:
        return
    names = tuple(rows[0].values)  # the same names for every row of the model (`_NewRows`)
    take = itemgetter(*names)
    ids = insert_rows(model, ("case", *names), [(row.case.pk, *take(row.values)) for row in rows])
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk


_FACTS = "_refuge_facts"  # a case's parsed facts while a batch evaluates it (see case_timeline)
BULK_SIZE = 500  # rows per statement of a batch's bulk writes


def batch_of_cases() -> QuerySet[Case]:
    """Cases as `evaluate_cases` reads them: client and organisation come with the cases; `evaluate_cases`
    reads the batch's events as rows and its proceedings' authorities as ids, at once
    (`read_event_rows`, `read_proceeding_authorities`: model instances cost several times more)."""
    return Case.objects.select_related("person", "organisation")


@dataclass
class Evaluated:
    """What the engine and the conflict providers say of one stored case at one instant (nothing stored)."""

    case: Case
    today: date
    facts: Facts
    evaluated: CheckReport
    report: dict[str, Any]
    recheck_at: datetime | None


def evaluate_cases(cases: Iterable[Case], *, now: datetime) -> list[Evaluated]:
    """Run the engine and the conflict providers on stored cases: reads only, outside any transaction.

    Each case is parsed once; the providers reuse its timeline. Load the cases with `batch_of_cases`
    so that reading them costs a few queries for the whole batch.
    """
    found = []
    packset = packs()
    cases = list(cases)
    read_event_rows(cases)
    read_proceeding_authorities(cases)
    hooks.CASES_EVALUATING.fire(cases)
    for case in cases:
        today = case_today(case, now)
        facts = parse_facts(casefile_for(case, identity=False), packset)
        setattr(case, _FACTS, facts)
        try:
            evaluated = evaluate(facts, today, packset)
            report = evaluated.to_dict()
            recheck_at = _add_provided_conflicts(case, report, now)
        finally:
            delattr(case, _FACTS)
        found.append(Evaluated(case, today, facts, evaluated, report, recheck_at))
    return found


def store_evaluated(
    evaluated: Sequence[Evaluated], *, cause: str, now: datetime, actor: User | None = None
) -> list[Recomputed]:
    """Store what `evaluate_cases` found, as `recompute_case` stores it case by case (call in a transaction).

    The same rows, history, checks, statistics and alerts, with a few statements for the whole batch:
    the stored deadlines and conflicts are read at once and compared in memory, the changes written
    in bulk, and `hooks.CASES_RECOMPUTED` fires once. Each case's check is released from any claim.
    """
    cases = {e.case.pk: e.case for e in evaluated}
    checks = {c.case_id: c for c in CaseCheck.objects.filter(case_id__in=list(cases))}
    same = {e.case.pk for e in evaluated if e.case.pk in checks and same_but_date(checks[e.case.pk].report, e.report)}
    writes = _Writes.of({pk: case for pk, case in cases.items() if pk not in same})
    rows_of_same = _reminder_rows({pk: cases[pk] for pk in same})
    version = packs_version()
    results: list[Recomputed] = []
    new_checks: list[CaseCheck] = []
    for e in evaluated:
        result = Recomputed(case=e.case, report=e.report, now=now, facts=e.facts, evaluated=e.evaluated)
        if e.case.pk in same:  # the rows derive from the report alone: they are as stored
            result.deadlines = rows_of_same[e.case.pk]
        else:
            log = _Log(result=result, cause=cause, cause_event="", actor=actor, now=now)
            result.deadlines = writes.kept_deadlines(e.case)
            _store_deadlines(e.case, e.report, log, writes=writes)
            _store_conflicts(e.case, e.report, log, now, writes=writes)
        values = {
            "report": e.report,
            "today": e.today,
            "computed_at": now,
            "packs_version": version,
            "recheck_at": e.recheck_at,
            "next_check_at": next_check(e.case, e.today, e.recheck_at),
            "claimed_by": "",
            "claimed_until": None,
        }
        stored = checks.get(e.case.pk)
        if stored is None:
            new_checks.append(CaseCheck(case=e.case, **values))
        else:
            for name, value in values.items():
                setattr(stored, name, value)
        results.append(result)
    writes.flush()
    redated = _redate_checks([checks[pk] for pk in same])
    update_rows(CaseCheck, [c for c in checks.values() if c.case_id not in redated], _CHECK_FIELDS)
    CaseCheck.objects.bulk_create(new_checks)
    DerivedChange.objects.bulk_create([c.row() for r in results for c in r.changes], batch_size=BULK_SIZE)
    hooks.CASES_RECOMPUTED.fire(results)
    return results


def same_but_date(stored: dict[str, Any], report: dict[str, Any]) -> bool:
    """Whether a new report says what the stored one says, but for the day it was made for.

    Every deadline and conflict row of a case is derived from its report alone (`_store_deadlines`,
    `_store_conflicts`), in the transaction that stores the report: when the two reports agree, so
    would the rows, and a batch need neither read them as models nor compare them. (A change to how
    rows derive from a report, like a rule pack's, takes `refuge recompute --all`, case by case.)"""
    return "today" in stored and {**stored, "today": report.get("today")} == report


def _reminder_rows(cases: dict[int, Case]) -> dict[int, list[Deadline | NewRow]]:
    """The deadline rows of cases whose report did not change, with what their reminders are kept in
    step from (`refuge.alerts.queue.sync_reminders`) and nothing else: one query, few columns, each
    row held as its values (`NewRow`, with its id), not as a model instance."""
    found: dict[int, list[Deadline | NewRow]] = {pk: [] for pk in cases}
    if cases:
        rows = Deadline.objects.filter(case_id__in=list(cases)).order_by()
        for pk, case_id, status, zone, reminders in rows.values_list("id", "case", "status", "timezone", "reminders"):
            row = NewRow(cases[case_id], {"status": status, "timezone": zone, "reminders": reminders})
            row.pk = pk
            found[case_id].append(row)
    return found


_CHECK_FIELDS = (
    "report",
    "today",
    "computed_at",
    "packs_version",
    "recheck_at",
    "next_check_at",
    "claimed_by",
    "claimed_until",
)


# A stored report's date set in place, by the database (one parameter: the date, ISO).
_REPORT_REDATED = {
    "sqlite": "json_set({report}, '$.today', %s)",
    "postgresql": "jsonb_set({report}, '{{today}}', to_jsonb(%s::text))",
}


def _redate_checks(rows: Sequence[CaseCheck]) -> set[int]:
    """Write checks whose report changed only in its date (`same_but_date`): the report's "today" is
    set in place by the database rather than the whole document encoded and written again, and the
    other fields as `update_rows` writes them. The case ids of the rows written (none where the
    database has no such function: then `update_rows` writes them whole)."""
    patch = _REPORT_REDATED.get(connection.vendor)
    if not rows or patch is None:
        return set()
    fields = [name for name in _CHECK_FIELDS if name != "report"]
    update_rows(CaseCheck, rows, fields, patched=("report", patch, lambda row: row.today.isoformat()))
    return {row.case_id for row in rows}


def update_rows(
    model: type[Model],
    rows: Sequence[Model],
    fields: Sequence[str],
    *,
    patched: tuple[str, str, Callable[[Any], Any]] | None = None,
) -> None:
    """Write these fields of each row, by primary key: one statement run for all of them (executemany).

    What `bulk_update` does, without the CASE WHEN expression it builds over every row and field,
    which costs more to build than the rows cost to write. `patched`: (field, SQL expression of the
    column — `{field}` in it — with one parameter, that parameter of a row) set first, in the database."""
    if not rows:
        return
    by_name = {f.name: f for f in model._meta.concrete_fields}
    columns = [by_name[name] for name in fields]
    quote = connection.ops.quote_name
    assignments = [f"{quote(column.column)} = %s" for column in columns]
    if patched is not None:
        column = quote(by_name[patched[0]].column)
        assignments.insert(0, f"{column} = {patched[1].format(**{patched[0]: column})}")
    # Table and column names come from the model, quoted; the values are parameters.
    sql = f"UPDATE {quote(model._meta.db_table)} SET {', '.join(assignments)} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
    params = [
        ([patched[2](row)] if patched is not None else [])
        + [column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def recompute_cases(
    *, cases: Iterable[Case], cause: str, now: datetime | None = None, actor: User | None = None
) -> list[Recomputed]:
    """`recompute_case` for many stored cases at once (in the caller's transaction): `evaluate_cases`
    then `store_evaluated`. The clock's re-check runs the two apart, the engine outside its transaction."""
    now = now or timezone.now()
    return store_evaluated(evaluate_cases(cases, now=now), cause=cause, now=now, actor=actor)


@dataclass
class _Log:
    """Records the derived changes of one recomputation, each with its cause."""

    result: Recomputed
    cause: str
    cause_event: str
    actor: User | None
    now: datetime

    def __call__(self, item: str, key: str, kind: str, change: str, before: Any, after: Any) -> None:  # noqa: PLR0917  # a local recorder
        case, cause_event, cause, actor, now = self.result.case, self.cause_event, self.cause, self.actor, self.now
        self.result.changes.append(Change(case, item, key, kind, change, before, after, cause_event, cause, actor, now))


class _Direct:
    """Where one stored case's recomputation writes: each row saved or deleted at once."""

    def deadlines(self, case: Case) -> dict[str, Deadline]:
        return {d.key: d for d in case.deadlines.all()}

    def conflicts(self, case: Case) -> dict[str, Conflict]:
        return {conflict_key(c.kind, c.events): c for c in case.conflicts.all()}

    def add(self, row: Deadline | Conflict) -> None:
        row.save(force_insert=True)

    def add_deadline(self, case: Case, key: str, values: dict[str, Any]) -> None:
        self.add(Deadline(case=case, organisation_id=case.organisation_id, key=key, **values))

    def add_conflict(self, case: Case, values: dict[str, Any]) -> None:
        self.add(Conflict(case=case, organisation_id=case.organisation_id, **values))

    def change(self, row: Deadline | Conflict, fields: list[str]) -> None:
        row.save(update_fields=fields)

    def remove(self, row: Deadline | Conflict) -> None:
        row.delete()


@dataclass
class _NewRows(_Direct):
    """Where a new case's rows go (`recompute_new_cases`): nothing stored to compare with, rows collected
    as values (`NewRow`: every field but the case, in one order per model), not as model instances."""

    rows: list[NewRow]

    def deadlines(self, case: Case) -> dict[str, Deadline]:
        return {}

    def conflicts(self, case: Case) -> dict[str, Conflict]:
        return {}

    def add_deadline(self, case: Case, key: str, values: dict[str, Any]) -> None:
        self.rows.append(NewRow(case, {"organisation": case.organisation_id, "key": key, **values}))

    def add_conflict(self, case: Case, values: dict[str, Any]) -> None:
        self.rows.append(NewRow(case, {"organisation": case.organisation_id, **values}))


def _store_deadlines(
    case: Case,
    report: dict[str, Any],
    log: _Log,
    new_rows: list[NewRow] | None = None,
    *,
    writes: _Direct | None = None,
) -> None:
    """Store the report's deadlines; for a new case (`new_rows` given) only collect its rows there; in
    a batch of stored cases (`writes` given) compare with the rows it holds and gather the writes there."""
    sink = writes or (_Direct() if new_rows is None else _NewRows(new_rows))
    old = sink.deadlines(case)
    seen: set[str] = set()
    for item in report.get("deadlines", []):
        values = _deadline_values(item)
        key = f"{values['kind']}|{values['rule']}|{values['trigger']}"
        if key in seen:  # two deadlines of one rule on one trigger: keep them apart by due date
            key = f"{key}|{values['due_at']}"
        seen.add(key)
        row = old.pop(key, None)
        if row is None:
            sink.add_deadline(case, key, values)
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
        sink.change(row, changed)
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
        sink.remove(row)


def _store_conflicts(
    case: Case,
    report: dict[str, Any],
    log: _Log,
    now: datetime,
    new_rows: list[NewRow] | None = None,
    *,
    writes: _Direct | None = None,
) -> None:
    # Rows stored before keys were order-free are found by their kind and events, and re-keyed quietly.
    sink = writes or (_Direct() if new_rows is None else _NewRows(new_rows))
    old_conflicts = sink.conflicts(case)
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
            sink.add_conflict(case, {**values, "raised_at": now})
            log("conflict", key, item["kind"], DerivedChange.Change.ADDED, None, {"severity": item["severity"]})
            continue
        changed = [n for n, v in values.items() if getattr(conflict_row, n) != v]
        if changed:
            for name in changed:
                setattr(conflict_row, name, values[name])
            sink.change(conflict_row, changed)
    for key, conflict_row in old_conflicts.items():
        log("conflict", key, conflict_row.kind, DerivedChange.Change.REMOVED, {"severity": conflict_row.severity}, None)
        sink.remove(conflict_row)


@dataclass
class _Writes(_Direct):
    """The stored rows of a batch of cases (per case, by key) and the writes their recomputation gathers,
    made with a few statements for the whole batch (`flush`): removals first, then changes, then additions,
    so that a key moving from one row to another never meets itself in the unique index."""

    stored_deadlines: dict[int, dict[str, Deadline]]
    stored_conflicts: dict[int, dict[str, Conflict]]
    new_deadlines: list[Deadline] = field(default_factory=list)
    changed_deadlines: list[Deadline] = field(default_factory=list)
    deadline_fields: set[str] = field(default_factory=set)
    gone_deadlines: list[int] = field(default_factory=list)
    new_conflicts: list[Conflict] = field(default_factory=list)
    changed_conflicts: list[Conflict] = field(default_factory=list)
    conflict_fields: set[str] = field(default_factory=set)
    gone_conflicts: list[int] = field(default_factory=list)
    kept: dict[int, list[Deadline | NewRow]] = field(default_factory=dict)

    @classmethod
    def of(cls, cases: dict[int, Case], *, ordered: bool = False) -> _Writes:
        """The stored deadlines and conflicts of these cases, read with one query each; `ordered`: in
        their model's order (as `case.deadlines.all()` reads them), else in the database's."""
        writes = cls(stored_deadlines={pk: {} for pk in cases}, stored_conflicts={pk: {} for pk in cases})
        deadlines = Deadline.objects.filter(case_id__in=list(cases))
        conflicts = Conflict.objects.filter(case_id__in=list(cases))
        if not ordered:
            deadlines, conflicts = deadlines.order_by(), conflicts.order_by()
        for deadline in deadlines:
            deadline.case = cases[deadline.case_id]
            writes.stored_deadlines[deadline.case_id][deadline.key] = deadline
        for conflict in conflicts:
            conflict.case = cases[conflict.case_id]
            writes.stored_conflicts[conflict.case_id][conflict_key(conflict.kind, conflict.events)] = conflict
        return writes

    def deadlines(self, case: Case) -> dict[str, Deadline]:
        return self.stored_deadlines.pop(case.pk, {})

    def kept_deadlines(self, case: Case) -> list[Deadline | NewRow]:
        """The case's deadline rows once the batch is written: a list that its writes keep up to date."""
        rows: list[Deadline | NewRow] = list(self.stored_deadlines.get(case.pk, {}).values())
        self.kept[case.pk] = rows
        return rows

    def conflicts(self, case: Case) -> dict[str, Conflict]:
        return self.stored_conflicts.pop(case.pk, {})

    def add(self, row: Deadline | Conflict) -> None:
        if isinstance(row, Deadline):
            self.new_deadlines.append(row)
            self.kept.setdefault(row.case_id, []).append(row)
        else:
            self.new_conflicts.append(row)

    def change(self, row: Deadline | Conflict, fields: list[str]) -> None:
        if isinstance(row, Deadline):
            self.changed_deadlines.append(row)
            self.deadline_fields.update(fields)
        else:
            self.changed_conflicts.append(row)
            self.conflict_fields.update(fields)

    def remove(self, row: Deadline | Conflict) -> None:
        if isinstance(row, Deadline):
            self.gone_deadlines.append(row.pk)
            kept = self.kept.get(row.case_id)
            if kept is not None:
                kept.remove(row)
        else:
            self.gone_conflicts.append(row.pk)

    def flush(self) -> None:
        if self.gone_deadlines:
            Deadline.objects.filter(pk__in=self.gone_deadlines).delete()  # their reminders go with them
        if self.gone_conflicts:
            Conflict.objects.filter(pk__in=self.gone_conflicts).delete()
        update_rows(Deadline, self.changed_deadlines, sorted(self.deadline_fields))
        update_rows(Conflict, self.changed_conflicts, sorted(self.conflict_fields))
        Deadline.objects.bulk_create(self.new_deadlines, batch_size=BULK_SIZE)
        Conflict.objects.bulk_create(self.new_conflicts, batch_size=BULK_SIZE)
