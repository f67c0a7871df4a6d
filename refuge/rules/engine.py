"""The engine: a case's facts, the packs and ``today`` give a ``refuge.check/1`` report.

Pure and deterministic: no clock, no I/O (the shipped packs are read once per process when no
PackSet is given), no Django. Deadlines come from the packs' rules (data); the few things that
are procedure rather than arithmetic — finality, Registry processing, forum availability and
the conflicts — are code, parameterised by the packs.

An evaluation is a pipeline (:func:`_pipeline`); each step is a function of the earlier steps'
results, which are frozen, so a reader sees what every step takes and gives:

1. :func:`read_inputs` — the host state's rules and the case's timeline (:class:`Inputs`);
2. :func:`registry_processing` — when the ECtHR Registry deals with each request (:class:`Processing`);
3. :meth:`Counting.event_deadlines <refuge.rules.deadlines.Counting.event_deadlines>` — the
   deadlines events trigger, each counted and judged met, cancelled, missed or open;
4. :func:`decision_finality` — when each decision becomes final (from the appeal deadlines);
5. :meth:`~refuge.rules.deadlines.Counting.milestone_deadlines` and :func:`collect_deadlines` —
   the deadlines finality triggers, then all of them in order (:class:`Deadlines`);
6. :func:`~refuge.rules.conflicts.find_conflicts` over :func:`conflict_view`;
7. :func:`build_report` — the :class:`~refuge.rules.report.CheckReport`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from refuge.casefile.vocab import CHECK_FORMAT
from refuge.rules.conflicts import ConflictInput, find_conflicts
from refuge.rules.deadlines import LATE_NOTICE, Counting, Deadline, Finality, registry_instant, zone_of
from refuge.rules.facts import Event, Facts, parse_facts
from refuge.rules.model import MilestoneRule, Selection
from refuge.rules.packs import PackSet, default_packs
from refuge.rules.report import (
    CheckReport,
    ConflictReport,
    DeadlineReport,
    ForumReport,
    MilestoneReport,
    ProtectedBy,
    RemovalReport,
)
from refuge.rules.timeline import Timeline, Window
from refuge.rules.timeutil import ONE_DAY, start_of_day

INF = math.inf
_SortKey = tuple[float, str, int]  # a milestone's instant, kind and event's place in the file
__all__ = ["LATE_NOTICE", "Deadline", "Finality", "check", "evaluate", "facts_for"]


# ---------------------------------------------------------------------------------------------
# What the steps pass on


@dataclass(frozen=True, slots=True)
class Inputs:
    """Step 1: what every later step reads — the facts, the day, the host state's rules, the timeline."""

    facts: Facts
    today: date
    packs: PackSet
    sel: Selection
    timeline: Timeline


@dataclass(frozen=True, slots=True)
class Processing:
    """Step 2: when the ECtHR Registry deals with each interim-measure request, and those milestones."""

    instants: Mapping[str, datetime]  # request id -> the Registry's processing instant
    milestones: tuple[tuple[_SortKey, MilestoneReport], ...]


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Step 5: every deadline (triggered by events, then by milestones), and per kind."""

    items: tuple[Deadline, ...]  # by due instant, kind and trigger
    by_kind: Mapping[str, tuple[Deadline, ...]]  # in the order they were found


# ---------------------------------------------------------------------------------------------
# Public entry point


def check(
    case: Mapping[str, Any] | Facts,
    today: date | str,
    packs: PackSet | None = None,
) -> dict[str, Any]:
    """Evaluate a validated ``refuge.case/1`` dict (or parsed facts) on ``today``."""
    return evaluate(case, today, packs).to_dict()


def evaluate(
    case: Mapping[str, Any] | Facts,
    today: date | str,
    packs: PackSet | None = None,
) -> CheckReport:
    """Like :func:`check`, as typed objects (``evaluate(...).to_dict() == check(...)``)."""
    packset = packs if packs is not None else default_packs()
    facts = case if isinstance(case, Facts) else facts_for(case, packset)
    return _pipeline(facts, _day(today), packset)


def _day(today: date | str) -> date:
    if isinstance(today, str):
        return date.fromisoformat(today)
    if isinstance(today, datetime):  # a date-time's own date: the caller chose its zone
        return today.date()
    return today


def facts_for(case: Mapping[str, Any], packs: PackSet | None = None) -> Facts:
    """Parse a validated case dict with the host pack's default zone (for repeated checks)."""
    packset = packs if packs is not None else default_packs()
    return parse_facts(case, packset.default_timezone(case["host_state"]))


# ---------------------------------------------------------------------------------------------
# The pipeline: each step takes what the earlier ones gave and returns its own result


