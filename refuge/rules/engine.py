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
from refuge.rules.model import Availability, Computation, Matcher, MilestoneRule, Rule, RuleGroup, Selection
from refuge.rules.packs import PackSet, default_packs
from refuge.rules.timeutil import ONE_DAY, add_months, end_of_day, iso, start_of_day
from refuge.rules.unconfirmed import CALENDAR_UNCONFIRMED, Unconfirmed, join, unconfirmed

INF = math.inf
_MEMO_LIMIT = 200_000  # deadline dates kept per host state; cleared when full


# ---------------------------------------------------------------------------------------------
# Intermediate results


@dataclass(slots=True)
class Removal:
    event: Event
    instant: datetime  # when the removal happens (executed time if known, else removal_at)
    ts: float
    live: bool  # not cancelled (an executed removal always counts)
    destination: str | None
    act_date: date  # the removal's date in the case's zone (for forum availability)


@dataclass(slots=True)
class Measure:
    event: Event
    forum: str
    start: float
    end: float  # INF: until further notice
    until: datetime | None
    lifted: bool
    destination: str | None

    def in_force(self, ts: float) -> bool:
        return self.start <= ts < self.end

    def covers(self, destination: str | None) -> bool:
        """A measure for any destination (null) covers every removal; else only one to its country."""
        return self.destination is None or self.destination == destination


@dataclass(frozen=True, slots=True)
class _Dates:
    """The part of a deadline that depends only on its anchor (shared between evaluations)."""

    rule: Rule
    due: date
    due_at: datetime
    due_ts: float
    zone_name: str
    alternatives: tuple[dict[str, Any], ...]  # templates: their flags are tuples
    flags: tuple[str, ...]
    reminders: tuple[str, ...]
    # the report's item with everything but the evaluation's own fields (copied per report)
    template: dict[str, Any]


@dataclass(slots=True)
class Deadline:
    rule: Rule
    trigger: Event
    dates: _Dates
    status: str = "open"
    met_by: str | None = None

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


