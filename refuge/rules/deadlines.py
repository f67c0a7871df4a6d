"""Deadlines: counting them from the packs' rules, and judging whether each was met.

The engine's steps 3 and 5 (:mod:`refuge.rules.engine`): :class:`Counting` holds what one
evaluation reads and returns the deadlines that events, then milestones, trigger. A deadline's
dates depend only on its anchor, so they are kept per selection and shared between evaluations.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from refuge.rules.calendars import WorkCalendar
from refuge.rules.facts import Event, Facts
from refuge.rules.model import Computation, Matcher, MilestoneRule, Rule, RuleGroup, Selection
from refuge.rules.report import AlternativeReport, DeadlineReport
from refuge.rules.timeline import Measure, Removal, Timeline
from refuge.rules.timeutil import ONE_DAY, add_months, end_of_day, iso
from refuge.rules.unconfirmed import CALENDAR_UNCONFIRMED, Unconfirmed, join, unconfirmed

INF = math.inf
LATE_NOTICE = "LATE_NOTICE"  # the removal was learnt of after its cut-off or target had passed
_MEMO_LIMIT = 200_000  # deadline dates kept per host state; cleared when full


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
    calendar: dict[str, object]  # what the count was made on (LAW.md "Unconfirmed calendars")
    # the report's item without the evaluation's own fields, serialised once (copied per report)
    template: dict[str, Any]


# (group, versions: all of them or which, case zone, host state, anchor day or instant)
_DatesKey = tuple[int, int | tuple[int, ...], str, str, date | datetime]
# per selection (the packs' rules for one host state): deadline dates by anchor, for every case
_DATES: weakref.WeakKeyDictionary[Selection, dict[_DatesKey, _Dates]] = weakref.WeakKeyDictionary()
# the anchor's result for one version: due date, due instant, approximate?, anchor date, unconfirmed
_Result = tuple[date, datetime, bool, date, Unconfirmed | None]


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower; never changed
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


@dataclass(frozen=True, slots=True)
class Finality:
    rule: MilestoneRule
    decision: Event
    date: date | None
    status: str | None  # expected | pending_appeal | final; None: quashed or remitted
    final_ts: float | None  # the instant the decision became (or becomes) final


@dataclass(frozen=True, slots=True)
class _Alternatives:
    """A deadline's other dates: the old version's in a transition, the rule's alternative counts."""

    items: tuple[AlternativeReport, ...] = ()
    approx: bool = False  # an approximate closing day was involved
    unsures: tuple[Unconfirmed | None, ...] = ()
    earliest: date | None = None


def zone_of(facts: Facts, calendar: WorkCalendar) -> tuple[tzinfo, str]:
    name = calendar.spec.timezone
    if name is None:
        return facts.zone, facts.zone_name
    return _zone(name), name


def registry_instant(facts: Facts, sel: Selection, request: Event) -> tuple[datetime, bool]:
    """When the Registry deals with a request: in hours on a working day, else next opening."""
    ms = next((m for m in sel.milestones if m.kind == "r39_processing"), None)
    if ms is None or ms.calendar is None:
        return request.at, False
    cal = sel.calendars[ms.calendar]
    zone = zone_of(facts, cal)[0]
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


# ---------------------------------------------------------------------------------------------
# Counting, and judging whether each deadline was met