def _pipeline(facts: Facts, today: date, packs: PackSet) -> CheckReport:
    inputs = read_inputs(facts, today, packs)
    processing = registryregistry_instant(inputs)
    counting = Counting.of(facts, today, inputs.sel, inputs.timeline, processing.instants)
    triggered = counting.event_deadlines()
    finality = decision_finality(inputs, triggered)
    deadlines = collect_deadlines(triggered, counting.milestone_deadlines(finality))
    conflicts = find_conflicts(conflict_view(inputs, processing, finality, deadlines))
    return build_report(inputs, processing, finality, deadlines, conflicts)


def read_inputs(facts: Facts, today: date, packs: PackSet) -> Inputs:
    """Step 1: the host state's rules and the case's timeline (read once per parsed case)."""
    return Inputs(facts, today, packs, packs.select(facts.host_state), Timeline.of(facts, packs))


def registryregistry_instant(inputs: Inputs) -> Processing:
    """Step 2: the r39_processing milestones, and the instant each request is dealt with."""
    instants: dict[str, datetime] = {}
    found: list[tuple[_SortKey, MilestoneReport]] = []
    facts, sel, today = inputs.facts, inputs.sel, inputs.today
    for ms in sel.milestones:
        if ms.kind != "r39_processing" or ms.calendar is None:
            continue
        cal = sel.calendars[ms.calendar]
        zone_name = zone_of(facts, cal)[1]
        for e in facts.of("interim_measure_requested"):
            if e.attrs.get("forum") != ms.forum:
                continue
            at, approx = registry_instant(facts, sel, e)
            instants[e.id] = at
            flags = (cal.spec.approximation_flag,) if approx and cal.spec.approximation_flag else ()
            item = MilestoneReport(
                kind="r39_processing",
                event=e.id,
                date=at.date(),
                status="expected" if at.date() > today else "reached",
                rule=ms.id,
                basis=ms.basis,
                verified=ms.verified,
                at=at,
                timezone=zone_name,
                flags=flags,
            )
            found.append(((at.timestamp(), "r39_processing", e.index), item))
    return Processing(instants, tuple(found))


def decision_finality(inputs: Inputs, triggered: tuple[Deadline, ...]) -> tuple[Finality, ...]:
    """Step 4: when each decision a pack describes becomes final (from the event-triggered deadlines)."""
    found: list[Finality] = []
    for ms in inputs.sel.milestones:
        if ms.kind != "decision_final":
            continue
        appeals = {d.trigger.attrs.get("decision_event"): d for d in triggered if d.rule.id == ms.appeal_rule}
        for decision in inputs.facts.of("decision_issued"):
            if decision.attrs.get("decision") not in ms.decisions:
                continue
            found.append(_finality(inputs, ms, decision, appeals.get(decision.id)))
    return tuple(found)


def _finality(inputs: Inputs, ms: MilestoneRule, decision: Event, appeal: Deadline | None) -> Finality:
    facts, today = inputs.facts, inputs.today
    decided = [e for e in facts.of("appeal_decided") if e.attrs.get("decision_event") == decision.id]
    lodged = [e for e in facts.of("appeal_lodged") if e.attrs.get("decision_event") == decision.id]
    if decided:
        last = decided[-1]
        if last.attrs.get("outcome") != "upheld":
            return Finality(ms, decision, None, None, None)  # quashed or remitted: never final
        day = last.day
        return Finality(ms, decision, day, "final" if day <= today else "expected", last.ts)
    if lodged:
        return Finality(ms, decision, None, "pending_appeal", None)
    if appeal is None:  # the copy was not received: the appeal period has not begun
        return Finality(ms, decision, None, "expected", None)
    day = appeal.due_date + ONE_DAY
    status = "final" if day <= today else "expected"
    return Finality(ms, decision, day, status, start_of_day(day, facts.zone).timestamp())


def collect_deadlines(triggered: tuple[Deadline, ...], after_milestones: tuple[Deadline, ...]) -> Deadlines:
    """Step 5: all deadlines in report order, and per kind in the order they were found."""
    found = triggered + after_milestones
    by_kind: dict[str, list[Deadline]] = {}
    for d in found:
        by_kind.setdefault(d.rule.kind, []).append(d)
    ordered = sorted(found, key=lambda d: (d.due_ts, d.rule.kind, d.trigger.index))
    return Deadlines(tuple(ordered), {kind: tuple(items) for kind, items in by_kind.items()})