@dataclass(frozen=True, slots=True)
class ForumStatus:
    available: bool
    basis: str
    suggest: tuple[str, ...]
    rule: str | None
    flag_after_end: str | None


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
    if isinstance(today, str):
        day = date.fromisoformat(today)
    elif isinstance(today, datetime):  # a date-time's own date: the caller chose its zone
        day = today.date()
    else:
        day = today
    return Evaluation(facts, day, packset).report()


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
        self._forum_cache: dict[tuple[str, date], ForumStatus] = {}
        derived = facts.derived  # facts-only derivations, kept with the parsed case
        if "removals" not in derived:
            derived["removals"] = self._removals()
            derived["measures"] = self._measures()
        self.removals: list[Removal] = derived["removals"]
        self.measures: list[Measure] = derived["measures"]
        self.removal_by_id: dict[str, Removal] = {r.event.id: r for r in self.removals}
        self.live_removals = [r for r in self.removals if r.live]

    # -- basic facts ----------------------------------------------------------------------

    def _removals(self) -> list[Removal]:
        cancelled = {e.get("removal_event") for e in self.facts.of("removal_cancelled")}
        executed: dict[str, Event] = {}
        for e in self.facts.of("removal_executed"):
            executed.setdefault(e.get("removal_event"), e)
        found = []
        for e in self.facts.of("removal_scheduled"):
            done = executed.get(e.id)
            instant: datetime = e.get("removal_at")
            if done is not None and not done.bare:
                instant = done.at
            found.append(
                Removal(
                    event=e,
                    instant=instant,
                    ts=instant.timestamp(),
                    live=done is not None or e.id not in cancelled,
                    destination=e.get("destination"),
                    act_date=instant.astimezone(self.zone).date(),
                )
            )
        return found

    def _measures(self) -> list[Measure]:
        lifts = self.facts.of("interim_measure_lifted")
        found = []
        for e in self.facts.of("interim_measure_granted"):
            until: datetime | None = e.get("until")
            end = until.timestamp() if until is not None else INF
            lifted = False
            for lift in lifts:
                if lift.get("forum") == e.get("forum") and lift.ts >= e.ts:
                    if lift.ts < end:
                        end = lift.ts
                        lifted = True
                    break
            found.append(Measure(e, e.get("forum"), e.ts, end, until, lifted, e.get("destination")))
        return found

    def zone_of(self, calendar: WorkCalendar) -> tuple[tzinfo, str]:
        name = calendar.spec.timezone
        if name is None:
            return self.zone, self.facts.zone_name
        return _zone(name), name

    def forum_status(self, forum: str, act_date: date) -> ForumStatus:
        key = (forum, act_date)
        found = self._forum_cache.get(key)
        if found is None:
            found = self._forum_cache[key] = self._forum_status(forum, act_date)
        return found

    def _forum_status(self, forum: str, act_date: date) -> ForumStatus:
        av: Availability | None = self.packs.availability.get(forum)
        if av is None:
            return ForumStatus(True, "", (), None, None)
        party = av.parties.get(self.facts.host_state)
        if party is None or (party.since is not None and act_date < party.since):
            return ForumStatus(False, av.basis_not_party, av.suggest, av.id, None)
        if party.until is not None and act_date > party.until:
            return ForumStatus(False, party.basis_after or av.basis_not_party, av.suggest, av.id, None)
        return ForumStatus(True, av.basis_party, (), av.id, party.flag_after_end)

    def latest_act(self) -> Event | None:
        """The case's latest act: a decision, a final decision or a (live) removal."""
        best: tuple[float, int] | None = None
        found: Event | None = None
        for e in self.facts.of("decision_issued", "appeal_decided", "final_domestic_decision"):
            key = (e.ts, e.index)
            if best is None or key > best:
                best, found = key, e
        for r in self.live_removals:
            key = (r.ts, r.event.index)
            if best is None or key > best:
                best, found = key, r.event
        return found

    def act_date(self, event: Event) -> date:
        if event.type == "removal_scheduled":
            removal = self.removal_by_id.get(event.id)
            if removal is not None:
                return removal.act_date
        return event.day

    # -- deadline arithmetic ---------------------------------------------------------------

    def compute(
        self, comp: Computation, anchor_date: date, anchor_instant: datetime | None
    ) -> tuple[date, datetime, bool, Unconfirmed | None]:
        """Due date, due instant, whether an approximate closing day was involved, unconfirmed years."""
        cal = self.sel.calendars[comp.calendar]
        zone = self.zone_of(cal)[0]
        unit, count = comp.unit, comp.count
        if unit == "hours":
            assert anchor_instant is not None  # noqa: S101 - packs are checked: hours count from an event
            sign = -1 if comp.direction == "before" else 1
            # in UTC: aware arithmetic in a zone with summer time would add wall-clock hours
            due_at = (anchor_instant.astimezone(UTC) + timedelta(hours=sign * count)).astimezone(zone)
            return due_at.date(), due_at, False, None
        before = comp.direction == "before"
        raw = _count(cal, comp, anchor_date)
        due = cal.roll_forward(raw) if comp.roll == "next_working_day" else raw
        unsure = unconfirmed(cal, comp, anchor_date, raw, due, lambda c: _count(c, comp, anchor_date))
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
        return due, due_at, approx, unsure

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

    def _find(self, matchers: tuple[Matcher, ...], trigger: Event, due_ts: float, *, cancel: bool) -> Event | None:
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
            for name in matcher.events:
                for e in by_type.get(name, ()):
                    if e is trigger or (need_after and e.ts < trigger.ts):
                        continue
                    if filtered and not _attrs_match(e.attrs, matcher.where, links):
                        continue
                    ts = self._effective_ts(matcher, e) if processing else e.ts
                    if bounded and ts > due_ts:
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
        computed: dict[int, tuple[date, datetime, bool, date, Unconfirmed | None]] = {}

        def result(rule: Rule) -> tuple[date, datetime, bool, date, Unconfirmed | None]:
            found = computed.get(id(rule))
            if found is None:
                anchor_date, anchor_instant = self._anchor(rule, event, milestone_date)
                due, due_at, approx, unsure = self.compute(rule.computation, anchor_date, anchor_instant)
                found = (due, due_at, approx, anchor_date, unsure)
                computed[id(rule)] = found
            return found

        rule = candidates[-1] if len(candidates) == 1 else self._select(candidates, result)
        due, due_at, approx, anchor_date, unsure = result(rule)
        unsures = [unsure]
        cal = self.sel.calendars[rule.computation.calendar]
        zone, zone_name = self.zone_of(cal)
        alternatives: list[dict[str, Any]] = []
        earliest = due
        if rule.transition_code and rule.valid_from is not None:
            start = anchor_date + ONE_DAY if rule.computation.start == "next_day" else anchor_date
            earlier = [r for r in candidates if r.valid_from is None or r.valid_from < rule.valid_from]
            if start < rule.valid_from and earlier:
                old = earlier[-1]
                o_due, o_at, o_approx, _, o_unsure = result(old)
                approx = approx or o_approx
                unsures.append(o_unsure)
                earliest = min(earliest, o_due)
                alternatives.append(
                    {
                        "code": rule.transition_code,
                        "due_date": o_due.isoformat(),
                        "due_at": iso(o_at),
                        "basis": rule.transition_basis,
                        "rule": old.id,
                        "version": old.version,
                        "flags": (CALENDAR_UNCONFIRMED,) if o_unsure else (),
                    }
                )
        if rule.alternatives:
            anchor_date2, anchor_instant2 = self._anchor(rule, event, milestone_date)
            for alt in rule.alternatives:
                a_due, a_at, a_approx, a_unsure = self.compute(alt.computation, anchor_date2, anchor_instant2)
                approx = approx or a_approx
                unsures.append(a_unsure)
                earliest = min(earliest, a_due)
                alternatives.append(
                    {
                        "code": alt.code,
                        "due_date": a_due.isoformat(),
                        "due_at": iso(a_at),
                        "basis": alt.basis,
                        "flags": (*alt.flags, CALENDAR_UNCONFIRMED) if a_unsure else alt.flags,
                    }
                )
        flags = rule.flags
        if approx and cal.spec.approximation_flag:
            flags = (*flags, cal.spec.approximation_flag)
        unconfirmed_years, safe_count = join(unsures)  # LAW.md "Unconfirmed calendars"
        if unconfirmed_years:
            flags = (*flags, CALENDAR_UNCONFIRMED)
        if safe_count is not None:
            earliest = min(earliest, safe_count)
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
            template={
                "kind": rule.kind,
                "rule": rule.id,
                "version": rule.version,
                "trigger": None,
                "due_date": due.isoformat(),
                "due_at": iso(due_at),
                "timezone": zone_name,
                "status": None,
                "met_by": None,
                "severity": rule.severity,
                "basis": rule.basis,
                "verified": rule.verified,
                "nature": rule.nature,
                "alternatives": None,
                "safe_due_date": self.sel.host_calendar.roll_back(earliest).isoformat(),
                "calendar": cal.describe(unconfirmed_years),
                "reminders": None,
                "flags": None,
                "notify": None,
            },
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
        status, met_by = "open", None
        met = self._find(rule.met_by, event, dates.due_ts, cancel=False) if rule.met_by else None
        if met is not None:
            status, met_by = "met", met.id
        elif rule.cancelled_by and self._find(rule.cancelled_by, event, dates.due_ts, cancel=True) is not None:
            status = "cancelled"
        elif self.today > dates.due:
            status = "missed"
        deadline = Deadline(rule, event, dates, status, met_by)
        self.deadlines.append(deadline)
        self.by_kind.setdefault(rule.kind, []).append(deadline)

    @staticmethod
    def _select(
        candidates: tuple[Rule, ...], result: Callable[[Rule], tuple[date, datetime, bool, date, Unconfirmed | None]]
    ) -> Rule:
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

    def evaluate_processing(self) -> list[tuple[tuple[float, str, int], dict[str, Any]]]:
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
                flags = [cal.spec.approximation_flag] if approx and cal.spec.approximation_flag else []
                item = {
                    "kind": "r39_processing",
                    "event": e.id,
                    "date": at.date().isoformat(),
                    "at": iso(at),
                    "timezone": zone_name,
                    "status": "expected" if at.date() > self.today else "reached",
                    "rule": ms.id,
                    "basis": ms.basis,
                    "verified": ms.verified,
                    "flags": flags,
                }
                found.append(((at.timestamp(), "r39_processing", e.index), item))
        return found

    # -- report --------------------------------------------------------------------------------

    def forums(self) -> list[dict[str, Any]]:
        act = self.latest_act()
        act_date = self.act_date(act) if act is not None else self.today
        found = []
        for forum, av in sorted(self.packs.availability.items()):
            status = self.forum_status(forum, act_date)
            found.append(
                {
                    "forum": forum,
                    "available": status.available,
                    "basis": status.basis,
                    "suggest": list(status.suggest),
                    "rule": av.id,
                    "act": act.id if act is not None else None,
                    "act_date": act_date.isoformat(),
                }
            )
        return found

    def report(self) -> dict[str, Any]:
        processing = self.evaluate_processing()
        self.evaluate_rules(milestones=False)
        self.evaluate_finality()
        self.evaluate_rules(milestones=True)
        milestones = processing
        for fin in self.finality:
            if fin.status is None:
                continue
            item = {
                "kind": "decision_final",
                "event": fin.decision.id,
                "date": fin.date.isoformat() if fin.date else None,
                "status": fin.status,
                "rule": fin.rule.id,
                "basis": fin.rule.basis,
                "verified": fin.rule.verified,
            }
            ts = start_of_day(fin.date, self.zone).timestamp() if fin.date else INF
            milestones.append(((ts, "decision_final", fin.decision.index), item))
        milestones.sort(key=lambda pair: pair[0])
        self.deadlines.sort(key=lambda d: (d.due_ts, d.rule.kind, d.trigger.index))
        conflicts = find_conflicts(self)
        return {
            "format": CHECK_FORMAT,
            "reference": self.facts.reference,
            "today": self.today.isoformat(),
            "host_state": self.facts.host_state,
            "timezone": self.facts.zone_name,
            "packs": [{"pack": p.name, "version": p.version} for p in self.packs.packs],
            "forums": self.forums(),
            "deadlines": [_deadline_dict(d) for d in self.deadlines],
            "milestones": [item for _, item in milestones],
            "conflicts": conflicts,
        }


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


def _deadline_dict(d: Deadline) -> dict[str, Any]:
    dates = d.dates
    item = dates.template.copy()  # a fresh dict and fresh lists: callers may change the report
    item["trigger"] = d.trigger.id
    item["status"] = d.status
    item["met_by"] = d.met_by
    item["alternatives"] = [{**a, "flags": list(a["flags"])} for a in dates.alternatives]
    item["reminders"] = list(dates.reminders)
    item["flags"] = list(dates.flags)
    calendar = dates.template["calendar"]
    item["calendar"] = {**calendar, "unconfirmed_years": list(calendar["unconfirmed_years"])}
    item["notify"] = list(d.rule.notify)
    return item
