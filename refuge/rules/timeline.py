"""One reading of a case's timeline: removals, interim measures, requests and forums.

The engine's deadlines and conflicts, the filings, the urgent panel and the alerts all ask the
same questions — is this removal still going ahead, which measure is in force for which
destination, which request can meet which deadline, does a forum cover this act. They are
answered here, once, from the parsed facts and the packs' forum availability (LAW.md, "When a
removal is protected"). Pure: no clock, no Django. Instants are compared as POSIX timestamps.

    timeline = Timeline.of(facts, packs)
    removal = timeline.removal("e9")
    timeline.protection(removal)          # the measure in force covering it, or None
    timeline.request_meets(request, removal, forums=("un_cat", "un_hrc"), due_ts=…, late=False)
    timeline.detention()                  # the detention going on, its place and court-set term
    timeline.asylum_windows(appeal_ends, renewals)  # when an asylum procedure protects him
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from refuge.rules.facts import Event, Facts
from refuge.rules.timeutil import ONE_DAY, start_of_day

if TYPE_CHECKING:
    from refuge.rules.model import Availability
    from refuge.rules.packs import PackSet

INF = math.inf


def _order(event: Event) -> tuple[float, int]:
    return (event.ts, event.index)


RemovalStatus = Literal["scheduled", "cancelled", "executed", "replaced"]


@dataclass(frozen=True, slots=True)
class ForumStatus:
    """Whether a forum covers an act of a given date in the host state."""

    available: bool
    basis: str
    suggest: tuple[str, ...]
    rule: str | None
    flag_after_end: str | None


@dataclass(frozen=True, slots=True, eq=False)
class Removal:
    """One scheduled removal and what became of it."""

    event: Event
    removal_at: datetime  # as scheduled
    instant: datetime  # when it happens: the executed time if known, else removal_at
    ts: float
    known_ts: float  # when it became known: the removal_scheduled event's instant
    destination: str | None
    status: RemovalStatus
    ended_by: Event | None  # the cancelling, executing or replacing event
    act_date: date  # the removal's date in the case's zone (forum availability)

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def happens(self) -> bool:
        """Still going ahead, or carried out (not cancelled, not replaced by a rescheduling)."""
        return self.status in ("scheduled", "executed")

    @property
    def pending(self) -> bool:
        """Scheduled and not yet cancelled, carried out or rescheduled."""
        return self.status == "scheduled"

    def pending_at(self, ts: float) -> bool:
        """Known, and neither cancelled, carried out nor rescheduled, at the instant ``ts``."""
        return self.known_ts <= ts and (self.ended_by is None or self.ended_by.ts > ts)


@dataclass(frozen=True, slots=True, eq=False)
class Measure:
    """An interim measure granted: in force from its grant until its lifting or ``until``."""

    event: Event
    forum: str
    start: float
    end: float  # INF: until further notice
    until: datetime | None
    lifted_by: Event | None
    destination: str | None  # None: every destination
    valid: bool  # False: the forum does not cover the act (recorded, protects nothing)

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def lifted(self) -> bool:
        return self.lifted_by is not None

    def in_force(self, ts: float) -> bool:
        return self.valid and self.start <= ts < self.end

    def covers(self, destination: str | None) -> bool:
        """A measure for any destination (null) covers every removal; else only one to its country."""
        return self.destination is None or self.destination == destination

    def protects(self, removal: Removal) -> bool:
        return self.in_force(removal.ts) and self.covers(removal.destination)


@dataclass(frozen=True, slots=True, eq=False)
class Request:
    """An interim-measure request as sent (its ``at``), with what it asks and what answered it."""

    event: Event
    forum: str
    ts: float
    destination: str | None  # None: the destination of each removal pending when it was sent
    extends: Measure | None  # the grant whose prolongation it asks
    answer: Measure | None  # the forum's next grant after it (None: unanswered or refused first)
    # the destinations it concerns: None = any (no removal was pending when it was sent)
    destinations: frozenset[str | None] | None
    valid: bool  # False: the forum does not cover the act (recorded, meets nothing)

    @property
    def id(self) -> str:
        return self.event.id

    def concerns(self, destination: str | None) -> bool:
        return self.destinations is None or destination in self.destinations


@dataclass(slots=True)
class Window:
    """A stretch of time during which an asylum procedure protects the client."""

    start: float
    end: float
    event: Event  # what makes the client protected: application, refusal under appeal period, appeal, grant


@dataclass(frozen=True, slots=True)
class Detention:
    """A detention: when it started, where, on what basis, the court's term, and its end."""

    started: Event
    basis: str | None
    place: str | None
    term_until: date | None  # the last court-set term (order or extension)
    ended_by: Event | None  # the release

    def ongoing_at(self, ts: float) -> bool:
        return self.started.ts <= ts and (self.ended_by is None or self.ended_by.ts > ts)


