"""The engine: a case's facts, the packs and ``today`` give a ``refuge.check/1`` report.

Pure and deterministic: no clock, no I/O (the shipped packs are read once per process when no
PackSet is given), no Django. Deadlines come from the packs' rules (data); the few things that
are procedure rather than arithmetic — finality, Registry processing, forum availability and
the conflicts — are code, parameterised by the packs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from refuge.casefile.vocab import CHECK_FORMAT
from refuge.rules.calendars import WorkCalendar
from refuge.rules.conflicts import find_conflicts
from refuge.rules.facts import Event, Facts, parse_facts
from refuge.rules.model import Computation, Matcher, MilestoneRule, Rule, RuleGroup, Selection
from refuge.rules.packs import PackSet, default_packs
from refuge.rules.report import (
    AlternativeReport,
    CheckReport,
    DeadlineReport,
    ForumReport,
    MilestoneReport,
    ProtectedBy,
    RemovalReport,
)
from refuge.rules.timeline import ForumStatus, Measure, Removal, Timeline
from refuge.rules.timeutil import ONE_DAY, add_months, end_of_day, iso, start_of_day

INF = math.inf
LATE_NOTICE = "LATE_NOTICE"  # the removal was learnt of after its cut-off or target had passed
_MEMO_LIMIT = 200_000  # deadline dates kept per host state; cleared when full


# ---------------------------------------------------------------------------------------------
# Intermediate results


@dataclass(frozen=True, slots=True)
class _Dates:
    """The part of a deadline that depends only on its anchor (shared between evaluations)."""

    rule: Rule
    due: date
    due_at: datetime
    due_ts: float
    zone_name: str
    alternatives: tuple[AlternativeReport, ...]
    flags: tuple[str, ...]
    reminders: tuple[str, ...]
    safe_due: date
    # the report's item without the evaluation's own fields, serialised once (copied per report)
    template: dict[str, Any]


@dataclass(slots=True)
class Deadline:
    rule: Rule
    trigger: Event
    dates: _Dates
    status: str = "open"
    met_by: str | None = None
    flags: tuple[str, ...] = ()  # the evaluation's own flags (LATE_NOTICE), after the rule's

    @property
    def due_date(self) -> date:
        return self.dates.due

    @property
    def due_at(self) -> datetime:
        return self.dates.due_at

    @property
    def due_ts(self) -> float:
        return self.dates.due_ts


@dataclass(slots=True)
class Finality:
    rule: MilestoneRule
    decision: Event
    date: date | None
    status: str | None  # expected | pending_appeal | final; None: quashed or remitted
    final_ts: float | None  # the instant the decision became (or becomes) final


# ---------------------------------------------------------------------------------------------
# Public entry point


def check(
    case: Mapping[str, Any] | Facts,
    today: date | str,
    packs: PackSet | None = None,
) -> dict[str, Any]:
    """Evaluate a validated ``refuge.case/1`` dict (or parsed facts) on ``today``."""
    packset = packs if packs is not None else default_packs()
    facts = case if isinstance(case, Facts) else facts_for(case, packset)
    return Evaluation(facts, _day(today), packset).report()


def evaluate(
    case: Mapping[str, Any] | Facts,
    today: date | str,
    packs: PackSet | None = None,
) -> CheckReport:
    """Like :func:`check`, as typed objects (``evaluate(...).to_dict() == check(...)``)."""
    packset = packs if packs is not None else default_packs()
    facts = case if isinstance(case, Facts) else facts_for(case, packset)
    return Evaluation(facts, _day(today), packset).typed_report()


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


class Evaluation:
    """One evaluation of one case on one day: the intermediate results the detectors share."""

    def __init__(self, facts: Facts, today: date, packs: PackSet) -> None:
        self.facts = facts
        self.today = today
        self.packs = packs
        self.sel: Selection = packs.select(facts.host_state)
        self.zone = facts.zone
        self.deadlines: list[Deadline] = []
        self.by_kind: dict[str, list[Deadline]] = {}
        self.finality: list[Finality] = []
        self.processing: dict[str, datetime] = {}  # ECtHR request id -> Registry processing instant
        self.cache: dict[str, Any] = {}  # per-evaluation results shared by detectors
        self.timeline = Timeline.of(facts, packs)
        self.removals: tuple[Removal, ...] = self.timeline.removals
        self.measures: tuple[Measure, ...] = self.timeline.measures
        self.removal_by_id: dict[str, Removal] = {r.id: r for r in self.removals}
        self.live_removals = [r for r in self.removals if r.happens]

    def zone_of(self, calendar: WorkCalendar) -> tuple[tzinfo, str]:
        name = calendar.spec.timezone
        if name is None:
            return self.zone, self.facts.zone_name
        return _zone(name), name

    def forum_status(self, forum: str, act_date: date) -> ForumStatus:
        return self.timeline.forum_status(forum, act_date)

    def latest_act(self) -> Event | None:
        return self.timeline.latest_act()

    def act_date(self, event: Event) -> date:
        return self.timeline.act_date(event)

    # -- deadline arithmetic ---------------------------------------------------------------

    def compute(
        self, comp: Computation, anchor_date: date, anchor_instant: datetime | None
    ) -> tuple[date, datetime, bool]:
        """Due date, due instant and whether an approximate closing day was involved."""
        cal = self.sel.calendars[comp.calendar]
        zone = self.zone if comp.zone == "case" else self.zone_of(cal)[0]
        unit, count = comp.unit, comp.count
        if unit == "hours":
            assert anchor_instant is not None  # noqa: S101 - packs are checked: hours count from an event
            sign = -1 if comp.direction == "before" else 1
            # in UTC: aware arithmetic in a zone with summer time would add wall-clock hours
            due_at = (anchor_instant.astimezone(UTC) + timedelta(hours=sign * count)).astimezone(zone)
            return due_at.date(), due_at, False
        before = comp.direction == "before"
        raw = _count(cal, comp, anchor_date)
        due = cal.roll_forward(raw) if comp.roll == "next_working_day" else raw
        approx = False
        if cal.spec.extra_closed:  # did an approximate closing day change the result?
            if unit == "working_days" and count > 0:
                approx = cal.approximation_between(raw, anchor_date - ONE_DAY if before else anchor_date + ONE_DAY)
            if due != raw:
                approx = approx or cal.approximation_between(raw, due)
        if comp.time_of_day == "anchor_clock" and anchor_instant is not None:
            clock = anchor_instant.astimezone(zone).time().replace(microsecond=0, tzinfo=None)
            if comp.clamp is not None:
                low, high = comp.clamp
                clock = max(low, min(high, clock))
            due_at = datetime.combine(due, clock, tzinfo=zone)
        else:
            due_at = end_of_day(due, zone)
        return due, due_at, approx

    # -- triggers ---------------------------------------------------------------------------

    def _trigger_matches(self, rule: Rule, event: Event) -> bool:  # noqa: PLR0911 - early exits on the hot path
        trig = rule.trigger
        attrs = event.attrs
        for name, allowed in trig.where:  # plain loops: this runs for every event and rule
            if attrs.get(name) not in allowed:
                return False
        for name in trig.has:
            if attrs.get(name) is None:
                return False
        if trig.stateless is not None and self.facts.stateless != trig.stateless:
            return False
        if trig.ref is not None:
            ref = self.facts.by_id.get(attrs.get(trig.ref))  # type: ignore[arg-type] # a missing ref is None
            if ref is None:
                return False
            for name, allowed in trig.ref_where:
                if ref.attrs.get(name) not in allowed:
                    return False
        if trig.forum is not None:
            act = self.act_date(event) if trig.forum.act == "removal" else event.day
            return self.forum_status(trig.forum.forum, act).available == trig.forum.available
        return True

    def _anchor(self, rule: Rule, event: Event, milestone_date: date | None) -> tuple[date, datetime | None]:
        anchor = rule.anchor
        if anchor.source == "milestone":
            assert milestone_date is not None  # noqa: S101 - only called with a milestone date
            return milestone_date, None
        if anchor.zone == "case":
            zone = self.zone
            if anchor.source == "event":
                return event.day, event.at
        else:
            zone = self.zone_of(self.sel.calendars[rule.computation.calendar])[0]
        if anchor.source == "attribute":
            value = event.attrs.get(anchor.attribute or "")
            if isinstance(value, datetime):
                return value.astimezone(zone).date(), value
            if isinstance(value, date):
                return value, None
            months = anchor.fallback_months or 0
            day = event.day if anchor.zone == "case" else event.at.astimezone(zone).date()
            return add_months(day, months), None
        return event.at.astimezone(zone).date(), event.at

    # -- matching events that meet or cancel a deadline -------------------------------------

    def _effective_ts(self, matcher: Matcher, event: Event) -> float:
        if matcher.when == "processing":
            found = self.processing.get(event.id)
            if found is None:
                found = self._processing(event)[0]
            return found.timestamp()
        return event.ts

    def _find(
        self, matchers: tuple[Matcher, ...], trigger: Event, due_ts: float, *, cancel: bool, due: date | None = None
    ) -> Event | None:
        best: Event | None = None
        best_ts = INF
        by_type = self.facts.by_type
        for matcher in matchers:
            need_after = matcher.after_trigger or (cancel and not matcher.link)
            bounded = not cancel or matcher.until == "due"
            links = (
                [(k, trigger.id if ref == "id" else trigger.attrs.get(ref)) for k, ref in matcher.link]
                if matcher.link
                else []
            )
            filtered = bool(matcher.where or links)
            processing = matcher.when == "processing"
            own_date = matcher.compare == "own_date"
            for name in matcher.events:
                for e in by_type.get(name, ()):
                    if e is trigger or (need_after and e.ts < trigger.ts):
                        continue
                    if filtered and not _attrs_match(e.attrs, matcher.where, links):
                        continue
                    ts = self._effective_ts(matcher, e) if processing else e.ts
                    if bounded:
                        if own_date and due is not None:
                            if e.at.date() > due:  # the local date in the event's own offset
                                continue
                        elif ts > due_ts:
                            continue
                    if ts < best_ts or (ts == best_ts and best is not None and e.index < best.index):
                        best, best_ts = e, ts
        return best

    # -- rules -------------------------------------------------------------------------------

    def evaluate_rules(self, *, milestones: bool) -> None:
        for group in self.sel.groups:
            if (group.milestone is not None) != milestones:
                continue
            if milestones:
                for fin in self.finality:
                    if fin.rule.id == group.milestone and fin.date is not None:
                        self._deadline(group, group.versions, fin.decision, fin.date)
                continue
            events = self.facts.of(*group.event_types)
            if not events:
                continue
            seen_refs: set[Any] = set()
            for event in events:
                candidates = self._candidates(group.versions, event)
                if not candidates:
                    continue
                first = candidates[0].trigger
                if first.first_per_ref and first.ref is not None:
                    ref = event.attrs.get(first.ref)
                    if ref in seen_refs:
                        continue
                    seen_refs.add(ref)
                self._deadline(group, candidates, event, None)

    def _candidates(self, versions: tuple[Rule, ...], event: Event) -> tuple[Rule, ...]:
        """The versions of a rule that this event triggers (the group's own tuple when all do)."""
        if len(versions) == 1:
            return versions if self._trigger_matches(versions[0], event) else ()
        found = tuple(r for r in versions if event.type in r.trigger.events and self._trigger_matches(r, event))
        return versions if len(found) == len(versions) else found

    def _dates(self, candidates: tuple[Rule, ...], event: Event, milestone_date: date | None) -> _Dates:
        """Everything about a deadline that depends only on its anchor: version, dates, alternatives."""
        computed: dict[int, tuple[date, datetime, bool, date]] = {}

        def result(rule: Rule) -> tuple[date, datetime, bool, date]:
            found = computed.get(id(rule))
            if found is None:
                anchor_date, anchor_instant = self._anchor(rule, event, milestone_date)
                due, due_at, approx = self.compute(rule.computation, anchor_date, anchor_instant)
                found = (due, due_at, approx, anchor_date)
                computed[id(rule)] = found
            return found

        rule = candidates[-1] if len(candidates) == 1 else self._select(candidates, result)
        due, due_at, approx, anchor_date = result(rule)
        cal = self.sel.calendars[rule.computation.calendar]
        zone, zone_name = (self.zone, self.facts.zone_name) if rule.computation.zone == "case" else self.zone_of(cal)
        alternatives: list[AlternativeReport] = []
        earliest = due
        if rule.transition_code and rule.valid_from is not None:
            start = anchor_date + ONE_DAY if rule.computation.start == "next_day" else anchor_date
            earlier = [r for r in candidates if r.valid_from is None or r.valid_from < rule.valid_from]
            if start < rule.valid_from and earlier:
                old = earlier[-1]
                o_due, o_at, o_approx, _ = result(old)
                approx = approx or o_approx
                earliest = min(earliest, o_due)
                alternatives.append(
                    AlternativeReport(
                        code=rule.transition_code,
                        due_date=o_due,
                        due_at=o_at,
                        basis=rule.transition_basis,
                        rule=old.id,
                        version=old.version,
                    )
                )
        if rule.alternatives:
            anchor_date2, anchor_instant2 = self._anchor(rule, event, milestone_date)
            for alt in rule.alternatives:
                a_due, a_at, a_approx = self.compute(alt.computation, anchor_date2, anchor_instant2)
                approx = approx or a_approx
                earliest = min(earliest, a_due)
                alternatives.append(AlternativeReport(alt.code, a_due, a_at, alt.basis, alt.flags))
        flags = rule.flags
        if approx and cal.spec.approximation_flag:
            flags = (*flags, cal.spec.approximation_flag)
        reminders = [(due + timedelta(days=d)).isoformat() for d in rule.reminder_days]
        reminders += [iso((due_at.astimezone(UTC) + timedelta(hours=h)).astimezone(zone)) for h in rule.reminder_hours]
        reminders.sort()
        return _Dates(
            rule=rule,
            due=due,
            due_at=due_at,
            due_ts=due_at.timestamp(),
            zone_name=zone_name,
            alternatives=tuple(alternatives),
            flags=flags,
            reminders=tuple(reminders),
            safe_due=(safe := self.sel.host_calendar.roll_back(earliest)),
            template=DeadlineReport.template(
                rule,
                due_date=due,
                due_at=due_at,
                timezone=zone_name,
                alternatives=tuple(alternatives),
                safe_due_date=safe,
                reminders=tuple(reminders),
            ),
        )

    def _deadline(
        self, group: RuleGroup, candidates: tuple[Rule, ...], event: Event, milestone_date: date | None
    ) -> None:
        dates: _Dates | None = None
        key: tuple[Any, ...] | None = None
        if group.memoizable:
            anchor_date, anchor_instant = self._anchor(candidates[0], event, milestone_date)
            # the dates depend on the anchor's day, or on its instant when hours or clocks count
            anchor: Any = anchor_instant if group.instant_matters and anchor_instant is not None else anchor_date
            key = (
                group.index,
                len(candidates) if candidates is group.versions else tuple(r.version for r in candidates),
                self.facts.zone_name,
                self.facts.host_state,
                anchor,
            )
            dates = self.sel.memo.get(key)
        if dates is None:
            dates = self._dates(candidates, event, milestone_date)
            if key is not None:
                memo = self.sel.memo
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[key] = dates
        rule = dates.rule
        forums = self._protection_forums(rule)
        removal = self.removal_by_id.get(event.id) if forums else None
        flags: tuple[str, ...] = ()
        if removal is not None and forums:
            status, met_by, flags = self._protection_status(removal, dates, forums)
        else:
            status, met_by = "open", None
            met = self._find(rule.met_by, event, dates.due_ts, cancel=False, due=dates.due) if rule.met_by else None
            if met is not None:
                status, met_by = "met", met.id
            elif rule.cancelled_by and self._find(rule.cancelled_by, event, dates.due_ts, cancel=True) is not None:
                status = "cancelled"
            elif self.today > dates.due and self.today >= event.day:  # never missed before it was known
                status = "missed"
        deadline = Deadline(rule, event, dates, status, met_by, flags)
        self.deadlines.append(deadline)
        self.by_kind.setdefault(rule.kind, []).append(deadline)

    def _protection_forums(self, rule: Rule) -> tuple[str, ...]:
        """The forums whose interim-measure requests a removal's deadline waits for (else empty).

        A rule triggered by a scheduled removal and met by interim-measure requests (the Rule 39
        cut-off, the UN target) is judged on the timeline (LAW.md, "When a removal is protected").
        """
        key = ("protection_forums", id(rule))
        found = self.sel.memo.get(key)  # the rule lives as long as the selection: keyed by identity
        if found is None:
            forums: set[str] = set()
            if "removal_scheduled" in rule.trigger.events:
                for matcher in rule.met_by:
                    if "interim_measure_requested" in matcher.events:
                        for name, allowed in matcher.where:
                            if name == "forum":
                                forums.update(str(f) for f in allowed)
            found = self.sel.memo[key] = tuple(sorted(forums))
        return found  # type: ignore[no-any-return]  # the memo holds what was stored above

    def _protection_status(
        self, removal: Removal, dates: _Dates, forums: tuple[str, ...]
    ) -> tuple[str, str | None, tuple[str, ...]]:
        """Status, met_by and flags of a removal's cut-off or target.

        Cancelled (or rescheduled) removals: ``cancelled``, whatever was sent. Learnt of after the
        due instant: ``LATE_NOTICE``, open until the removal's day, met by a request before it.
        """
        if not removal.happens:
            return "cancelled", None, ()
        late = removal.known_ts > dates.due_ts
        flags = (LATE_NOTICE,) if late else ()
        found = self.timeline.meeting(removal, forums=forums, due_ts=dates.due_ts, late=late)
        if found is not None:
            if isinstance(found, Measure):
                flags = (*flags, *self.measure_flags(found, removal))
            return "met", found.id, flags
        if removal.status == "executed" and removal.ended_by is not None and self.today >= removal.ended_by.day:
            return "missed", None, flags  # carried out: nothing can be filed against it any more
        missed = self.today > removal.act_date if late else self.today > dates.due
        return ("missed" if missed else "open"), None, flags

    def measure_flags(self, measure: Measure, removal: Removal) -> tuple[str, ...]:
        """The uncertainty a measure carries against this removal (granted before its forum stopped covering it)."""
        granted = self.forum_status(measure.forum, measure.event.day)
        if not (granted.available and granted.flag_after_end):
            return ()
        if not self.forum_status(measure.forum, removal.act_date).available:
            return (granted.flag_after_end,)
        return ()

    @staticmethod
    def _select(candidates: tuple[Rule, ...], result: Callable[[Rule], tuple[date, datetime, bool, date]]) -> Rule:
        """The version in force on its own period's end (period_end) or on the anchor date."""
        first = candidates[0]
        if first.select == "period_end":
            chosen = None
            for rule in candidates:  # oldest first: the last that fits wins
                if rule.in_force(result(rule)[0]):
                    chosen = rule
            if chosen is not None:
                return chosen
        anchor_date = result(first)[3]
        for rule in candidates:
            if rule.in_force(anchor_date):
                return rule
        return candidates[-1]

    # -- milestones ---------------------------------------------------------------------------

    def evaluate_finality(self) -> None:
        for ms in self.sel.milestones:
            if ms.kind != "decision_final":
                continue
            appeals = {d.trigger.attrs.get("decision_event"): d for d in self.deadlines if d.rule.id == ms.appeal_rule}
            for decision in self.facts.of("decision_issued"):
                if decision.attrs.get("decision") not in ms.decisions:
                    continue
                self.finality.append(self._finality(ms, decision, appeals.get(decision.id)))

    def _finality(self, ms: MilestoneRule, decision: Event, appeal: Deadline | None) -> Finality:
        decided = [e for e in self.facts.of("appeal_decided") if e.attrs.get("decision_event") == decision.id]
        lodged = [e for e in self.facts.of("appeal_lodged") if e.attrs.get("decision_event") == decision.id]
        if decided:
            last = decided[-1]
            if last.attrs.get("outcome") != "upheld":
                return Finality(ms, decision, None, None, None)  # quashed or remitted: never final
            day = last.day
            return Finality(ms, decision, day, "final" if day <= self.today else "expected", last.ts)
        if lodged:
            return Finality(ms, decision, None, "pending_appeal", None)
        if appeal is None:  # the copy was not received: the appeal period has not begun
            return Finality(ms, decision, None, "expected", None)
        day = appeal.due_date + ONE_DAY
        status = "final" if day <= self.today else "expected"
        return Finality(ms, decision, day, status, start_of_day(day, self.zone).timestamp())

    def _processing(self, request: Event) -> tuple[datetime, bool]:
        """When the Registry deals with a request: in hours on a working day, else next opening."""
        ms = next((m for m in self.sel.milestones if m.kind == "r39_processing"), None)
        if ms is None or ms.calendar is None:
            return request.at, False
        cal = self.sel.calendars[ms.calendar]
        zone = self.zone_of(cal)[0]
        assert cal.spec.hours is not None  # noqa: S101 - checked at pack load
        opening, closing = cal.spec.hours
        local = request.at.astimezone(zone)
        day = local.date()
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        if cal.is_working(day) and opening <= seconds <= closing:
            return local, False
        if not (cal.is_working(day) and seconds < opening):
            day = cal.add_working_days(day, 1)
        at = datetime.combine(day, _clock(opening), tzinfo=zone)
        return at, cal.approximation_between(local.date(), day)

    def evaluate_processing(self) -> list[tuple[tuple[float, str, int], MilestoneReport]]:
        """The r39_processing milestones (sort key, item); fills ``self.processing``."""
        found = []
        for ms in self.sel.milestones:
            if ms.kind != "r39_processing" or ms.calendar is None:
                continue
            cal = self.sel.calendars[ms.calendar]
            zone_name = self.zone_of(cal)[1]
            for e in self.facts.of("interim_measure_requested"):
                if e.attrs.get("forum") != ms.forum:
                    continue
                at, approx = self._processing(e)
                self.processing[e.id] = at
                flags = (cal.spec.approximation_flag,) if approx and cal.spec.approximation_flag else ()
                item = MilestoneReport(
                    kind="r39_processing",
                    event=e.id,
                    date=at.date(),
                    status="expected" if at.date() > self.today else "reached",
                    rule=ms.id,
                    basis=ms.basis,
                    verified=ms.verified,
                    at=at,
                    timezone=zone_name,
                    flags=flags,
                )
                found.append(((at.timestamp(), "r39_processing", e.index), item))
        return found

    # -- report --------------------------------------------------------------------------------

    def forums(self) -> list[ForumReport]:
        act = self.latest_act()
        act_date = self.act_date(act) if act is not None else self.today
        found = []
        for forum, av in sorted(self.packs.availability.items()):
            status = self.forum_status(forum, act_date)
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
        return found

    def removal_reports(self) -> list[RemovalReport]:
        """Each removal: its status, the measure protecting it, the deadlines to file for now."""
        open_kinds: dict[str, list[str]] = {}
        for d in self.deadlines:  # sorted by due instant
            if d.status == "open" and d.trigger.type == "removal_scheduled":
                kinds = open_kinds.setdefault(d.trigger.id, [])
                if d.rule.kind not in kinds:
                    kinds.append(d.rule.kind)
        zone = self.zone  # instants shown in the case's zone, whatever offset they were written with
        found = []
        for removal in self.removals:
            measure = self.timeline.protection(removal)
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
        return found

    def typed_report(self) -> CheckReport:
        processing = self.evaluate_processing()
        self.evaluate_rules(milestones=False)
        self.evaluate_finality()
        self.evaluate_rules(milestones=True)
        milestones = processing
        for fin in self.finality:
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
            ts = start_of_day(fin.date, self.zone).timestamp() if fin.date else INF
            milestones.append(((ts, "decision_final", fin.decision.index), item))
        milestones.sort(key=lambda pair: pair[0])
        self.deadlines.sort(key=lambda d: (d.due_ts, d.rule.kind, d.trigger.index))
        conflicts = find_conflicts(self)
        return CheckReport(
            format=CHECK_FORMAT,
            reference=self.facts.reference,
            today=self.today,
            host_state=self.facts.host_state,
            timezone=self.facts.zone_name,
            packs=tuple((p.name, p.version) for p in self.packs.packs),
            forums=tuple(self.forums()),
            deadlines=tuple(_deadline_report(d) for d in self.deadlines),
            milestones=tuple(item for _, item in milestones),
            conflicts=tuple(conflicts),
            removals=tuple(self.removal_reports()),
        )

    def report(self) -> dict[str, Any]:
        return self.typed_report().to_dict()


_ZONES: dict[str, ZoneInfo] = {}


def _count(cal: WorkCalendar, comp: Computation, anchor: date) -> date:
    """The last day of a period counted in days or months from ``anchor`` (before any roll)."""
    count = comp.count
    before = comp.direction == "before"
    if comp.unit == "calendar_days":
        if comp.start == "same_day" and count > 0:
            count -= 1  # day 1 is the anchor itself
        return anchor - timedelta(days=count) if before else anchor + timedelta(days=count)
    if comp.unit == "working_days":
        if before:
            return cal.subtract_working_days(anchor, count)
        return cal.add_working_days(anchor - ONE_DAY if comp.start == "same_day" else anchor, count)
    return add_months(anchor, -count if before else count)  # months


def _attrs_match(
    attrs: Mapping[str, Any], where: tuple[tuple[str, frozenset[object]], ...], links: list[tuple[str, Any]]
) -> bool:
    for name, allowed in where:
        if attrs.get(name) not in allowed:
            return False
    for name, value in links:  # noqa: SIM110 - a plain loop: all() with a generator is slower here
        if attrs.get(name) != value:
            return False
    return True


def _zone(name: str) -> ZoneInfo:
    found = _ZONES.get(name)
    if found is None:
        found = _ZONES[name] = ZoneInfo(name)
    return found


def _clock(seconds: int) -> time:
    return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


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
        reminders=dates.reminders,
        flags=(*dates.flags, *d.flags),
        notify=rule.notify,
        static=dates.template,
    )