@dataclass(frozen=True, slots=True)
class Counting:
    """Counts deadlines for one evaluation: steps 3 (triggered by events) and 5 (by milestones)."""

    facts: Facts
    today: date
    sel: Selection
    zone: tzinfo
    timeline: Timeline
    processing: Mapping[str, datetime]
    memo: dict[_DatesKey, _Dates]  # this selection's dates by anchor, shared between evaluations

    @classmethod
    def of(
        cls, facts: Facts, today: date, sel: Selection, timeline: Timeline, processing: Mapping[str, datetime]
    ) -> Counting:
        memo = _DATES.get(sel)
        if memo is None:
            memo = _DATES[sel] = {}
        return cls(facts, today, sel, facts.zone, timeline, processing, memo)

    def event_deadlines(self) -> tuple[Deadline, ...]:
        """Step 3: the deadlines events trigger."""
        found: list[Deadline] = []
        for group in self.sel.groups:
            if group.milestone is not None:
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
                found.append(self._deadline(group, candidates, event, None))
        return tuple(found)

    def milestone_deadlines(self, finality: tuple[Finality, ...]) -> tuple[Deadline, ...]:
        """Step 5 (first half): the deadlines a decision's finality triggers."""
        return tuple(
            self._deadline(group, group.versions, fin.decision, fin.date)
            for group in self.sel.groups
            if group.milestone is not None
            for fin in finality
            if fin.rule.id == group.milestone and fin.date is not None
        )

    # -- deadline arithmetic ---------------------------------------------------------------

    def compute(
        self, comp: Computation, anchor_date: date, anchor_instant: datetime | None
    ) -> tuple[date, datetime, bool, Unconfirmed | None]:
        """Due date, due instant, whether an approximate closing day was involved, unconfirmed years."""
        cal = self.sel.calendars[comp.calendar]
        zone = self.zone if comp.zone == "case" else zone_of(self.facts, cal)[0]
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
            act = self.timeline.act_date(event) if trig.forum.act == "removal" else event.day
            return self.timeline.forum_status(trig.forum.forum, act).available == trig.forum.available
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
            zone = zone_of(self.facts, self.sel.calendars[rule.computation.calendar])[0]
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
                found = registry_instant(self.facts, self.sel, event)[0]
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

    def _candidates(self, versions: tuple[Rule, ...], event: Event) -> tuple[Rule, ...]:
        """The versions of a rule that this event triggers (the group's own tuple when all do)."""
        if len(versions) == 1:
            return versions if self._trigger_matches(versions[0], event) else ()
        found = tuple(r for r in versions if event.type in r.trigger.events and self._trigger_matches(r, event))
        return versions if len(found) == len(versions) else found

    def _dates(self, candidates: tuple[Rule, ...], event: Event, milestone_date: date | None) -> _Dates:
        """Everything about a deadline that depends only on its anchor: version, dates, alternatives."""
        computed: dict[int, _Result] = {}

        def result(rule: Rule) -> _Result:
            found = computed.get(id(rule))
            if found is None:
                anchor_date, anchor_instant = self._anchor(rule, event, milestone_date)
                due, due_at, approx, unsure = self.compute(rule.computation, anchor_date, anchor_instant)
                found = (due, due_at, approx, anchor_date, unsure)
                computed[id(rule)] = found
            return found

        rule = candidates[-1] if len(candidates) == 1 else _select(candidates, result)
        due, due_at, approx, anchor_date, unsure = result(rule)
        cal = self.sel.calendars[rule.computation.calendar]
        if rule.computation.zone == "case":
            zone, zone_name = self.zone, self.facts.zone_name
        else:
            zone, zone_name = zone_of(self.facts, cal)
        others = self._alternatives(
            rule, candidates, event, milestone_date=milestone_date, anchor_date=anchor_date, result=result
        )
        alternatives = others.items
        earliest = due if others.earliest is None else min(due, others.earliest)
        flags = rule.flags
        if (approx or others.approx) and cal.spec.approximation_flag:
            flags = (*flags, cal.spec.approximation_flag)
        unconfirmed_years, safe_count = join([unsure, *others.unsures])  # LAW.md "Unconfirmed calendars"
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
            alternatives=alternatives,
            flags=flags,
            reminders=tuple(reminders),
            safe_due=(safe := self.sel.host_calendar.roll_back(earliest)),
            calendar=(calendar := cal.describe(unconfirmed_years)),
            template=DeadlineReport.template(
                rule,
                due_date=due,
                due_at=due_at,
                timezone=zone_name,
                alternatives=alternatives,
                safe_due_date=safe,
                calendar=calendar,
                reminders=tuple(reminders),
            ),
        )

    def _alternatives(
        self,
        rule: Rule,
        candidates: tuple[Rule, ...],
        event: Event,
        *,
        milestone_date: date | None,
        anchor_date: date,
        result: Callable[[Rule], _Result],
    ) -> _Alternatives:
        """The old version's dates during a transition, then the rule's alternative counts."""
        if not (rule.transition_code and rule.valid_from is not None) and not rule.alternatives:
            return _NO_ALTERNATIVES
        items: list[AlternativeReport] = []
        approx = False
        unsures: list[Unconfirmed | None] = []
        earliest: date | None = None
        if rule.transition_code and rule.valid_from is not None:
            start = anchor_date + ONE_DAY if rule.computation.start == "next_day" else anchor_date
            earlier = [r for r in candidates if r.valid_from is None or r.valid_from < rule.valid_from]
            if start < rule.valid_from and earlier:
                old = earlier[-1]
                o_due, o_at, o_approx, _, o_unsure = result(old)
                approx = approx or o_approx
                unsures.append(o_unsure)
                earliest = o_due
                items.append(
                    AlternativeReport(
                        code=rule.transition_code,
                        due_date=o_due,
                        due_at=o_at,
                        basis=rule.transition_basis,
                        rule=old.id,
                        version=old.version,
                        flags=(CALENDAR_UNCONFIRMED,) if o_unsure else (),
                    )
                )
        if rule.alternatives:
            anchor_date2, anchor_instant2 = self._anchor(rule, event, milestone_date)
            for alt in rule.alternatives:
                a_due, a_at, a_approx, a_unsure = self.compute(alt.computation, anchor_date2, anchor_instant2)
                approx = approx or a_approx
                unsures.append(a_unsure)
                earliest = a_due if earliest is None else min(earliest, a_due)
                a_flags = (*alt.flags, CALENDAR_UNCONFIRMED) if a_unsure else alt.flags
                items.append(AlternativeReport(alt.code, a_due, a_at, alt.basis, a_flags))
        return _Alternatives(tuple(items), approx, tuple(unsures), earliest)

    def _deadline(
        self, group: RuleGroup, candidates: tuple[Rule, ...], event: Event, milestone_date: date | None
    ) -> Deadline:
        dates: _Dates | None = None
        key: _DatesKey | None = None
        if group.memoizable:
            anchor_date, anchor_instant = self._anchor(candidates[0], event, milestone_date)
            # the dates depend on the anchor's day, or on its instant when hours or clocks count
            anchor = anchor_instant if group.instant_matters and anchor_instant is not None else anchor_date
            key = (
                group.index,
                len(candidates) if candidates is group.versions else tuple(r.version for r in candidates),
                self.facts.zone_name,
                self.facts.host_state,
                anchor,
            )
            dates = self.memo.get(key)
        if dates is None:
            dates = self._dates(candidates, event, milestone_date)
            if key is not None:
                memo = self.memo
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[key] = dates
        rule = dates.rule
        forums = rule.protection_forums
        removal = self.timeline.removal(event.id) if forums else None
        if removal is not None:
            status, met_by, flags = self._protection_status(removal, dates, forums)
            return Deadline(rule, event, dates, status, met_by, flags)
        met = self._find(rule.met_by, event, dates.due_ts, cancel=False, due=dates.due) if rule.met_by else None
        if met is not None:
            return Deadline(rule, event, dates, "met", met.id)
        if rule.cancelled_by and self._find(rule.cancelled_by, event, dates.due_ts, cancel=True) is not None:
            return Deadline(rule, event, dates, "cancelled")
        if self.today > dates.due and self.today >= event.day:  # never missed before it was known
            return Deadline(rule, event, dates, "missed")
        return Deadline(rule, event, dates)

    def _protection_status(
        self, removal: Removal, dates: _Dates, forums: tuple[str, ...]
    ) -> tuple[str, str | None, tuple[str, ...]]:
        """Status, met_by and flags of a removal's cut-off or target (LAW.md, "When a removal is protected").

        Cancelled (or rescheduled) removals: ``cancelled``, whatever was sent. Learnt of after the
        due instant: ``LATE_NOTICE``, open until the removal's day, met by a request before it.
        """
        if not removal.happens:
            return "cancelled", None, ()
        late = removal.known_ts > dates.due_ts
        flags = (LATE_NOTICE,) if late else ()
        timeline = self.timeline
        found = timeline.meeting(removal, forums=forums, due_ts=dates.due_ts, late=late)
        if found is not None:
            if isinstance(found, Measure):
                flags = (*flags, *timeline.measure_flags(found, removal))
            return "met", found.id, flags
        if removal.status == "executed" and removal.ended_by is not None and self.today >= removal.ended_by.day:
            return "missed", None, flags  # carried out: nothing can be filed against it any more
        missed = self.today > removal.act_date if late else self.today > dates.due
        return ("missed" if missed else "open"), None, flags


_NO_ALTERNATIVES = _Alternatives()


def _select(candidates: tuple[Rule, ...], result: Callable[[Rule], _Result]) -> Rule:
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
