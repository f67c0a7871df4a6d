"""The typed model of rule packs: small frozen objects the loader builds and the engine reads.

See :mod:`refuge.rules.packs` for the YAML format and its validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time

from refuge.rules.calendars import WorkCalendar

SEVERITIES = ("critical", "high", "medium", "info")  # most urgent first
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """0 for critical, then high, medium, info (unknown ones last)."""
    return _SEVERITY_RANK.get(severity, len(_SEVERITY_RANK))


@dataclass(frozen=True, slots=True)
class Computation:
    unit: str  # calendar_days | working_days | months | hours
    count: int
    calendar: str
    start: str = "next_day"
    direction: str = "after"
    roll: str = "none"
    time_of_day: str = "end_of_day"  # end_of_day | anchor_clock
    clamp: tuple[time, time] | None = None
    zone: str = "calendar"  # calendar | case: the zone of the due instant (and of a clock time)


@dataclass(frozen=True, slots=True)
class Alternative:
    code: str
    basis: str
    computation: Computation
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Matcher:
    """Which events meet or cancel a deadline."""

    events: tuple[str, ...]
    where: tuple[tuple[str, frozenset[object]], ...] = ()
    link: tuple[tuple[str, str], ...] = ()  # (attribute of the candidate, attribute of the trigger)
    after_trigger: bool = False
    until: str = "any"  # due: only events at or before the due instant count
    when: str = "at"  # processing: the Registry's processing instant, not the sending time
    # instant: the event's instant against the due instant; own_date: the event's local date in
    # its own offset against the due date (a postmark: rule 47(6)(a) of the Rules of Court)
    compare: str = "instant"


@dataclass(frozen=True, slots=True)
class ForumGate:
    forum: str
    available: bool
    act: str  # removal | event


@dataclass(frozen=True, slots=True)
class Trigger:
    events: frozenset[str]
    milestone: str | None = None
    where: tuple[tuple[str, frozenset[object]], ...] = ()
    has: tuple[str, ...] = ()
    ref: str | None = None
    ref_where: tuple[tuple[str, frozenset[object]], ...] = ()
    first_per_ref: bool = False
    stateless: bool | None = None
    forum: ForumGate | None = None


@dataclass(frozen=True, slots=True)
class Anchor:
    source: str  # event | attribute | milestone
    attribute: str | None = None
    zone: str = "case"  # case | calendar
    fallback_months: int | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    version: int
    kind: str
    pack: str
    trigger: Trigger
    anchor: Anchor
    computation: Computation
    severity: str
    verified: bool
    basis: str
    nature: str = "law"
    valid_from: date | None = None
    valid_until: date | None = None
    select: str = "trigger_date"
    alternatives: tuple[Alternative, ...] = ()
    transition_code: str | None = None
    transition_basis: str | None = None
    met_by: tuple[Matcher, ...] = ()
    cancelled_by: tuple[Matcher, ...] = ()
    reminder_days: tuple[int, ...] = ()
    reminder_hours: tuple[int, ...] = ()
    flags: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    # The forums whose interim-measure requests this rule's deadline waits for when a scheduled
    # removal triggers it (the Rule 39 cut-off, the UN target): judged on the timeline (LAW.md,
    # "When a removal is protected"). Empty for every other rule. Derived from the fields above.
    protection_forums: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        forums: set[str] = set()
        if "removal_scheduled" in self.trigger.events:
            for matcher in self.met_by:
                if "interim_measure_requested" in matcher.events:
                    for name, allowed in matcher.where:
                        if name == "forum":
                            forums.update(str(f) for f in allowed)
        object.__setattr__(self, "protection_forums", tuple(sorted(forums)))  # frozen: set once, here

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@dataclass(frozen=True, slots=True)
class MilestoneRule:
    id: str
    version: int
    kind: str  # decision_final | r39_processing
    pack: str
    verified: bool
    basis: str
    decisions: frozenset[str] = frozenset()
    appeal_rule: str | None = None
    forum: str | None = None
    calendar: str | None = None


@dataclass(frozen=True, slots=True)
class ConflictRule:
    id: str
    kind: str
    pack: str
    severity: str
    basis: str
    verified: bool = True
    flags: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    window_days: int = 7
    after_deadline: str | None = None
    cured_by: frozenset[str] = frozenset()
    forum: str | None = None
    other_forum: str | None = None


@dataclass(frozen=True, slots=True)
class Party:
    state: str
    since: date | None
    until: date | None
    basis_after: str | None
    flag_after_end: str | None


@dataclass(frozen=True, slots=True)
class Availability:
    id: str
    forum: str
    basis_party: str
    basis_not_party: str
    suggest: tuple[str, ...]
    parties: Mapping[str, Party]


@dataclass(frozen=True, slots=True)
class Label:
    """Words for a code a lawyer can meet: a short label and a one-sentence explanation."""

    label: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Pack:
    name: str
    version: int
    title: str
    file: str
    host_state: str | None
    forums: tuple[str, ...]
    timezone: str | None
    calendars: Mapping[str, WorkCalendar]
    availability: Availability | None
    rules: tuple[Rule, ...]
    milestones: tuple[MilestoneRule, ...]
    conflicts: tuple[ConflictRule, ...]
    labels: Mapping[str, Label] = field(default_factory=dict)  # code -> words (pack-1 "labels")


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """The versions of one rule id, oldest first, with what the engine needs to find triggers."""

    index: int
    versions: tuple[Rule, ...]
    event_types: tuple[str, ...]  # sorted
    milestone: str | None
    instant_matters: bool  # the anchor's time of day matters (hours, clock time)
    # All versions anchor alike: a deadline's dates depend only on the anchor (and the case's
    # zone), so the engine may reuse them for another case with the same anchor.
    memoizable: bool


# eq=False: compared by identity, so that the engine can key its per-selection memo on it (weakly)
@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class Selection:
    groups: tuple[RuleGroup, ...]
    milestones: tuple[MilestoneRule, ...]
    conflicts: Mapping[str, ConflictRule]  # by kind; a host pack replaces the common one
    calendars: Mapping[str, WorkCalendar]
    host_calendar: WorkCalendar
    rules_by_id: Mapping[str, tuple[Rule, ...]]