def conflict_view(
    inputs: Inputs, processing: Processing, finality: tuple[Finality, ...], deadlines: Deadlines
) -> ConflictInput:
    """Step 6's input: what the conflict detectors read."""
    timeline = inputs.timeline
    conflicts = inputs.sel.conflicts
    windows: tuple[Window, ...] = ()
    if "removal_during_asylum" in conflicts or "consular_contact_while_protected" in conflicts:
        appeal_ends = {d.trigger.id: d.due_ts for d in deadlines.by_kind.get("asylum_appeal", ())}
        renewals = {d.trigger.id: d.due_date for d in deadlines.by_kind.get("temporary_asylum_renewal", ())}
        windows = tuple(timeline.asylum_windows(appeal_ends, renewals))
    return ConflictInput(
        facts=inputs.facts,
        today=inputs.today,
        timeline=timeline,
        live_removals=tuple(r for r in timeline.removals if r.happens),
        finality=finality,
        by_kind=deadlines.by_kind,
        processing=processing.instants,
        asylum_windows=windows,
        rules=conflicts,
    )


def build_report(
    inputs: Inputs,
    processing: Processing,
    finality: tuple[Finality, ...],
    deadlines: Deadlines,
    conflicts: list[ConflictReport],
) -> CheckReport:
    """Step 7: the ``refuge.check/1`` report."""
    facts = inputs.facts
    milestones = list(processing.milestones)
    for fin in finality:
        if fin.status is None:
            continue
        item = MilestoneReport(
            kind="decision_final",
            event=fin.decision.id,
            date=fin.date,
            status=fin.status,
            rule=fin.rule.id,
            basis=fin.rule.basis,
            verified=fin.rule.verified,
        )
        ts = start_of_day(fin.date, facts.zone).timestamp() if fin.date else INF
        milestones.append(((ts, "decision_final", fin.decision.index), item))
    milestones.sort(key=lambda pair: pair[0])
    return CheckReport(
        format=CHECK_FORMAT,
        reference=facts.reference,
        today=inputs.today,
        host_state=facts.host_state,
        timezone=facts.zone_name,
        packs=tuple((p.name, p.version) for p in inputs.packs.packs),
        forums=_forums(inputs),
        deadlines=tuple(_deadline_report(d) for d in deadlines.items),
        milestones=tuple(item for _, item in milestones),
        conflicts=tuple(conflicts),
        removals=_removal_reports(inputs, deadlines),
    )


def _forums(inputs: Inputs) -> tuple[ForumReport, ...]:
    timeline = inputs.timeline
    act = timeline.latest_act()
    act_date = timeline.act_date(act) if act is not None else inputs.today
    found = []
    for forum, av in sorted(inputs.packs.availability.items()):
        status = timeline.forum_status(forum, act_date)
        found.append(
            ForumReport(
                forum=forum,
                available=status.available,
                basis=status.basis,
                suggest=status.suggest,
                rule=av.id,
                act=act.id if act is not None else None,
                act_date=act_date,
            )
        )
    return tuple(found)


def _removal_reports(inputs: Inputs, deadlines: Deadlines) -> tuple[RemovalReport, ...]:
    """Each removal: its status, the measure protecting it, the deadlines to file for now."""
    open_kinds: dict[str, list[str]] = {}
    for d in deadlines.items:  # sorted by due instant
        if d.status == "open" and d.trigger.type == "removal_scheduled":
            kinds = open_kinds.setdefault(d.trigger.id, [])
            if d.rule.kind not in kinds:
                kinds.append(d.rule.kind)
    timeline = inputs.timeline
    zone = inputs.facts.zone  # instants shown in the case's zone, whatever offset they were written with
    found = []
    for removal in timeline.removals:
        measure = timeline.protection(removal)
        protected_by = None
        if measure is not None:
            until = measure.until.astimezone(zone) if measure.until is not None else None
            protected_by = ProtectedBy(
                measure.id, measure.forum, measure.event.at.astimezone(zone), measure.destination, until
            )
        found.append(
            RemovalReport(
                event=removal.id,
                removal_at=removal.instant.astimezone(zone),
                destination=removal.destination,
                status=removal.status,
                protected_by=protected_by,
                file_now=tuple(open_kinds.get(removal.id, ())) if removal.pending else (),
            )
        )
    return tuple(found)


def _deadline_report(d: Deadline) -> DeadlineReport:
    dates = d.dates
    rule = d.rule
    return DeadlineReport(
        kind=rule.kind,
        rule=rule.id,
        version=rule.version,
        trigger=d.trigger.id,
        due_date=dates.due,
        due_at=dates.due_at,
        timezone=dates.zone_name,
        status=d.status,
        met_by=d.met_by,
        severity=rule.severity,
        basis=rule.basis,
        verified=rule.verified,
        nature=rule.nature,
        alternatives=dates.alternatives,
        safe_due_date=dates.safe_due,
        calendar=dates.calendar,
        reminders=dates.reminders,
        flags=(*dates.flags, *d.flags),
        notify=rule.notify,
        static=dates.template,
    )