@dataclass(frozen=True, slots=True)
class Barrier:
    """A lifting, refusal or end of a measure after which a request must be sent anew."""

    ts: float
    event: Event  # the lifting or refusal, or the grant whose ``until`` passed
    measure: Measure | None  # the measure that ended (None for a refusal)


@dataclass(slots=True, eq=False)
class Timeline:
    """The case's facts read once: everything the detectors, filings and pages ask about protection."""

    facts: Facts
    availability: Mapping[str, Availability]
    removals: tuple[Removal, ...] = ()
    measures: tuple[Measure, ...] = ()
    requests: tuple[Request, ...] = ()
    barriers: Mapping[str, tuple[Barrier, ...]] = field(default_factory=dict)  # per forum, by time
    _forum_cache: dict[tuple[str, date], ForumStatus] = field(default_factory=dict)
    _by_id: dict[str, Removal] = field(default_factory=dict)

    @classmethod
    def of(cls, facts: Facts, packs: PackSet) -> Timeline:
        """The case's timeline, built once per parsed case and pack set."""
        found = facts.readings.timeline
        if found is not None and found.availability is packs.availability:
            return found
        timeline = cls(facts, packs.availability)
        timeline._build()
        facts.readings.timeline = timeline
        return timeline

    # -- forums ------------------------------------------------------------------------------

    def forum_status(self, forum: str, act_date: date) -> ForumStatus:
        key = (forum, act_date)
        found = self._forum_cache.get(key)
        if found is None:
            found = self._forum_cache[key] = self._forum_status(forum, act_date)
        return found

    def _forum_status(self, forum: str, act_date: date) -> ForumStatus:
        av = self.availability.get(forum)
        if av is None:
            return ForumStatus(True, "", (), None, None)
        party = av.parties.get(self.facts.host_state)
        if party is None or (party.since is not None and act_date < party.since):
            return ForumStatus(False, av.basis_not_party, av.suggest, av.id, None)
        if party.until is not None and act_date > party.until:
            return ForumStatus(False, party.basis_after or av.basis_not_party, av.suggest, av.id, None)
        return ForumStatus(True, av.basis_party, (), av.id, party.flag_after_end)

    def measure_flags(self, measure: Measure, removal: Removal) -> tuple[str, ...]:
        """The uncertainty a measure carries against this removal (granted before its forum stopped covering it)."""
        granted = self.forum_status(measure.forum, measure.event.day)
        if not (granted.available and granted.flag_after_end):
            return ()
        if not self.forum_status(measure.forum, removal.act_date).available:
            return (granted.flag_after_end,)
        return ()

    def latest_act(self) -> Event | None:
        """The case's latest act: a decision, a final decision or a removal going ahead."""
        best: tuple[float, int] | None = None
        found: Event | None = None
        for e in self.facts.of("decision_issued", "appeal_decided", "final_domestic_decision"):
            key = (e.ts, e.index)
            if best is None or key > best:
                best, found = key, e
        for r in self.removals:
            if not r.happens:
                continue
            key = (r.ts, r.event.index)
            if best is None or key > best:
                best, found = key, r.event
        return found

    def act_date(self, event: Event) -> date:
        if event.type == "removal_scheduled":
            removal = self._by_id.get(event.id)
            if removal is not None:
                return removal.act_date
        return event.day

    def concerned_act(self, event: Event) -> date:
        """The date of the act a forum event concerns: the next removal going ahead, else the latest act."""
        upcoming = [r for r in self.removals if r.happens and r.ts >= event.ts]
        if upcoming:
            return min(upcoming, key=lambda r: (r.ts, r.event.index)).act_date
        latest = self.latest_act()
        return self.act_date(latest) if latest is not None else event.day

    def forum_covers(self, event: Event) -> bool:
        """Whether an interim-measure event's forum covers it (LAW.md, "A forum that does not cover the act").

        An event of a forum that covered neither the act it concerns nor the host state on its
        own date is recorded as entered but protects nothing. A grant made while the forum still
        covered the state keeps its effect (with the availability's flag where it applies).
        """
        forum = event.attrs.get("forum")
        if forum is None or forum not in self.availability:
            return True
        if self.forum_status(forum, self.concerned_act(event)).available:
            return True
        return self.forum_status(forum, event.day).available

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.removals = tuple(self._removals())
        self._by_id = {r.id: r for r in self.removals}
        self.measures = tuple(self._measures())
        self.barriers = self._barriers()
        self.requests = tuple(self._requests())

    def _removals(self) -> list[Removal]:
        facts = self.facts
        endings: dict[str, list[tuple[int, Event]]] = {}  # removal id -> (precedence, event)
        for e in facts.of("removal_executed"):
            endings.setdefault(e.get("removal_event"), []).append((0, e))
        for e in facts.of("removal_cancelled"):
            endings.setdefault(e.get("removal_event"), []).append((1, e))
        for e in facts.of("removal_scheduled"):
            replaced = e.attrs.get("replaces")
            if replaced is not None:
                endings.setdefault(replaced, []).append((2, e))
        statuses: tuple[RemovalStatus, ...] = ("executed", "cancelled", "replaced")
        found = []
        for e in facts.of("removal_scheduled"):
            removal_at: datetime = e.attrs["removal_at"]
            instant = removal_at
            status: RemovalStatus = "scheduled"
            ended_by: Event | None = None
            ends = endings.get(e.id)
            if ends:
                # carried out wins over cancelled, cancelled over rescheduled
                precedence, decisive = min(ends, key=lambda p: (p[0], p[1].ts, p[1].index))
                status = statuses[precedence]
                if status == "executed" and not decisive.bare:
                    instant = decisive.at
                # no longer pending from the first of its endings, whichever kind
                ended_by = decisive if status == "executed" else min((p[1] for p in ends), key=_order)
            found.append(
                Removal(
                    event=e,
                    removal_at=removal_at,
                    instant=instant,
                    ts=instant.timestamp(),
                    known_ts=e.ts,
                    destination=e.attrs.get("destination"),
                    status=status,
                    ended_by=ended_by,
                    act_date=instant.astimezone(facts.zone).date(),
                )
            )
        return found

    def _measures(self) -> list[Measure]:
        lifts = self.facts.of("interim_measure_lifted")
        found = []
        for e in self.facts.of("interim_measure_granted"):
            forum = e.get("forum")  # required by the case-file schema
            until: datetime | None = e.attrs.get("until")
            end = until.timestamp() if until is not None else INF
            lifted_by: Event | None = None
            for lift in lifts:
                if lift.attrs.get("forum") == forum and lift.ts >= e.ts:
                    if lift.ts < end:
                        end = lift.ts
                        lifted_by = lift
                    break
            valid = self.forum_covers(e)
            found.append(Measure(e, forum, e.ts, end, until, lifted_by, e.attrs.get("destination"), valid))
        return found

    def _barriers(self) -> dict[str, tuple[Barrier, ...]]:
        per_forum: dict[str, list[Barrier]] = {}
        for e in self.facts.of("interim_measure_lifted", "interim_measure_refused"):
            measure = next((m for m in self.measures if m.lifted_by is e), None)
            per_forum.setdefault(e.get("forum"), []).append(Barrier(e.ts, e, measure))
        for m in self.measures:
            if m.until is not None and m.lifted_by is None and m.valid:
                per_forum.setdefault(m.forum, []).append(Barrier(m.end, m.event, m))
        return {f: tuple(sorted(b, key=lambda x: (x.ts, x.event.index))) for f, b in per_forum.items()}

    def _requests(self) -> list[Request]:
        grants = {m.id: m for m in self.measures}
        refusals = self.facts.of("interim_measure_refused")
        found = []
        for e in self.facts.of("interim_measure_requested"):
            forum = e.get("forum")  # required by the case-file schema
            extends = grants.get(e.attrs.get("extends"))  # type: ignore[arg-type] # a missing ref is None
            answer = next((m for m in self.measures if m.forum == forum and m.valid and m.start >= e.ts), None)
            refused = next((r for r in refusals if r.attrs.get("forum") == forum and r.ts >= e.ts), None)
            if answer is not None and refused is not None and refused.ts < answer.start:
                answer = None  # refused before any grant: the grant answers a later request
            destination = e.attrs.get("destination")
            destinations: set[str | None] | None
            if destination is not None:
                destinations = {destination}
            else:
                pending = {r.destination for r in self.removals if r.pending_at(e.ts)}
                destinations = pending or None
            if answer is not None and answer.destination is not None:
                destinations = {answer.destination} if destinations is None else destinations & {answer.destination}
            found.append(
                Request(
                    event=e,
                    forum=forum,
                    ts=e.ts,
                    destination=destination,
                    extends=extends,
                    answer=answer,
                    destinations=frozenset(destinations) if destinations is not None else None,
                    valid=self.forum_covers(e),
                )
            )
        return found

    # -- questions -------------------------------------------------------------------------------

    def removal(self, event_id: str) -> Removal | None:
        return self._by_id.get(event_id)

    def pending_removals(self) -> list[Removal]:
        """Removals still scheduled (not cancelled, carried out or rescheduled), soonest first."""
        return sorted((r for r in self.removals if r.pending), key=lambda r: (r.ts, r.event.index))

    def next_removal(self, ts: float | None = None) -> Removal | None:
        """The soonest pending removal (at or after ``ts`` when given), else None."""
        for r in self.pending_removals():
            if ts is None or r.ts >= ts:
                return r
        return None

    def measures_in_force(
        self, ts: float, destination: str | None = None, *, any_destination: bool = False
    ) -> list[Measure]:
        """Valid measures in force at ``ts`` covering ``destination`` (or any, if asked)."""
        return [m for m in self.measures if m.in_force(ts) and (any_destination or m.covers(destination))]

    def protection(self, removal: Removal, forums: Iterable[str] | None = None) -> Measure | None:
        """The measure in force at the removal's instant covering its destination, else None.

        Of several, the one that lasts longest (then the latest granted).
        """
        allowed = None if forums is None else set(forums)
        found = [m for m in self.measures if m.protects(removal) and (allowed is None or m.forum in allowed)]
        if not found:
            return None
        return max(found, key=lambda m: (m.end, m.start, m.event.index))

    def barrier(self, forum: str, before_ts: float, request: Request | None = None) -> Barrier | None:
        """The latest lifting, refusal or end of a measure of ``forum`` at or before ``before_ts``.

        For an extension request sent before its grant's ``until``, that end does not count.
        """
        latest: Barrier | None = None
        for b in self.barriers.get(forum, ()):
            if b.ts > before_ts:
                break
            if (
                request is not None
                and request.extends is not None
                and b.measure is request.extends
                and b.event is request.extends.event
                and request.ts < b.ts
            ):
                continue
            latest = b
        return latest

    def request_meets(
        self, request: Request, removal: Removal, *, forums: Iterable[str], due_ts: float, late: bool
    ) -> bool:
        """Whether a request meets a removal's cut-off or target (LAW.md's four conditions)."""
        if not request.valid or request.forum not in forums:  # 1. that forum
            return False
        barrier = self.barrier(request.forum, removal.ts, request)  # 2. after any lifting or end
        if barrier is not None and request.ts < barrier.ts:
            return False
        if not request.concerns(removal.destination):  # 3. its destination
            return False
        return request.ts <= due_ts or (late and request.ts < removal.ts)  # 4. in time

    def meeting(
        self, removal: Removal, *, forums: Iterable[str], due_ts: float, late: bool
    ) -> Measure | Request | None:
        """What meets a removal's cut-off or target: the grant in force, else the earliest request.

        Any measure in force at the removal's instant covering its destination meets it, whatever
        its forum (LAW.md); a request must have gone to one of ``forums``.
        """
        allowed = tuple(forums)
        measure = self.protection(removal)
        if measure is not None:
            return measure
        for request in self.requests:  # in time order
            if self.request_meets(request, removal, forums=allowed, due_ts=due_ts, late=late):
                return request
        return None

    # -- detention -------------------------------------------------------------------------------

    def detentions(self) -> list[Detention]:
        """Each detention, in time order: started, its court-set term, and the release that ended it."""
        found: list[Detention] = []
        current: dict[str, object] | None = None
        for e in self.facts.of("detention_started", "detention_ordered", "detention_extended", "released"):
            if e.type == "detention_started":
                if current is not None:
                    found.append(Detention(**current))  # type: ignore[arg-type]  # built from the keys below
                current = {
                    "started": e,
                    "basis": e.attrs.get("basis"),
                    "place": e.attrs.get("place"),
                    "term_until": None,
                    "ended_by": None,
                }
            elif current is not None and e.type in ("detention_ordered", "detention_extended"):
                if e.attrs.get("term_until") is not None:
                    current["term_until"] = e.attrs["term_until"]
            elif current is not None and e.type == "released":
                current["ended_by"] = e
                found.append(Detention(**current))  # type: ignore[arg-type]  # see above
                current = None
        if current is not None:
            found.append(Detention(**current))  # type: ignore[arg-type]  # see above
        return found

    def detention(self) -> Detention | None:
        """The detention still going on (the latest one, not ended by a release), else None."""
        found = self.detentions()
        return found[-1] if found and found[-1].ended_by is None else None

    # -- asylum ----------------------------------------------------------------------------------

    def asylum_windows(self, appeal_ends: Mapping[str, float], renewals: Mapping[str, date]) -> list[Window]:
        """When an asylum application or appeal is pending (or asylum granted), per asylum kind.

        ``appeal_ends``: refusal event id -> the instant its appeal period ends; ``renewals``:
        temporary-asylum grant id -> the last day of the grant. Both are the engine's deadlines.
        """
        facts = self.facts
        events = facts.of(*_ASYLUM_TYPES)
        if not events:
            return []
        refusal_kind: dict[object, object] = {e.id: e.attrs.get("kind") for e in facts.of("asylum_refusal_received")}
        streams: dict[str, list[Event]] = {}
        for e in events:
            if e.type == "appeal_decided":
                kind = refusal_kind.get(e.attrs.get("decision_event"))
            else:
                kind = e.attrs.get("kind")
            if kind is not None:
                streams.setdefault(str(kind), []).append(e)
        appeals: dict[object, Event] = {}
        for a in facts.of("appeal_lodged"):
            appeals.setdefault(a.attrs.get("decision_event"), a)
        track = _AsylumTrack(self.facts, appeals, appeal_ends, renewals)
        for kind in sorted(streams):
            track.run(kind, streams[kind])
        track.windows.sort(key=lambda w: (w.start, w.event.index))
        return track.windows

    def lapsed(self, removal: Removal) -> list[Measure]:
        """Measures that covered the removal's destination and ended at or before its instant."""
        return [m for m in self.measures if m.valid and m.covers(removal.destination) and m.end <= removal.ts]


_ASYLUM_TYPES = (
    "asylum_applied",
    "asylum_refusal_received",
    "asylum_appeal_rejected_received",
    "asylum_granted",
    "appeal_decided",
)


class _AsylumTrack:
    """Walks one asylum kind's events: open while an application or appeal is pending."""

    def __init__(
        self,
        facts: Facts,
        appeals: dict[object, Event],
        appeal_ends: Mapping[str, float],
        renewals: Mapping[str, date],
    ) -> None:
        self.facts = facts
        self.appeals = appeals
        self.appeal_ends = appeal_ends
        self.renewals = renewals
        self.windows: list[Window] = []
        self.open_at: float | None = None
        self.open_by: Event | None = None

    def close(self, ts: float) -> None:
        if self.open_at is not None and self.open_by is not None:
            self.windows.append(Window(self.open_at, ts, self.open_by))
        self.open_at, self.open_by = None, None

    def open(self, e: Event) -> None:
        if self.open_at is None:
            self.open_at, self.open_by = e.ts, e

    def run(self, kind: str, stream: list[Event]) -> None:
        self.open_at, self.open_by = None, None
        for e in stream:
            if e.type == "asylum_applied":
                self.open(e)
            elif e.type == "asylum_refusal_received":
                self.refused(e)
            elif e.type == "appeal_decided" and e.attrs.get("outcome") != "upheld":
                self.open(e)  # quashed or remitted: the application is pending again
            elif e.type in ("asylum_appeal_rejected_received", "appeal_decided"):
                self.close(e.ts)  # a final negative outcome
            elif e.type == "asylum_granted":
                self.close(e.ts)
                self.granted(kind, e)
        self.close(INF)

    def refused(self, e: Event) -> None:
        """Pending through the appeal period; then, if appealed, until the appeal is decided."""
        self.close(e.ts)
        appeal = self.appeals.get(e.id)
        period_end = self.appeal_ends.get(e.id, e.ts)
        if appeal is not None and appeal.ts <= period_end:
            period_end = appeal.ts
        self.windows.append(Window(e.ts, period_end, e))
        if appeal is not None:
            self.open_at, self.open_by = appeal.ts, appeal

    def granted(self, kind: str, e: Event) -> None:
        until: date | None = e.attrs.get("until")
        if until is None and kind == "temporary_asylum":
            until = self.renewals.get(e.id)
        end = start_of_day(until + ONE_DAY, self.facts.zone).timestamp() if until is not None else INF
        self.windows.append(Window(e.ts, end, e))
